"""Journey: an institution signs up and an administrator approves it."""

from __future__ import annotations

from tests.world import PASSWORD, build_world


def test_an_institution_signs_up_and_is_approved(journey, db):
    page = journey.page
    # Given a platform with an administrator
    world = build_world(db)
    db.commit()

    # When a school coordinator registers her school
    journey.go("/")
    journey.click(page.get_by_role("link", name="Instelling registreren").first)
    page.get_by_label("Naam van de instelling").fill("Sint-Lodewijkscollege")
    page.get_by_label("Instellingsnummer").fill("031112")
    page.get_by_label("Straat en huisnummer").fill("Zandstraat 138")
    page.get_by_label("Postcode").fill("8200")
    page.get_by_label("Jouw naam").fill("Els Vermeulen")
    page.get_by_label("Jouw e-mailadres").fill("els.vermeulen@example.org")
    page.get_by_label("Wachtwoord").fill("Stage-plaats-2027")
    journey.click(page.get_by_role("button", name="Registratie versturen"))

    # Then she can do nothing but wait for approval
    assert "wacht op goedkeuring" in page.content()
    journey.screenshot("waiting")

    # When the administrator approves the registration
    admin = page.context.browser.new_context(locale="nl-BE").new_page()
    admin.goto(journey.base_url + "/aanmelden")
    admin.get_by_label("E-mailadres").fill(world.users["admin"].email)
    admin.get_by_label("Wachtwoord").fill(PASSWORD)
    admin.get_by_role("button", name="Aanmelden").click()
    admin.goto(journey.base_url + "/beheer/aanmeldingen")
    registration = admin.get_by_role("region", name="Sint-Lodewijkscollege")
    registration.get_by_label("Goedkeuren").check()
    registration.get_by_role("button", name="Bevestigen").click()
    assert "is behandeld" in admin.content()
    admin.context.close()

    # Then the coordinator reaches her dashboard
    journey.go("/dashboard")
    assert page.url.endswith("/dashboard")
    assert "Sint-Lodewijkscollege" in page.content()
    journey.screenshot("approved")
