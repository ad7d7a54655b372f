"""Newsletters and reminders: segments, preview, sending once through the outbox, who
received it, and unsubscribing (by link and on the notifications page)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.access.policy import Actor
from core.accounts.models import Membership, Role, User
from core.mail.models import OutboxMessage
from core.newsletters.models import (
    Newsletter,
    NewsletterOptOut,
    NewsletterRecipient,
    NewsletterSchool,
    Segment,
)
from core.newsletters.services import NewsletterRefused, recipients, send_newsletter
from core.placements.models import RequestStatus
from core.placements.services import transition
from core.plugins.manager import plugins_of
from tests.factories import make_offer, make_request, make_school
from tests.world import build_world, sign_in

YEAR = "2026-2027"


def _reread(db) -> None:
    """End the read snapshot and forget loaded rows: see what the requests committed."""
    db.rollback()
    db.expire_all()


@pytest.fixture
def world(app, db):
    built = build_world(db)
    # Two schools in Limburg without an offer for YEAR; school A has one (build_world).
    for name in ("Limburg Een", "Limburg Twee"):
        school = make_school(db, region="limburg", name=name)
        key = name.lower().replace(" ", "_")
        user = User(email=f"{key}@example.org", name=name)
        db.add(Membership(user=user, institution=school, role=Role.SCHOOL_COORDINATOR))
        built.users[key] = user
        built.institutions[key] = school
    make_offer(db, built.institutions["limburg_twee"]).school_year = "2025-2026"
    db.commit()
    return built


@pytest.fixture
def as_user(make_app, app, world):
    web = make_app(WTF_CSRF_ENABLED=False)

    def client_of(key: str | None):
        client = web.test_client()
        if key:
            sign_in(client, world.users[key], world.memberships.get(key))
        return client

    return client_of


def _reminder(admin, **data):
    fields = {
        "subject": "Vergeet je stageaanbod niet",
        "body": "Publiceer je aanbod voor volgend schooljaar.",
        "segment": "without_offer",
        "school_year": YEAR,
        "region_code": "limburg",
    }
    response = admin.post("/beheer/nieuwsbrieven/nieuw", data={**fields, **data})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_a_reminder_goes_to_coordinators_of_schools_without_offer_in_a_province(as_user, db, world):
    admin = as_user("admin")
    newsletter_id = _reminder(admin)
    preview = admin.get(f"/beheer/nieuwsbrieven/{newsletter_id}").get_data(as_text=True)
    assert "2 personen krijgen deze nieuwsbrief." in preview
    assert "limburg_een@example.org" in preview and "limburg_twee@example.org" in preview
    assert "school_coordinator_a@example.org" not in preview  # another province
    everywhere = _reminder(admin, region_code="")
    found = {
        r.user.email for r in recipients(db, db.get(Newsletter, everywhere))
    }  # school B has an offer of 2026-2027 from build_world, school A too
    assert found == {"limburg_een@example.org", "limburg_twee@example.org"}


def test_the_other_segments(as_user, db, world):
    def emails(segment):
        newsletter = Newsletter(subject="x", body="x", segment=segment)
        return {r.user.email for r in recipients(db, newsletter)}

    assert emails(Segment.PROGRAMME_COORDINATORS) == {
        "programme_coordinator_a@example.org",
        "programme_coordinator_b@example.org",
    }
    schools = emails(Segment.SCHOOL_COORDINATORS)
    assert "pending_coordinator@example.org" not in schools  # their school is not approved
    assert {"school_coordinator_a@example.org", "limburg_een@example.org"} <= schools
    world.users["mentor_b"].active = False
    db.add(NewsletterOptOut(user_id=world.users["mentor_a"].id))
    db.flush()
    everyone = emails(Segment.EVERYONE)
    assert len(everyone) == db.scalar(select(func.count(User.id))) - 2
    assert "mentor_a@example.org" not in everyone and "mentor_b@example.org" not in everyone
    _reread(db)


def test_sending_queues_one_mail_per_person_once_and_shows_who_received_it(as_user, db, world):
    world.users["limburg_een"].locale = "en"
    db.commit()
    admin = as_user("admin")
    newsletter_id = _reminder(admin)
    unconfirmed = admin.post(f"/beheer/nieuwsbrieven/{newsletter_id}/versturen", data={})
    assert unconfirmed.status_code == 302
    assert db.scalar(select(func.count(OutboxMessage.id))) == 0
    admin.post(f"/beheer/nieuwsbrieven/{newsletter_id}/versturen", data={"confirm": "y"})
    again = admin.post(
        f"/beheer/nieuwsbrieven/{newsletter_id}/versturen",
        data={"confirm": "y"},
        follow_redirects=True,
    )
    assert "Deze nieuwsbrief is al verstuurd." in again.get_data(as_text=True)
    _reread(db)
    mails = db.scalars(select(OutboxMessage).order_by(OutboxMessage.to_address)).all()
    assert [m.to_address for m in mails] == ["limburg_een@example.org", "limburg_twee@example.org"]
    assert {m.kind for m in mails} == {"newsletter"}
    assert mails[0].dedup_key == (
        f"newsletter:{newsletter_id}:user:{world.users['limburg_een'].id}"
    )
    assert mails[0].subject == "Vergeet je stageaanbod niet"
    assert mails[0].body_text.startswith("Hello Limburg Een,")  # the frame in their language
    assert "/nieuwsbrief/uitschrijven/" in mails[1].body_text
    assert db.scalar(select(func.count()).select_from(NewsletterRecipient)) == 2
    assert set(db.scalars(select(NewsletterSchool.institution_id))) == {
        world.institutions["limburg_een"].id,
        world.institutions["limburg_twee"].id,
    }
    page = admin.get(f"/beheer/nieuwsbrieven/{newsletter_id}").get_data(as_text=True)
    assert "Ontvangen door" in page and "limburg_twee@example.org" in page
    newsletter = db.get(Newsletter, newsletter_id)
    with pytest.raises(NewsletterRefused):
        send_newsletter(db, Actor(world.users["admin"]), newsletter)
    edit = admin.get(f"/beheer/nieuwsbrieven/{newsletter_id}/bewerken")
    assert edit.status_code == 302  # a sent newsletter stays as it was


def test_a_reminder_needs_a_school_year(as_user, db):
    response = as_user("admin").post(
        "/beheer/nieuwsbrieven/nieuw",
        data={"subject": "x", "body": "x", "segment": "without_offer", "school_year": "morgen"},
    )
    assert response.status_code == 200
    assert db.scalar(select(Newsletter)) is None


def _unsubscribe_link(db) -> str:
    body = db.scalar(select(OutboxMessage.body_text).order_by(OutboxMessage.id))
    return re.search(r"http://[^/]+(/nieuwsbrief/uitschrijven/\S+)", body).group(1)


def test_the_link_in_a_newsletter_unsubscribes(as_user, db, world):
    admin = as_user("admin")
    newsletter_id = _reminder(admin, region_code="limburg")
    admin.post(f"/beheer/nieuwsbrieven/{newsletter_id}/versturen", data={"confirm": "y"})
    link = _unsubscribe_link(db)
    visitor = as_user(None)
    page = visitor.get(link).get_data(as_text=True)
    assert "limburg_een@example.org" in page or "limburg_twee@example.org" in page
    assert db.scalar(select(NewsletterOptOut)) is None  # opening the link changes nothing
    visitor.post(link)
    _reread(db)
    assert db.scalar(select(func.count()).select_from(NewsletterOptOut)) == 1
    assert visitor.get("/nieuwsbrief/uitschrijven/vervalst").status_code == 404
    later = _reminder(admin)
    preview = admin.get(f"/beheer/nieuwsbrieven/{later}").get_data(as_text=True)
    assert "1 persoon krijgt deze nieuwsbrief." in preview


def test_the_notifications_page_has_the_newsletter_checkbox(as_user, db, world):
    client = as_user("programme_coordinator_a")
    page = client.get("/account/meldingen").get_data(as_text=True)
    assert re.search(r'<input checked[^>]* name="subscribed" type="checkbox"', page)
    client.post("/account/nieuwsbrief", data={})
    _reread(db)
    user_id = world.users["programme_coordinator_a"].id
    assert db.get(NewsletterOptOut, user_id) is not None
    client.post("/account/nieuwsbrief", data={"subscribed": "y"})
    _reread(db)
    assert db.get(NewsletterOptOut, user_id) is None


def test_unsubscribed_people_still_hear_about_their_own_requests(app, db, world):
    coordinator = world.users["programme_coordinator_a"]
    db.add(NewsletterOptOut(user_id=coordinator.id))
    request = make_request(
        db,
        RequestStatus.SUBMITTED,
        school=world.institutions["school_a"],
        programme=world.institutions["programme_a"],
    )
    with app.test_request_context():
        actor = Actor(
            world.users["school_coordinator_a"], world.memberships["school_coordinator_a"]
        )
        transition(db, plugins_of(app), request, RequestStatus.ACCEPTED, actor)
    assert coordinator.email in set(db.scalars(select(OutboxMessage.to_address)))
    _reread(db)
