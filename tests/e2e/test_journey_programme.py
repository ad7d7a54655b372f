"""Journey: a programme coordinator searches the offer, gets suggestions and sends a request
within the click budget (search result → submitted request in at most 3 clicks)."""

from __future__ import annotations

from sqlalchemy import select

from core.placements.models import PlacementRequest, RequestStatus, Student
from tests.e2e.helpers import sign_in
from tests.world import build_world


def test_a_programme_finds_an_offer_and_sends_a_request(journey, db):
    page = journey.page
    # Given a programme coordinator with a student, and a school with a published offer
    world = build_world(db)
    offer = world.offers["a"]
    subject_name = offer.subject.name_nl
    db.add(
        Student(
            programme=world.institutions["programme_a"],
            first_name="Jens",
            last_name="Claes",
            email="jens@example.org",
            student_number="r42",
        )
    )
    db.commit()
    sign_in(journey, world.users["programme_coordinator_a"].email)

    # When she searches the offer for the subject near Antwerp
    journey.go("/aanbod")
    page.get_by_label("Vak", exact=True).select_option(label=subject_name)
    page.get_by_label("Postcode").fill("2000")
    page.get_by_label("Maximale afstand in km").fill("30")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_load_state("load")
    journey.check_accessibility()
    assert "School A" in page.content()
    journey.screenshot("search-results")

    # And asks for suggestions for the same need
    journey.go("/aanbod/suggesties")
    page.get_by_label("Vak", exact=True).select_option(label=subject_name)
    page.get_by_role("button", name="Scholen voorstellen").click()
    page.wait_for_load_state("load")
    journey.check_accessibility()
    assert "School A" in page.content()
    journey.screenshot("suggestions")

    # When she goes from a search result to a submitted request
    page.go_back()
    page.go_back()
    page.wait_for_load_state("load")
    journey.clicks = 0
    journey.click(page.get_by_role("link", name="Aanvraag maken").first)
    page.get_by_label("Student").select_option(label="Claes, Jens (r42)")
    journey.clicks += 1  # choosing the student
    page.get_by_label("Begindatum").fill("2027-03-01")
    page.get_by_label("Einddatum").fill("2027-03-26")
    journey.click(page.get_by_role("button", name="Aanvraag versturen"))

    # Then the request is submitted within three clicks
    assert journey.clicks <= 3
    assert "De aanvraag is verstuurd" in page.content()
    journey.screenshot("request-sent")
    db.rollback()
    created = db.scalar(
        select(PlacementRequest)
        .join(PlacementRequest.student)
        .where(Student.student_number == "r42")
    )
    assert created.status == RequestStatus.SUBMITTED
    assert created.offer_id in {o.id for o in world.offers.values()}


def test_a_programme_sends_requests_for_several_students_at_once(journey, db):
    page = journey.page
    # Given a programme coordinator with three students and a school with room
    world = build_world(db)
    offer = world.offers["a"]
    offer.places = 5
    for number, first in enumerate(("Jens", "Noor", "Wout")):
        db.add(
            Student(
                programme=world.institutions["programme_a"],
                first_name=first,
                last_name="Claes",
                email=f"{first.lower()}@example.org",
                student_number=f"r{number}00",
            )
        )
    db.commit()
    sign_in(journey, world.users["programme_coordinator_a"].email)

    # When she selects the three students and fills one form for all of them
    journey.click(page.get_by_role("link", name="Studenten"))
    for first in ("Jens", "Noor", "Wout"):
        page.get_by_label(f"Claes, {first}").check()
    journey.click(page.get_by_role("button", name="Aanvragen voor de gekozen studenten"))
    if "kies" in page.content().lower() and page.get_by_role("link", name="Secundair").count():
        journey.click(page.get_by_role("link", name="Secundair onderwijs"))
    page.get_by_label("Instellingsnummer van de school").fill(
        world.institutions["school_a"].institution_number
    )
    page.get_by_label("Nummer van het aanbod").fill(str(offer.id))
    page.get_by_label("Vak", exact=True).select_option(label=offer.subject.name_nl)
    page.get_by_label("Graad").select_option("2")
    page.get_by_label("Finaliteit").select_option("doorstroom")
    page.get_by_label("Onderwijsvorm").select_option("ASO")
    page.get_by_label("Begindatum").fill("2027-03-01")
    page.get_by_label("Einddatum").fill("2027-03-26")
    journey.click(page.get_by_role("button", name="3 aanvragen versturen"))

    # Then three requests are submitted in one go
    journey.screenshot("bulk-sent")
    db.rollback()
    created = db.scalars(
        select(PlacementRequest).where(PlacementRequest.offer_id == offer.id)
    ).all()
    assert len(created) == 3
    assert {r.status for r in created} == {RequestStatus.SUBMITTED}
