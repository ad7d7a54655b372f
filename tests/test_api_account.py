"""The API of one's own account and the overview: notification choices, personal data,
helpdesk questions, the overview's counts and CSV, and a school's offers for an
administrator; the web's rules and messages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.access.policy import Actor
from core.helpdesk import services as helpdesk
from core.helpdesk.models import Ticket
from core.newsletters.services import is_subscribed
from core.notifications.models import DeliveryMode, NotificationKind
from core.notifications.services import preferences_of
from core.placements.models import RequestStatus
from tests.api_support import json_error as _error
from tests.factories import make_request

ALL_DIGEST = {kind.value: "digest" for kind in NotificationKind}


def _reread(db) -> None:
    """End the read snapshot and forget loaded rows: see what the requests committed."""
    db.rollback()
    db.expire_all()


# ---------------------------------------------------------------------- notifications


def test_notification_choices_are_read_and_stored(db, world, api_as):
    api = api_as("school_coordinator_a")
    assert api.get("/account/notifications").get_json() == {
        **{kind.value: "immediate" for kind in NotificationKind},
        "newsletters": True,
    }
    body = {**ALL_DIGEST, "message": "off", "newsletters": False}
    saved = api.put("/account/notifications", json=body)
    assert saved.status_code == 200 and saved.get_json() == body
    assert api.get("/account/notifications").get_json() == body
    _reread(db)
    user = world.users["school_coordinator_a"]
    assert preferences_of(db, user)[NotificationKind.MESSAGE] is DeliveryMode.OFF
    assert preferences_of(db, user)[NotificationKind.ANSWER] is DeliveryMode.DIGEST
    assert not is_subscribed(db, user)
    # Left out, the newsletter choice stays as it is.
    api.put("/account/notifications", json=ALL_DIGEST)
    assert api.get("/account/notifications").get_json()["newsletters"] is False


def test_notification_refusals_are_the_web_form_refusals(db, world, api_as, web_as):
    api = api_as("mentor_a")
    body = _error(api.put("/account/notifications", json={"answer": "soms"}), 422)
    assert body["errors"]["answer"] == ["Ongeldige keuze."]
    assert body["errors"]["new_request"] == ["Maak een keuze."]
    assert set(body["errors"]) == set(ALL_DIGEST)
    page = web_as("mentor_a").post("/account/meldingen", data={"answer": "soms"})
    assert "Ongeldige keuze." in page.get_data(as_text=True)
    assert "Maak een keuze." in page.get_data(as_text=True)
    english = api_as("mentor_a", language="en")
    body = _error(english.put("/account/notifications", json={**ALL_DIGEST, "message": None}), 422)
    assert body["errors"] == {"message": ["Make a choice."]}
    body = _error(api.put("/account/notifications", json={**ALL_DIGEST, "answer": 3}), 422)
    assert body["errors"] == {"answer": ["Ongeldige waarde."]}
    _reread(db)
    assert set(preferences_of(db, world.users["mentor_a"]).values()) == {DeliveryMode.IMMEDIATE}


def test_notification_choices_are_ones_own(db, world, api_as):
    api_as("mentor_a").put("/account/notifications", json=ALL_DIGEST)
    other = api_as("mentor_b").get("/account/notifications").get_json()
    assert {other[kind.value] for kind in NotificationKind} == {"immediate"}
    # A person whose institution still waits may choose too, as on the web page.
    waiting = api_as("pending_coordinator").put("/account/notifications", json=ALL_DIGEST)
    assert waiting.status_code == 200


def test_a_read_only_token_does_not_change_notification_choices(db, world, api_as):
    api = api_as("mentor_a", read_only=True)
    assert api.get("/account/notifications").status_code == 200
    body = _error(api.put("/account/notifications", json=ALL_DIGEST), 403)
    assert body["message"] == "Deze token mag alleen lezen."
    english = api_as("mentor_a", read_only=True, language="en")
    assert _error(english.put("/account/notifications", json=ALL_DIGEST), 403)["message"] == (
        "This token may only read."
    )


# ---------------------------------------------------------------------- personal data


def test_personal_data_is_the_web_download(world, api_as, web_as):
    for person in ("student_a", "school_coordinator_a", "admin"):
        data = api_as(person).get("/account/data")
        assert data.status_code == 200
        web = web_as(person).get("/account/mijn-gegevens.json")
        assert data.get_json() == web.get_json(), person
    student = api_as("student_a").get("/account/data").get_json()
    assert student["account"]["email"] == "student_a@example.org"
    assert student["student_records"][0]["requests"][0]["status"] == "accepted"


def test_personal_data_shows_nobody_else(world, api_as):
    text = api_as("student_b").get("/account/data").get_data(as_text=True)
    assert "student_a@example.org" not in text
    assert "School A" not in text and "Opleiding A" not in text
    assert "School B" in text


# --------------------------------------------------------------------------- helpdesk


def _question(**changes) -> dict:
    return {"category": "offer", "subject": "Aanbod kopiëren", "body": "Hoe?", **changes}


def test_a_question_is_asked_and_its_answer_read(app, db, world, api_as):
    api = api_as("school_coordinator_a")
    asked = api.post("/helpdesk/questions", json=_question(page="/mijn-aanbod"))
    assert asked.status_code == 201, asked.get_json()
    question = asked.get_json()
    assert question["kind"] == "question" and question["status"] == "new"
    assert question["page"] == "/mijn-aanbod" and question["answer"] is None
    _reread(db)
    ticket = db.get(Ticket, question["id"])
    assert ticket.role == "school_coordinator"
    assert ticket.institution_id == world.institutions["school_a"].id
    with app.test_request_context():
        helpdesk.answer_ticket(db, Actor(world.users["admin"]), ticket, "Met de knop Kopiëren.")
    db.commit()
    listed = api.get("/helpdesk/questions").get_json()
    assert listed["pagination"]["total"] == 1
    assert listed["items"][0]["answer"] == "Met de knop Kopiëren."
    one = api.get(f"/helpdesk/questions/{question['id']}").get_json()
    assert one["status"] == "answered" and one["answered_at"]


def test_question_refusals_are_the_web_form_refusals(db, world, api_as, web_as):
    api, web = api_as("mentor_a"), web_as("mentor_a")
    body = _error(api.post("/helpdesk/questions", json=_question(subject=None)), 422)
    assert body["errors"] == {"subject": ["Dit veld is verplicht."]}
    blank = _question(subject="   ")
    body = _error(api.post("/helpdesk/questions", json=blank), 422)
    assert body["errors"] == {"subject": ["Geef je vraag een korte titel."]}
    page = web.post("/hulp/nieuw", data={"kind": "question", **blank})
    assert "Geef je vraag een korte titel." in page.get_data(as_text=True)
    body = _error(api.post("/helpdesk/questions", json=_question(category="weer")), 422)
    assert body["errors"] == {"category": ["Ongeldige keuze."]}
    page = web.post("/hulp/nieuw", data={"kind": "question", **_question(category="weer")})
    assert "Ongeldige keuze." in page.get_data(as_text=True)
    too_long = _error(api.post("/helpdesk/questions", json=_question(subject="x" * 201)), 422)
    assert list(too_long["errors"]) == ["subject"]
    english = api_as("mentor_a", language="en")
    body = _error(english.post("/helpdesk/questions", json=_question(body="  ")), 422)
    assert body["errors"] == {"body": ["Write your question or feedback."]}
    body = _error(api.post("/helpdesk/questions", json=_question(kleur="rood")), 422)
    assert body["errors"] == {"kleur": ["Onbekend veld."]}
    _reread(db)
    assert db.scalar(select(Ticket)) is None


def test_control_characters_never_reach_the_database(db, world, api_as):
    api = api_as("mentor_a")
    body = _error(api.post("/helpdesk/questions", json=_question(body="a\x00b")), 400)
    assert "NUL" in body["message"] and "body" in body["errors"]
    _reread(db)
    assert db.scalar(select(Ticket)) is None


def test_questions_of_others_are_never_shown(db, world, api_as):
    mine = api_as("mentor_a").post("/helpdesk/questions", json=_question()).get_json()
    other = api_as("mentor_b")
    assert other.get("/helpdesk/questions").get_json()["items"] == []
    assert _error(other.get(f"/helpdesk/questions/{mine['id']}"), 404)
    assert _error(api_as("admin").get(f"/helpdesk/questions/{mine['id']}"), 404)


def test_a_read_only_token_asks_nothing(db, world, api_as):
    api = api_as("pending_coordinator", read_only=True)
    assert api.get("/helpdesk/questions").status_code == 200
    assert _error(api.post("/helpdesk/questions", json=_question()), 403)
    # With a token that may write, a person whose institution still waits may ask.
    assert (
        api_as("pending_coordinator").post("/helpdesk/questions", json=_question()).status_code
        == 201
    )


# --------------------------------------------------------------------------- overview


@pytest.fixture
def more_requests(db, world):
    """Besides the accepted request A: a submitted and a declined one of school A."""
    school, programme = world.institutions["school_a"], world.institutions["programme_a"]
    made = [
        make_request(db, status, school=school, programme=programme)
        for status in (RequestStatus.SUBMITTED, RequestStatus.DECLINED)
    ]
    db.commit()
    return made


def _counts(counts: list[dict]) -> dict[str, int]:
    return {count["value"]: count["count"] for count in counts}


def test_the_overview_counts_and_filters_as_the_web(db, world, api_as, more_requests):
    api = api_as("school_coordinator_a")
    overview = api.get("/requests/overview").get_json()
    statuses = _counts(overview["counts"]["statuses"])
    assert (statuses["accepted"], statuses["submitted"], statuses["declined"]) == (1, 1, 1)
    assert overview["counts"]["total"] == overview["pagination"]["total"] == 3
    declined = api.get("/requests/overview?status=declined").get_json()
    assert [item["id"] for item in declined["items"]] == [more_requests[1].id]
    assert _counts(declined["counts"]["statuses"])["submitted"] == 1  # other filters only
    assert declined["counts"]["statuses"][0]["label"] == "Concept"
    english = api_as("school_coordinator_a", language="en").get("/requests/overview").get_json()
    assert english["counts"]["statuses"][0]["label"] == "Draft"
    paged = api.get("/requests/overview?page=2&page_size=2").get_json()
    assert len(paged["items"]) == 1 and paged["pagination"]["pages"] == 2
    year = overview["counts"]["school_years"][0]["value"]
    subject = overview["counts"]["subjects"][0]["value"]
    filtered = api.get(f"/requests/overview?school_year={year}&subject_id={subject}").get_json()
    assert filtered["counts"]["total"] == len(filtered["items"]) > 0


def test_the_overview_shows_nothing_of_other_schools(world, api_as, more_requests):
    overview = api_as("school_coordinator_b").get("/requests/overview").get_json()
    assert [item["id"] for item in overview["items"]] == [world.requests["b"].id]
    assert overview["counts"]["total"] == 1
    csv = api_as("school_coordinator_b").get("/requests/overview.csv").get_data(as_text=True)
    assert "School B" in csv and "School A" not in csv


def test_the_overview_refuses_odd_filters(world, api_as):
    api = api_as("school_coordinator_a")
    body = _error(api.get("/requests/overview?school_year=2026"), 422)
    assert body["errors"] == {"school_year": ["Kies een schooljaar."]}
    english = api_as("school_coordinator_a", language="en")
    body = _error(english.get("/requests/overview?school_year=2026"), 422)
    assert body["errors"] == {"school_year": ["Choose a school year."]}
    assert _error(api.get("/requests/overview?status=later"), 422)["errors"]["status"]
    assert _error(api.get("/requests/overview?subject_id=0"), 422)["errors"]["subject_id"]
    assert _error(api_as("pending_coordinator").get("/requests/overview"), 403)


def test_the_overview_export_is_the_web_export(world, api_as, web_as, more_requests):
    for person, query in (
        ("school_coordinator_a", "?status=declined"),
        ("programme_coordinator_a", ""),
    ):
        exported = api_as(person).get(f"/requests/overview.csv{query}")
        assert exported.status_code == 200 and exported.mimetype == "text/csv"
        web = web_as(person).get(f"/overzicht.csv{query}")
        assert exported.get_data(as_text=True) == web.get_data(as_text=True)
        assert exported.headers["Content-Disposition"] == web.headers["Content-Disposition"]
    school_csv = api_as("school_coordinator_a").get("/requests/overview.csv").get_data(as_text=True)
    assert world.requests["a"].student.student_number not in school_csv


# ------------------------------------------------------------------ a school's offers


def test_an_administrator_reads_a_schools_offers_as_the_policy_allows(world, api_as):
    admin = api_as("admin")
    school = world.institutions["school_a"]
    offers = admin.get(
        f"/institutions/{school.id}/offers?school_year={world.offers['a'].school_year}"
    )
    assert offers.status_code == 200
    assert [item["id"] for item in offers.get_json()["items"]] == [world.offers["a"].id]
    assert _error(admin.get(f"/institutions/{world.institutions['programme_a'].id}/offers"), 404)
    assert _error(api_as("mentor_a").get(f"/institutions/{school.id}/offers"), 403)
    assert _error(api_as("school_coordinator_b").get(f"/institutions/{school.id}/offers"), 404)
