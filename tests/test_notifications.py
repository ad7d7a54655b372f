"""Notifications: who hears about each event, their choices (immediately, digest, off),
the daily digest, start reminders, and delivery through a real SMTP server."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from sqlalchemy import select

from core.access.policy import Actor
from core.accounts.models import Membership, Role, User
from core.database import utcnow
from core.mail.models import OutboxMessage
from core.mail.services import DeliveryReport, deliver_pending
from core.notifications.models import DeliveryMode, DigestItem, NotificationKind
from core.notifications.services import (
    DigestReport,
    local_date,
    notify_message_posted,
    notify_upcoming_starts,
    preference_of,
    preferences_of,
    send_digests,
    set_preferences,
)
from core.placements import services
from core.placements.models import RequestStatus, Student
from core.plugins.manager import plugins_of
from tests.test_accounts import post_form
from tests.test_mail import SmtpServer
from tests.world import captured_statements, queries_in, sign_in

S = RequestStatus
K = NotificationKind
D = DeliveryMode
#: Everyone of both sides in the world, to check who did *not* hear.
EVERYONE = [
    f"{role}_{side}"
    for side in "ab"
    for role in ("school_coordinator", "mentor", "programme_coordinator", "supervisor", "student")
]


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def actor(world, who: str) -> Actor:
    return Actor(world.users[who], world.memberships.get(who))


def emails(*who: str) -> list[str]:
    return sorted(f"{key}@example.org" for key in who)


def mailed(db, kind: str | None = None) -> list[str]:
    """Addresses of the queued notification mails (of one kind), sorted."""
    query = select(OutboxMessage.to_address).where(OutboxMessage.kind.like("notification_%"))
    if kind:
        query = query.where(OutboxMessage.kind == f"notification_{kind}")
    return sorted(db.scalars(query))


def mail_to(db, who: str) -> OutboxMessage:
    return db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.to_address == f"{who}@example.org")
        .order_by(OutboxMessage.id.desc())
    ).first()


def submit(app, db, world, side="a"):
    """A new request of programme ``side`` for school ``side`` (with supervisor and a
    student who has a login), submitted by the programme coordinator."""
    offer = world.offers[side]
    student = Student(
        programme=world.institutions[f"programme_{side}"],
        first_name="Jens",
        last_name="Claes",
        email="jens.claes@student.example.org",
        student_number=f"n{side}{offer.id}",
        user=world.users[f"student_{side}"],
    )
    db.add(student)
    db.flush()
    values = services.RequestValues(
        student_id=student.id,
        school_id=offer.school_id,
        offer_id=offer.id,
        level_code="secondary",
        subject_id=offer.subject_id,
        attributes=dict(offer.attributes),
        period_start=dt.date(2027, 3, 1),
        period_end=dt.date(2027, 3, 26),
        kind="teaching",
        supervisor_id=world.users[f"supervisor_{side}"].id,
    )
    with app.test_request_context():
        created = services.create_request(
            db, plugins_of(app), actor(world, f"programme_coordinator_{side}"), values
        )
    db.commit()
    return created


def move(app, db, world, request, to_status, who=None, reason=""):
    with app.test_request_context():
        services.transition(
            db, plugins_of(app), request, to_status, actor(world, who) if who else None, reason
        )
    db.commit()


def add_person(db, world, key, institution, role, active=True) -> User:
    user = User(email=f"{key}@example.org", name=key.title(), active=active)
    db.add_all(
        [user, Membership(user=user, institution=world.institutions[institution], role=role)]
    )
    db.commit()
    world.users[key] = user
    return user


# ------------------------------------------------------------------------ who hears


def test_a_new_request_reaches_the_active_coordinators_of_its_school_only(app, db, world):
    add_person(db, world, "second_coordinator_a", "school_a", Role.SCHOOL_COORDINATOR)
    add_person(db, world, "gone_a", "school_a", Role.SCHOOL_COORDINATOR, active=False)
    created = submit(app, db, world)

    assert mailed(db) == emails("school_coordinator_a", "second_coordinator_a")
    message = mail_to(db, "school_coordinator_a")
    assert message.subject == "Nieuwe stageaanvraag voor Jens Claes"
    assert "Hallo School Coordinator A," in message.body_text
    assert "Opleiding A vraagt School A een stageplaats voor Jens Claes" in message.body_text
    assert f"http://localhost/aanvragen/{created.id}" in message.body_text
    assert "http://localhost/account/meldingen" in message.body_text


@pytest.mark.parametrize(
    ("to_status", "who", "reason", "says"),
    [
        (S.ACCEPTED, "school_coordinator_a", "", "heeft de aanvraag voor Jens Claes aanvaard"),
        (S.DECLINED, "school_coordinator_a", "Geen mentor vrij", "Reden: Geen mentor vrij"),
        (S.EXPIRED, None, "", "niet op tijd geantwoord"),
    ],
)
def test_an_answer_reaches_the_programme_the_supervisor_and_the_student(
    app, db, world, to_status, who, reason, says
):
    created = submit(app, db, world)
    db.execute(OutboxMessage.__table__.delete())
    move(app, db, world, created, to_status, who, reason)

    assert mailed(db, "answer") == emails("programme_coordinator_a", "supervisor_a", "student_a")
    assert mailed(db) == mailed(db, "answer")  # nobody else, no school, nothing of side B
    assert says in mail_to(db, "supervisor_a").body_text


def test_a_withdrawal_reaches_the_school_coordinators(app, db, world):
    created = submit(app, db, world)
    db.execute(OutboxMessage.__table__.delete())
    move(app, db, world, created, S.WITHDRAWN, "programme_coordinator_a")

    assert mailed(db) == emails("school_coordinator_a")
    assert mail_to(db, "school_coordinator_a").subject == "Stageaanvraag ingetrokken: Jens Claes"


@pytest.mark.parametrize(
    ("who", "other_side"),
    [
        ("school_coordinator_a", "programme_coordinator_a"),
        ("programme_coordinator_a", "school_coordinator_a"),
    ],
)
def test_a_cancellation_reaches_the_other_side_the_supervisor_and_the_mentor(
    app, db, world, who, other_side
):
    move(app, db, world, world.requests["a"], S.CANCELLED, who, "Ziek")

    assert mailed(db, "cancellation") == emails(other_side, "supervisor_a", "mentor_a")
    assert mailed(db) == mailed(db, "cancellation")
    assert "Reden: Ziek" in mail_to(db, "mentor_a").body_text


@pytest.mark.parametrize(
    ("author", "hearers"),
    [
        ("school_coordinator_a", ("programme_coordinator_a", "supervisor_a")),
        ("mentor_a", ("programme_coordinator_a", "supervisor_a")),
        ("programme_coordinator_a", ("school_coordinator_a", "mentor_a")),
        ("supervisor_a", ("school_coordinator_a", "mentor_a")),
        ("admin", ("school_coordinator_a", "mentor_a", "programme_coordinator_a", "supervisor_a")),
    ],
)
def test_a_message_reaches_the_other_side_involved(app, db, world, author, hearers):
    request = world.requests["a"]
    with app.test_request_context():
        message = services.post_message(db, actor(world, author), request, "Wanneer start ze?")
        made = notify_message_posted(db, message)
    db.commit()

    assert made == len(hearers)
    assert mailed(db, "message") == emails(*hearers)
    assert mailed(db) == mailed(db, "message")
    text = mail_to(db, hearers[0]).body_text
    assert "Wanneer start ze?" in text and f"/aanvragen/{request.id}" in text


def test_the_author_of_a_message_never_hears_of_it(app, db, world):
    # The programme coordinator also coordinates the school and writes as the school.
    author = world.users["programme_coordinator_a"]
    membership = Membership(
        user=author, institution=world.institutions["school_a"], role=Role.SCHOOL_COORDINATOR
    )
    db.add(membership)
    db.commit()
    with app.test_request_context():
        message = services.post_message(db, Actor(author, membership), world.requests["a"], "Hoi")
        notify_message_posted(db, message)
    db.commit()

    assert mailed(db) == emails("supervisor_a")


def test_a_rolled_back_change_tells_nobody(app, db, world):
    set_preferences(db, world.users["supervisor_a"], {K.CANCELLATION: D.DIGEST})
    db.commit()
    request = world.requests["a"]
    with app.test_request_context():
        services.transition(
            db, plugins_of(app), request, S.CANCELLED, actor(world, "school_coordinator_a"), "x"
        )
        assert mailed(db) and db.scalars(select(DigestItem)).all()
        db.rollback()
        with pytest.raises(services.TransitionRefused):  # refused: no reason
            services.transition(
                db, plugins_of(app), request, S.CANCELLED, actor(world, "school_coordinator_a")
            )
        db.rollback()

    assert mailed(db) == [] and db.scalars(select(DigestItem)).all() == []


def test_mail_is_in_the_readers_language(app, db, world):
    world.users["programme_coordinator_a"].locale = "en"
    created = submit(app, db, world)
    move(app, db, world, created, S.DECLINED, "school_coordinator_a", "Geen plaats")

    english = mail_to(db, "programme_coordinator_a")
    assert english.subject == "Request declined: Jens Claes"
    assert english.body_text.startswith("Hello Programme Coordinator A,")
    assert "School A declined the request for Jens Claes" in english.body_text
    assert "Reason: Geen plaats" in english.body_text
    assert mail_to(db, "supervisor_a").subject == "Stageaanvraag geweigerd: Jens Claes"


# ---------------------------------------------------------------------- preferences


def test_preferences_default_to_immediately_and_can_be_changed(app, db, world):
    user = world.users["supervisor_a"]
    assert preference_of(db, user, K.MESSAGE) is D.IMMEDIATE
    set_preferences(db, user, {K.MESSAGE: D.DIGEST, "answer": "off"})
    set_preferences(db, user, {K.MESSAGE: D.OFF})
    db.commit()
    assert preferences_of(db, user) == {
        K.NEW_REQUEST: D.IMMEDIATE,
        K.ANSWER: D.OFF,
        K.CANCELLATION: D.IMMEDIATE,
        K.MESSAGE: D.OFF,
        K.UPCOMING_START: D.IMMEDIATE,
    }
    with pytest.raises(ValueError):
        set_preferences(db, user, {K.MESSAGE: "weekly"})


def test_immediately_digest_and_off_each_do_what_they_say(app, db, world):
    set_preferences(db, world.users["programme_coordinator_a"], {K.ANSWER: D.DIGEST})
    set_preferences(db, world.users["supervisor_a"], {K.ANSWER: D.OFF})
    created = submit(app, db, world)
    move(app, db, world, created, S.ACCEPTED, "school_coordinator_a")

    assert mailed(db, "answer") == emails("student_a")
    [item] = db.scalars(select(DigestItem)).all()
    assert (item.user_id, item.kind, item.request_id) == (
        world.users["programme_coordinator_a"].id,
        K.ANSWER,
        created.id,
    )
    assert "School A heeft de aanvraag voor Jens Claes aanvaard" in item.text
    assert item.digested_at is None


def test_the_preferences_page_shows_and_stores_the_choices(app, db, world):
    client = app.test_client()
    assert client.get("/account/meldingen").status_code == 302  # signed in only
    sign_in(client, world.users["mentor_a"], world.memberships["mentor_a"])
    assert "/account/meldingen" in client.get("/account").get_data(as_text=True)

    page = client.get("/account/meldingen").get_data(as_text=True)
    assert "Berichten" in page and "Eén keer per dag, in een overzicht" in page
    assert 'checked id="message-0"' in page  # immediately, the default
    choices = {kind.value: "immediate" for kind in NotificationKind}
    response = post_form(
        client, "/account/meldingen", **{**choices, "message": "digest", "answer": "off"}
    )
    assert response.status_code == 302
    db.rollback()  # end the read snapshot: see what others committed
    assert preferences_of(db, world.users["mentor_a"])[K.MESSAGE] is D.DIGEST
    assert preferences_of(db, world.users["mentor_a"])[K.ANSWER] is D.OFF
    page = client.get("/account/meldingen").get_data(as_text=True)
    assert "Je keuzes voor meldingen zijn bewaard." in page
    assert 'checked id="message-1"' in page and 'checked id="answer-2"' in page

    refused = post_form(client, "/account/meldingen", message="sometimes")
    assert refused.status_code == 200 and "Maak een keuze." in refused.get_data(as_text=True)
    no_token = client.post("/account/meldingen", data={**choices, "message": "off"})
    assert no_token.status_code == 400
    db.rollback()  # end the read snapshot: see what others committed
    assert preferences_of(db, world.users["mentor_a"])[K.MESSAGE] is D.DIGEST


# --------------------------------------------------------------------------- digest


def test_the_digest_groups_everything_in_one_mail_once_a_day(app, db, world, cli):
    coordinator = world.users["programme_coordinator_a"]
    set_preferences(db, coordinator, {kind: D.DIGEST for kind in NotificationKind})
    db.commit()
    created = submit(app, db, world)
    move(app, db, world, created, S.ACCEPTED, "school_coordinator_a")
    with app.test_request_context():
        for text in ("Eerste vraag", "Tweede vraag"):
            message = services.post_message(db, actor(world, "school_coordinator_a"), created, text)
            notify_message_posted(db, message)
    db.commit()
    assert mail_to(db, "programme_coordinator_a") is None
    assert len(db.scalars(select(DigestItem)).all()) == 3

    morning = dt.datetime(2027, 2, 10, 6, 0, tzinfo=dt.UTC)
    with app.test_request_context():
        assert send_digests(db, morning) == DigestReport(mails=1, items=3)
    db.commit()
    digest = mail_to(db, "programme_coordinator_a")
    text = digest.body_text
    assert digest.subject == "Je dagelijkse overzicht van Stagebank (10 feb 2027)"
    assert text.index("Antwoorden op aanvragen") < text.index("Berichten")
    assert "Eerste vraag" in text and "Tweede vraag" in text
    assert text.count(f"http://localhost/aanvragen/{created.id}") == 3
    assert all(item.digested_at for item in db.scalars(select(DigestItem)))

    # Later that day: a new item waits for tomorrow; the command sends nothing twice.
    with app.test_request_context():
        message = services.post_message(
            db, actor(world, "school_coordinator_a"), created, "Derde vraag"
        )
        notify_message_posted(db, message)
        assert send_digests(db, morning + dt.timedelta(hours=10)) == DigestReport()
    db.commit()
    assert mailed(db, "digest") == emails("programme_coordinator_a")

    app.config["BASE_URL"] = "https://stagebank.example.be"
    result = cli.invoke(args=["notifications", "digest"])
    assert result.exit_code == 0, result.output
    assert "Digests: 1 queued, covering 1 notification(s)." in result.output
    db.rollback()  # end the read snapshot: see what others committed
    latest = mail_to(db, "programme_coordinator_a")
    assert "Derde vraag" in latest.body_text and "Eerste vraag" not in latest.body_text
    assert f"https://stagebank.example.be/aanvragen/{created.id}" in latest.body_text
    assert cli.invoke(args=["notifications", "digest"]).output.startswith("Digests: 0 queued")


def test_digest_days_are_belgian_days():
    assert local_date(dt.datetime(2027, 6, 30, 22, 30, tzinfo=dt.UTC)) == dt.date(2027, 7, 1)
    assert local_date(dt.datetime(2027, 6, 30, 21, 30)) == dt.date(2027, 6, 30)


# ------------------------------------------------------------------- upcoming start


def test_upcoming_starts_are_told_once_to_everyone_involved(app, db, world, cli):
    today = local_date(utcnow())
    soon, later = world.requests["a"], world.requests["b"]
    soon.period_start, soon.period_end = today + dt.timedelta(days=3), today + dt.timedelta(days=30)
    later.period_start, later.period_end = (
        today + dt.timedelta(days=10),
        today + dt.timedelta(days=40),
    )
    set_preferences(db, world.users["mentor_a"], {K.UPCOMING_START: D.DIGEST})
    db.commit()
    app.config["BASE_URL"] = "https://stagebank.example.be"

    result = cli.invoke(args=["notifications", "upcoming"])
    assert result.exit_code == 0, result.output
    assert result.output == "Upcoming starts: 5 notification(s) queued or added to digests.\n"
    db.rollback()  # end the read snapshot: see what others committed
    assert mailed(db, "upcoming_start") == emails(
        "school_coordinator_a", "programme_coordinator_a", "supervisor_a", "student_a"
    )
    [item] = db.scalars(select(DigestItem)).all()
    assert item.user_id == world.users["mentor_a"].id
    message = mail_to(db, "student_a")
    assert message.subject.startswith("De stage van Lotte Peeters begint op ")
    assert f"https://stagebank.example.be/aanvragen/{soon.id}" in message.body_text

    # Run daily: nothing twice; a wider window reaches the later one.
    assert "0 notification(s)" in cli.invoke(args=["notifications", "upcoming"]).output
    with app.app_context():
        assert notify_upcoming_starts(db, today + dt.timedelta(days=1)) == 0
        assert notify_upcoming_starts(db, today, days=14) == 5
    db.commit()
    assert len(mailed(db, "upcoming_start")) == 9


def test_the_daily_upcoming_run_costs_the_same_statements_for_more_starts(app, db, world):
    """Rerun daily over every start of Flanders: the starts, their people and what was
    handed out before are read in a fixed number of statements, nothing per request."""
    from tests.factories import make_request

    today = local_date(utcnow())

    def add_starts(count: int, first: int) -> None:
        for n in range(first, first + count):
            request = make_request(
                db,
                RequestStatus.ACCEPTED,
                school=world.institutions["school_a"],
                programme=world.institutions["programme_a"],
            )
            request.student.student_number = f"u{n:07d}"
            request.student.email = f"start{n}@student.example.org"
            request.period_start = today + dt.timedelta(days=1 + n % 5)
            request.period_end = request.period_start + dt.timedelta(days=20)
        db.commit()

    def rerun() -> int:
        with app.app_context():
            assert notify_upcoming_starts(db, today) > 0  # the new starts, once
            db.commit()
            with captured_statements(app) as sent:
                assert notify_upcoming_starts(db, today) == 0  # the next day: nothing new
            db.rollback()
        return len(queries_in(sent))

    add_starts(1, 0)
    few = rerun()
    add_starts(6, 1)
    assert rerun() == few


# ---------------------------------------------------------------------- end to end


def test_a_new_request_arrives_by_smtp_in_dutch_with_its_link(app, db, world, smtp_server):
    created = submit(app, db, world)
    app.config["SMTP_URL"] = smtp_server.url

    assert deliver_pending(app) == DeliveryReport(sent=1)

    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["school_coordinator_a@example.org"]
    received = message_from_bytes(envelope.content, policy=default_policy)
    assert received["Subject"] == "Nieuwe stageaanvraag voor Jens Claes"
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Hallo School Coordinator A," in text
    assert f"Bekijk de aanvraag: http://localhost/aanvragen/{created.id}" in text
    assert deliver_pending(app) == DeliveryReport()
