"""The admin console: its index, people and roles, merging duplicate institutions, the
mail outbox."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.access.policy import Actor
from core.accounts.models import Membership, Role, User
from core.admin.services import AdminRefused, merge_institutions
from core.api.models import ApiToken
from core.audit.models import AuditEntry
from core.institutions.models import Campus, Institution, RegistrationStatus
from core.mail.models import MailStatus, OutboxMessage
from core.offers.models import HostingAnswer, HostingStatus, Offer
from core.placements.models import PlacementRequest, RequestStatus, Student
from tests.api_support import issue_token
from tests.factories import make_offer, make_programme, make_request, make_school
from tests.world import sign_in


def _reread(db) -> None:
    """End the read snapshot and forget loaded rows: see what the requests committed."""
    db.rollback()
    db.expire_all()


@pytest.fixture
def as_user(make_app, app, world):
    web = make_app(WTF_CSRF_ENABLED=False)

    def client_of(key: str | None):
        client = web.test_client()
        if key:
            sign_in(client, world.users[key], world.memberships.get(key))
        return client

    return client_of


def _audit(db, event: str) -> list[AuditEntry]:
    return db.scalars(select(AuditEntry).where(AuditEntry.event == event)).all()


def test_the_console_links_every_admin_page(as_user):
    html = as_user("admin").get("/beheer/").get_data(as_text=True)
    for path in (
        "/beheer/aanmeldingen",
        "/beheer/gebruikers",
        "/beheer/instellingen/samenvoegen",
        "/beheer/uitgaande-mail",
        "/beheer/audit",
        "/beheer/plugins",
        "/beheer/rapporten",
        "/beheer/hulp",
        "/beheer/nieuwsbrieven",
        "/beheer/bruggen",  # the bridges area's page, linked because it exists
    ):
        assert f'href="{path}' in html, path
    assert as_user("school_coordinator_a").get("/beheer/").status_code == 403


# ----------------------------------------------------------------------------- people


def test_administrators_find_people_by_name_or_address(as_user):
    admin = as_user("admin")
    html = admin.get("/beheer/gebruikers?q=MENTOR").get_data(as_text=True)
    assert "mentor_a@example.org" in html and "mentor_b@example.org" in html
    assert "student_a@example.org" not in html
    assert "2 gebruikers." in html


def test_deactivating_and_reactivating_an_account_is_audited(as_user, db, world):
    admin, mentor = as_user("admin"), world.users["mentor_a"]
    mentor_client = as_user("mentor_a")
    assert mentor_client.get("/dashboard").status_code == 200
    admin.post(f"/beheer/gebruikers/{mentor.id}/actief", data={"active": "0"})
    _reread(db)
    assert db.get(User, mentor.id).active is False
    assert mentor_client.get("/dashboard").status_code == 302  # signed out
    admin.post(f"/beheer/gebruikers/{mentor.id}/actief", data={"active": "1"})
    _reread(db)
    assert db.get(User, mentor.id).active is True
    assert [e.target_id for e in _audit(db, "user_deactivated")] == [mentor.id]
    assert len(_audit(db, "user_reactivated")) == 1
    assert admin.post(f"/beheer/gebruikers/{mentor.id}/actief", data={}).status_code == 400


def test_administrators_cannot_deactivate_themselves(as_user, db, world):
    admin = world.users["admin"]
    page = as_user("admin").post(
        f"/beheer/gebruikers/{admin.id}/actief", data={"active": "0"}, follow_redirects=True
    )
    assert "Je kunt je eigen account niet deactiveren." in page.get_data(as_text=True)
    _reread(db)
    assert db.get(User, admin.id).active


def test_granting_and_revoking_a_role_is_audited(as_user, db, world):
    admin, student = as_user("admin"), world.users["student_a"]
    school_b = world.institutions["school_b"]
    admin.post(
        f"/beheer/gebruikers/{student.id}/rollen",
        data={"institution": school_b.institution_number, "role": "mentor"},
    )
    _reread(db)
    granted = db.scalar(
        select(Membership).where(
            Membership.user_id == student.id, Membership.institution_id == school_b.id
        )
    )
    assert granted.role is Role.MENTOR
    entry = _audit(db, "role_granted")[0]
    assert entry.target_id == student.id
    assert entry.details == {
        "institution": str(school_b.id),
        "role": "mentor",
        "membership": str(granted.id),
    }
    refused = admin.post(
        f"/beheer/gebruikers/{student.id}/rollen",
        data={"institution": f"#{school_b.id}", "role": "programme_coordinator"},
        follow_redirects=True,
    )
    assert "Deze rol past niet bij dit soort instelling." in refused.get_data(as_text=True)
    twice = admin.post(
        f"/beheer/gebruikers/{student.id}/rollen",
        data={"institution": str(school_b.id), "role": "mentor"},
        follow_redirects=True,
    )
    assert "Deze persoon heeft die rol al in die instelling." in twice.get_data(as_text=True)
    granted_id = granted.id
    admin.post(f"/beheer/gebruikers/{student.id}/rollen/intrekken", data={"membership": granted_id})
    _reread(db)
    assert db.get(Membership, granted_id) is None
    assert _audit(db, "role_revoked")[0].details["role"] == "mentor"
    # Someone else's membership cannot be revoked through this person's page.
    foreign = world.memberships["mentor_b"]
    response = admin.post(
        f"/beheer/gebruikers/{student.id}/rollen/intrekken", data={"membership": foreign.id}
    )
    assert response.status_code == 400


# ---------------------------------------------------------------------------- merging


def test_merging_moves_everything_onto_the_kept_school(as_user, db, world):
    kept = world.institutions["school_a"]
    duplicate = make_school(db, region="limburg", name="School A (dubbel)")
    kept_number, duplicate_number = kept.institution_number, duplicate.institution_number
    kept.institution_number = None
    kept.network_code = None
    coordinator = world.users["school_coordinator_a"]
    twin = Membership(user=coordinator, institution=duplicate, role=Role.SCHOOL_COORDINATOR)
    newcomer = User(email="nieuw@example.org", name="Nieuw")
    db.add_all([twin, Membership(user=newcomer, institution=duplicate, role=Role.MENTOR)])
    offer = make_offer(db, duplicate)
    request = make_request(db, RequestStatus.ACCEPTED, school=duplicate)
    db.add_all(
        [
            HostingStatus(
                school=kept, school_year="2026-2027", answer=HostingAnswer.YES, accepted_count=1
            ),
            HostingStatus(
                school=duplicate,
                school_year="2026-2027",
                answer=HostingAnswer.YES,
                capacity=4,
                accepted_count=2,
            ),
            HostingStatus(school=duplicate, school_year="2027-2028", answer=HostingAnswer.MAYBE),
        ]
    )
    db.commit()
    # An API token of the coordinator acting for the duplicate.
    issue_token(db, world, "school_coordinator_a")
    token = db.scalar(select(ApiToken))
    token.membership_id = twin.id
    db.commit()

    duplicate_id, twin_id = duplicate.id, twin.id
    response = as_user("admin").post(
        "/beheer/instellingen/samenvoegen",
        data={"duplicate": duplicate_number, "kept": f"#{kept.id}", "confirm": "y"},
    )
    assert response.status_code == 302
    _reread(db)
    assert db.get(Institution, duplicate_id) is None and db.get(Membership, twin_id) is None
    kept = db.get(Institution, kept.id)
    assert kept.institution_number == duplicate_number != kept_number
    assert kept.network_code == "GO"
    assert [c.is_main for c in kept.campuses] == [True, False]
    assert db.scalar(select(func.count(Campus.id)).where(Campus.institution_id == kept.id)) == 2
    assert db.get(Offer, offer.id).school_id == kept.id
    assert db.get(PlacementRequest, request.id).school_id == kept.id
    roles = db.scalars(select(Membership).where(Membership.institution_id == kept.id)).all()
    people = sorted((m.user.email, m.role.value) for m in roles)
    assert ("nieuw@example.org", "mentor") in people
    assert people.count(("school_coordinator_a@example.org", "school_coordinator")) == 1
    assert db.get(ApiToken, token.id).membership_id == world.memberships["school_coordinator_a"].id
    hosting = {
        h.school_year: h
        for h in db.scalars(select(HostingStatus).where(HostingStatus.school_id == kept.id))
    }
    assert hosting["2026-2027"].accepted_count == 3 and hosting["2026-2027"].capacity == 4
    assert hosting["2027-2028"].answer is HostingAnswer.MAYBE
    entry = _audit(db, "institutions_merged")[0]
    assert entry.target_id == kept.id and entry.details["duplicate"] == str(duplicate_id)
    assert "offers.school_id=1" in entry.details["moved"]
    assert "placement_requests.school_id=1" in entry.details["moved"]


def test_a_school_is_never_merged_into_a_programme(as_user, db, world):
    school, programme = world.institutions["school_b"], world.institutions["programme_b"]
    page = as_user("admin").post(
        "/beheer/instellingen/samenvoegen",
        data={"duplicate": str(school.id), "kept": str(programme.id), "confirm": "y"},
    )
    assert "Een school en een lerarenopleiding kunnen niet samengevoegd worden." in page.get_data(
        as_text=True
    )
    _reread(db)
    assert db.get(Institution, school.id) is not None
    with pytest.raises(AdminRefused):
        merge_institutions(db, Actor(world.users["admin"]), school, school)
    unconfirmed = as_user("admin").post(
        "/beheer/instellingen/samenvoegen",
        data={"duplicate": str(school.id), "kept": str(world.institutions["school_a"].id)},
    )
    assert "Vink aan dat je dit wilt." in unconfirmed.get_data(as_text=True)
    _reread(db)
    assert db.get(Institution, school.id) is not None


def test_the_merge_page_finds_institutions(as_user, world):
    pending = world.institutions["pending"]
    html = (
        as_user("admin").get("/beheer/instellingen/samenvoegen?q=afwachting").get_data(as_text=True)
    )
    assert f"#{pending.id}" in html and "School in afwachting" in html
    assert RegistrationStatus.PENDING.value in html


# ---------------------------------------------------------------------------- outbox


def test_the_outbox_shows_status_attempts_and_last_error(as_user, db):
    db.add_all(
        [
            OutboxMessage(
                to_address="a@example.org",
                subject="Welkom",
                body_text="x",
                kind="welcome",
                status=MailStatus.SENT,
                attempts=1,
            ),
            OutboxMessage(
                to_address="b@example.org",
                subject="Antwoord",
                body_text="x",
                kind="helpdesk_answer",
                status=MailStatus.FAILED,
                attempts=8,
                last_error="550 mailbox unavailable",
            ),
        ]
    )
    db.commit()
    admin = as_user("admin")
    html = admin.get("/beheer/uitgaande-mail").get_data(as_text=True)
    assert "a@example.org" in html and "550 mailbox unavailable" in html
    assert "Mislukt" in html and ">8<" in html
    failed = admin.get("/beheer/uitgaande-mail?status=failed").get_data(as_text=True)
    assert "b@example.org" in failed and "a@example.org" not in failed
    assert as_user("mentor_a").get("/beheer/uitgaande-mail").status_code == 403


def test_merging_programmes_moves_their_students_with_their_requests(app, db, world):
    kept, duplicate = world.institutions["programme_a"], make_programme(db, name="Dubbel")
    request = make_request(db, RequestStatus.SUBMITTED, programme=duplicate)
    db.flush()
    with app.test_request_context():
        result = merge_institutions(db, Actor(world.users["admin"]), duplicate, kept)
    assert result.moved["students.programme_id"] == 1
    moved = db.get(PlacementRequest, request.id)
    assert moved.programme_id == kept.id
    assert db.get(Student, moved.student_id).programme_id == kept.id
    _reread(db)
