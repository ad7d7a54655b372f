"""The helpdesk: asking from any page, one's own questions only, triage, answers in the
platform and by mail in the reader's language, and the FAQ administrators edit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.helpdesk.models import FaqEntry, Ticket, TicketCategory, TicketStatus
from core.mail.models import OutboxMessage
from tests.world import sign_in


def _reread(db) -> None:
    """End the read snapshot and forget loaded rows: see what the requests committed."""
    db.rollback()
    db.expire_all()


@pytest.fixture
def as_user(make_app, app, world):
    """A signed-in client of ``key`` on an app without CSRF (CSRF has its own tests)."""
    web = make_app(WTF_CSRF_ENABLED=False)

    def client_of(key: str | None):
        client = web.test_client()
        if key:
            sign_in(client, world.users[key], world.memberships.get(key))
        return client

    return client_of


def _ask(client, **data):
    fields = {"kind": "question", "category": "offer", "subject": "Aanbod kopiëren", "body": "Hoe?"}
    return client.post("/hulp/nieuw", data={**fields, **data})


def test_every_page_links_to_the_helpdesk_with_the_current_page(as_user):
    html = as_user("mentor_a").get("/dashboard").get_data(as_text=True)
    assert 'href="/hulp/nieuw?pagina=/dashboard"' in html
    assert "Vraag of feedback" in html
    assert "/hulp/nieuw" not in as_user(None).get("/").get_data(as_text=True)


def test_a_question_carries_the_page_and_the_role(as_user, db, world):
    client = as_user("school_coordinator_a")
    form = client.get("/hulp/nieuw?pagina=/mijn-aanbod").get_data(as_text=True)
    assert 'value="/mijn-aanbod"' in form
    response = _ask(client, page="/mijn-aanbod", subject="Aanbod\nkopiëren")
    assert response.status_code == 302
    ticket = db.scalar(select(Ticket))
    assert response.headers["Location"] == f"/hulp/{ticket.id}"
    assert (ticket.page, ticket.role, ticket.subject) == (
        "/mijn-aanbod",
        "school_coordinator",
        "Aanbod kopiëren",
    )
    assert ticket.institution_id == world.institutions["school_a"].id
    assert ticket.status is TicketStatus.NEW and ticket.category is TicketCategory.OFFER
    assert "Aanbod kopiëren" in client.get("/hulp").get_data(as_text=True)


def test_only_pages_of_this_site_are_kept(as_user, db):
    _ask(as_user("mentor_a"), page="https://elders.example/x")
    _ask(as_user("mentor_a"), page="//elders.example/x")
    assert set(db.scalars(select(Ticket.page))) == {""}


def test_a_waiting_coordinator_can_ask_too(as_user, db):
    assert _ask(as_user("pending_coordinator")).status_code == 302
    assert db.scalar(select(Ticket.role)) == "school_coordinator"


def test_an_empty_question_is_refused_with_the_field(as_user, db):
    html = _ask(as_user("mentor_a"), body="").get_data(as_text=True)
    assert "Dit veld is verplicht." in html
    assert db.scalar(select(Ticket)) is None


def test_people_see_only_their_own_questions(as_user, db):
    _ask(as_user("mentor_a"), subject="Van de mentor")
    ticket = db.scalar(select(Ticket))
    other = as_user("mentor_b")
    assert other.get(f"/hulp/{ticket.id}").status_code == 404
    assert "Van de mentor" not in other.get("/hulp").get_data(as_text=True)
    assert as_user("school_coordinator_a").get(f"/hulp/{ticket.id}").status_code == 404
    assert as_user("mentor_a").get(f"/hulp/{ticket.id}").status_code == 200


def test_administrators_triage_and_answer_in_the_askers_language(as_user, db, world):
    mentor = world.users["mentor_a"]
    mentor.locale = "en"
    db.commit()
    _ask(as_user("mentor_a"), subject="Wachtwoord vergeten", category="other")
    ticket = db.scalar(select(Ticket))
    admin = as_user("admin")
    listing = admin.get("/beheer/hulp?status=new").get_data(as_text=True)
    assert "Wachtwoord vergeten" in listing
    assert "Wachtwoord vergeten" not in admin.get("/beheer/hulp?categorie=offer").get_data(
        as_text=True
    )
    assert "Wachtwoord vergeten" in admin.get(f"/beheer/hulp/{ticket.id}").get_data(as_text=True)
    admin.post(
        f"/beheer/hulp/{ticket.id}/triage", data={"category": "account", "status": "in_progress"}
    )
    _reread(db)
    assert (ticket.category, ticket.status) == (TicketCategory.ACCOUNT, TicketStatus.IN_PROGRESS)

    admin.post(
        f"/beheer/hulp/{ticket.id}/antwoord", data={"answer": "Gebruik 'Wachtwoord vergeten'."}
    )
    _reread(db)
    assert (
        ticket.status is TicketStatus.ANSWERED and ticket.answered_by_id == world.users["admin"].id
    )
    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "helpdesk_answer"))
    assert mail.to_address == mentor.email
    assert mail.subject == "Answer to your question: Wachtwoord vergeten"
    assert "Gebruik 'Wachtwoord vergeten'." in mail.body_text
    assert f"/hulp/{ticket.id}" in mail.body_text
    shown = as_user("mentor_a").get(f"/hulp/{ticket.id}").get_data(as_text=True)
    assert "Gebruik &#39;Wachtwoord vergeten&#39;." in shown
    # A second answer is mailed too, once.
    admin.post(f"/beheer/hulp/{ticket.id}/antwoord", data={"answer": "Of vraag een beheerder."})
    _reread(db)
    assert len(db.scalars(select(OutboxMessage)).all()) == 2


def test_a_blank_answer_sends_nothing(as_user, db):
    _ask(as_user("mentor_a"))
    ticket = db.scalar(select(Ticket))
    as_user("admin").post(f"/beheer/hulp/{ticket.id}/antwoord", data={"answer": "  "})
    assert db.scalar(select(OutboxMessage)) is None


def test_others_cannot_reach_the_triage(as_user, db):
    _ask(as_user("mentor_a"))
    ticket = db.scalar(select(Ticket))
    coordinator = as_user("school_coordinator_a")
    assert coordinator.get("/beheer/hulp").status_code == 403
    response = coordinator.post(f"/beheer/hulp/{ticket.id}/antwoord", data={"answer": "x"})
    assert response.status_code == 403


def test_administrators_edit_the_public_faq(as_user, db):
    admin = as_user("admin")
    admin.post(
        "/beheer/hulp/faq",
        data={
            "question_nl": "Hoe kopieer ik mijn aanbod?",
            "answer_nl": "Met de knop 'Kopieer vorig jaar'.",
            "question_en": "How do I copy my offer?",
            "answer_en": "With the button 'Copy last year'.",
            "position": "10",
        },
    )
    admin.post("/beheer/hulp/faq", data={"question_nl": "Alleen Nederlands?", "answer_nl": "Ja."})
    public = as_user(None)
    html = public.get("/hulp/faq").get_data(as_text=True)
    assert html.index("Hoe kopieer ik mijn aanbod?") < html.index("Alleen Nederlands?")
    public.get("/taal/en")
    html = public.get("/hulp/faq").get_data(as_text=True)
    assert "How do I copy my offer?" in html and "Alleen Nederlands?" in html
    entry = db.scalar(select(FaqEntry).where(FaqEntry.position == 10))
    admin.post(
        f"/beheer/hulp/faq/{entry.id}",
        data={"question_nl": "Aanbod kopiëren?", "answer_nl": "Zo.", "position": "10"},
    )
    assert "Aanbod kopiëren?" in as_user(None).get("/hulp/faq").get_data(as_text=True)
    admin.post(f"/beheer/hulp/faq/{entry.id}/verwijderen")
    assert "Aanbod kopiëren?" not in as_user(None).get("/hulp/faq").get_data(as_text=True)
