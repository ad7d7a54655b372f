"""Journey: a programme coordinator allocates the demo cohort, reviews the proposal, changes
one line and sends the proposal as requests."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select

from core.allocation.demo import add_wishes
from core.allocation.models import Proposal, ProposalStatus
from core.demo.generator import DEMO_PASSWORD, load_demo
from core.offers import school_years
from core.placements.models import PlacementRequest, RequestStatus
from tests.e2e.helpers import sign_in

THIS_YEAR = school_years.school_year_of(dt.date.today())


def test_a_programme_allocates_its_cohort_and_sends_it(journey, app, db):
    page = journey.page
    # Given the demo data, with wishes for the demo students
    load_demo(app, "small", seed=2017)
    add_wishes(db, random.Random(7))
    db.commit()
    before = db.scalar(
        select(func.count(PlacementRequest.id)).where(
            PlacementRequest.status == RequestStatus.SUBMITTED
        )
    )
    sign_in(journey, "opleiding@stagebank.example.org", DEMO_PASSWORD)

    # When the coordinator runs an allocation for this school year's second semester
    journey.clicks = 0
    journey.click(page.get_by_role("link", name="Toewijzing", exact=True))
    page.get_by_label("Schooljaar").select_option(THIS_YEAR)
    first, last = school_years.bounds(THIS_YEAR)
    page.get_by_label("Begindatum van de stage").fill(f"{last.year}-02-01")
    page.get_by_label("Einddatum van de stage").fill(f"{last.year}-05-31")
    journey.click(page.get_by_role("button", name="Toewijzing berekenen"))

    # Then she sees a proposal with the rule and a reason for every student
    assert "Voorstel" in page.content() and "De regel:" in page.content()
    journey.screenshot("proposal")
    rows = page.locator("tbody tr")
    assert rows.count() > 0

    # When she changes one line to "no place" and sends the proposal
    journey.click(page.get_by_role("link", name="Wijzigen").first)
    page.get_by_label("Geen plaats voorstellen").check()
    journey.click(page.get_by_role("button", name="Regel bewaren"))
    assert "is aangepast" in page.content()
    journey.click(page.get_by_role("button", name="Versturen als aanvragen"))

    # Then the requests are sent in one go, within a small click budget
    assert "aanvragen zijn verstuurd" in page.content()
    assert journey.clicks <= 6
    journey.screenshot("sent")
    db.rollback()
    proposal = db.scalar(select(Proposal).order_by(Proposal.id.desc()))
    assert proposal.status is ProposalStatus.SENT
    sent = [line for line in proposal.lines if line.request_id]
    after = db.scalar(
        select(func.count(PlacementRequest.id)).where(
            PlacementRequest.status == RequestStatus.SUBMITTED
        )
    )
    assert after - before == len(sent) > 0

    # And a student's wishes page, reached from the proposal, passes the same checks
    journey.click(page.get_by_role("link", name=sent[0].student.last_name).first)
    assert "Wensen van" in page.content()
