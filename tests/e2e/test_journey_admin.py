"""Journey: the administrator enables the primary pilot in one province."""

from __future__ import annotations

from tests.e2e.helpers import sign_in
from tests.factories import make_offer, make_school
from tests.world import build_world


def test_primary_offers_appear_only_in_the_pilot_province(journey, db):
    page = journey.page
    # Given primary schools with published offers in Limburg and in Oost-Vlaanderen
    world = build_world(db)
    limburg = make_school(db, region="limburg", name="Basisschool De Regenboog", level="primary")
    ghent = make_school(
        db, region="oost-vlaanderen", name="Vrije Basisschool Gent", level="primary"
    )
    make_offer(db, limburg, level="primary")
    make_offer(db, ghent, level="primary")
    db.commit()

    # When nobody has enabled the primary pilot, neither shows in the offer
    journey.go("/aanbod")
    assert "De Regenboog" not in page.content() and "Vrije Basisschool Gent" not in page.content()

    # When the administrator switches primary on for Limburg
    sign_in(journey, world.users["admin"].email)
    journey.click(page.get_by_role("link", name="Pilootregio's"))
    primary = page.get_by_role("region", name="primary")
    primary.get_by_label("Limburg").check()
    journey.click(primary.get_by_role("button", name="Opslaan"))
    assert "zijn opgeslagen" in page.content()
    journey.screenshot("pilot-regions")

    # Then Limburg's primary offer shows, and Oost-Vlaanderen's does not
    journey.go("/aanbod")
    assert "De Regenboog" in page.content()
    assert "Vrije Basisschool Gent" not in page.content()
    journey.screenshot("offer-after-pilot")
