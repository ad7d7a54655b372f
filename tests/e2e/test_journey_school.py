"""Journeys of a school: publish an offer and set capacity; accept from the dashboard;
the mentor sees the trainee."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.access.policy import Actor
from core.offers import school_years
from core.offers.models import HostingStatus, Offer, OfferStatus
from core.placements import services
from core.placements.models import PlacementRequest, RequestStatus, Student
from core.plugins.manager import plugins_of
from tests.e2e.helpers import sign_in
from tests.world import build_world

NEXT_YEAR = school_years.shift(school_years.school_year_of(dt.date.today()), 1)


def test_a_school_publishes_an_offer_and_sets_its_capacity(journey, db):
    page = journey.page
    # Given a school coordinator who is signed in
    world = build_world(db)
    db.commit()
    sign_in(journey, world.users["school_coordinator_a"].email)

    # When she opens her offer for next school year and adds a mathematics offer
    journey.click(page.get_by_role("link", name="Mijn aanbod"))
    journey.click(page.get_by_role("link", name=NEXT_YEAR))
    journey.click(page.get_by_role("link", name="Nieuw aanbod"))
    page.get_by_label("Schooljaar").select_option(NEXT_YEAR)
    page.get_by_label("Vak").select_option(label="Wiskunde")
    page.get_by_label("Graad").select_option("2")
    page.get_by_label("Finaliteit").select_option("doorstroom")
    page.get_by_label("Onderwijsvorm").select_option("ASO")
    page.get_by_label("Semester").select_option("2")
    page.get_by_label("Aantal studenten").fill("2")
    journey.click(page.get_by_role("button", name="Opslaan en publiceren"))

    # And she says the school takes four trainees at most this year
    page.get_by_label("Ja, we ontvangen stagiairs").check()
    page.get_by_label("Maximum aantal stagiairs over alle vakken samen").fill("4")
    journey.click(page.get_by_role("button", name="Ontvangststatus opslaan"))

    # Then the offer is published and the capacity shows
    assert "Het aanbod is opgeslagen." in page.content() or "ontvangststatus" in page.content()
    assert "maximum 4 stagiairs, nog 4 vrij" in page.content()
    journey.screenshot("offer-and-capacity")
    db.rollback()
    db.expire_all()
    offer = db.scalar(select(Offer).where(Offer.school_year == NEXT_YEAR))
    assert offer.status == OfferStatus.PUBLISHED and offer.places == 2
    assert db.scalar(select(HostingStatus)).capacity == 4


def _submitted_request(app, db, world) -> PlacementRequest:
    offer = world.offers["a"]
    student = Student(
        programme=world.institutions["programme_a"],
        first_name="Jens",
        last_name="Claes",
        email="jens@example.org",
        student_number="r42",
    )
    db.add(student)
    db.flush()
    actor = Actor(
        world.users["programme_coordinator_a"], world.memberships["programme_coordinator_a"]
    )
    with app.test_request_context():
        created = services.create_request(
            db,
            plugins_of(app),
            actor,
            services.RequestValues(
                student_id=student.id,
                school_id=offer.school_id,
                offer_id=offer.id,
                level_code="secondary",
                subject_id=offer.subject_id,
                attributes=dict(offer.attributes),
                period_start=dt.date.today() + dt.timedelta(30),
                period_end=dt.date.today() + dt.timedelta(50),
                kind="teaching",
            ),
        )
    db.commit()
    return created


def test_the_school_accepts_from_its_dashboard_and_the_mentor_sees_the_trainee(journey, app, db):
    page = journey.page
    # Given a request waiting for the school's answer
    world = build_world(db)
    created = _submitted_request(app, db, world)

    # When the coordinator signs in, she lands on her dashboard and accepts right there
    sign_in(journey, world.users["school_coordinator_a"].email)
    assert page.url.endswith("/dashboard")
    row = page.get_by_role("row").filter(has_text="Jens Claes")
    journey.click(row.get_by_role("button", name="Aanvaarden"))

    # Then the request is accepted within the click budget (login → accepted in ≤ 2 clicks)
    assert journey.clicks <= 2
    assert "Aanvaard" in page.locator(".flash").inner_text()
    db.rollback()
    db.expire_all()
    assert db.get(PlacementRequest, created.id).status == RequestStatus.ACCEPTED
    journey.screenshot("accepted")

    # When she assigns the mentor on the request page
    journey.go(f"/aanvragen/{created.id}")
    page.get_by_label("Mentor", exact=True).select_option(label=world.users["mentor_a"].name)
    journey.click(page.get_by_role("button", name="Mentor opslaan"))

    # Then the mentor sees the trainee and the dates on his dashboard
    mentor = journey.page.context.browser.new_context(locale="nl-BE").new_page()
    journey.page = mentor
    sign_in(journey, world.users["mentor_a"].email)
    assert "Jens Claes" in mentor.content()
    journey.screenshot("mentor")
    mentor.context.close()


def test_the_dashboard_works_at_phone_width_and_by_keyboard(phone_journey, app, db):
    journey, page = phone_journey, phone_journey.page
    # Given a request waiting for the school's answer, on a 390 px wide phone
    world = build_world(db)
    created = _submitted_request(app, db, world)
    sign_in(journey, world.users["school_coordinator_a"].email)

    # When the coordinator accepts with the keyboard only
    row = page.get_by_role("row").filter(has_text="Jens Claes")
    row.get_by_role("button", name="Aanvaarden").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    journey.check_accessibility()

    # Then the request is accepted and nothing on the page is wider than the screen
    db.rollback()
    db.expire_all()
    assert db.get(PlacementRequest, created.id).status == RequestStatus.ACCEPTED
    width = page.evaluate("document.documentElement.scrollWidth")
    widest = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
        " > 391).map(e => e.tagName + '.' + e.className).slice(0, 5)"
    )
    assert width <= 390 + 1, widest
    journey.screenshot("phone")
