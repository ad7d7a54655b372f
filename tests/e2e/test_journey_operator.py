"""Journeys of the operator: the spring report with its charts, and a helpdesk question
that goes round trip."""

from __future__ import annotations

from sqlalchemy import select

from core.mail.models import OutboxMessage
from tests.e2e.helpers import sign_in
from tests.world import build_world


def test_the_spring_report_renders_with_charts(journey, db):
    page = journey.page
    # Given a platform with requests in several states
    world = build_world(db)
    db.commit()

    # When the administrator opens the reports and picks the spring report
    sign_in(journey, world.users["admin"].email)
    journey.go("/beheer/rapporten")
    journey.click(page.get_by_role("link", name="Voorjaarsrapport").first)

    # Then the figures show as tables with charts drawn by the app itself
    assert page.locator("svg[role=img]").count() >= 1
    assert page.locator("table").count() >= 1
    journey.screenshot("spring-report")


def test_a_helpdesk_question_goes_round_trip(journey, db):
    page = journey.page
    # Given a school coordinator on her offer page
    world = build_world(db)
    db.commit()
    sign_in(journey, world.users["school_coordinator_a"].email)
    journey.go("/mijn-aanbod")

    # When she asks a question from that page
    journey.click(page.get_by_role("link", name="Vraag of feedback"))
    page.get_by_label("Korte titel").fill("Hoe kopieer ik mijn aanbod?")
    page.get_by_label("Je vraag of feedback").fill("Ik vind de knop niet voor vorig jaar.")
    journey.click(page.get_by_role("button", name="Versturen"))

    # And the administrator answers it
    admin = page.context.browser.new_context(locale="nl-BE").new_page()
    journey.page = admin
    sign_in(journey, world.users["admin"].email)
    journey.go("/beheer/hulp")
    journey.click(admin.get_by_role("link", name="Hoe kopieer ik mijn aanbod?"))
    admin.get_by_label("Antwoord", exact=True).fill(
        "Op je dashboard staat de knop 'Vorig schooljaar overnemen'."
    )
    journey.click(admin.get_by_role("button", name="Antwoord versturen"))
    admin.context.close()

    # Then she sees the answer in the platform and gets it by mail
    journey.page = page
    journey.go("/hulp")
    journey.click(page.get_by_role("link", name="Hoe kopieer ik mijn aanbod?"))
    assert "Vorig schooljaar overnemen" in page.content()
    journey.screenshot("answered")
    db.rollback()
    mail = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.to_address == world.users["school_coordinator_a"].email
        )
    ).all()
    assert any("Vorig schooljaar overnemen" in m.body_text for m in mail)
