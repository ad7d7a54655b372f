"""Accounts as people use them: sign-up and approval, login, throttling, resets,
invitations, switching roles, CSRF, personal data and retention."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import func, select

from core.accounts.models import AccountToken, LoginFailure, Membership, Role, User
from core.accounts.services import MAX_PER_ACCOUNT_AND_ADDRESS
from core.audit.models import AuditEntry
from core.database import utcnow
from core.institutions.models import Institution, RegistrationStatus
from core.mail.models import OutboxMessage
from core.placements.models import PlacementRequest, RequestStatus
from core.plugins.manager import plugins_of
from core.reports.sections import report_sections
from tests.world import PASSWORD, csrf, sign_in


def post_form(client, path: str, **data):
    return client.post(path, data={"csrf_token": csrf(client, path), **data})


def login(client, email: str, password: str = PASSWORD):
    return post_form(client, "/aanmelden", email=email, password=password)


def last_mail(db, to: str) -> OutboxMessage:
    db.rollback()  # end the read snapshot: see what other sessions committed
    db.expire_all()
    return db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.to_address == to)
        .order_by(OutboxMessage.id.desc())
    ).first()


def link_in(message: OutboxMessage) -> str:
    return re.search(r"http://localhost(/\S+)", message.body_text).group(1)


SIGN_UP = {
    "kind": "school",
    "institution_name": "Sint-Lodewijkscollege",
    "institution_number": "031112",
    "street": "Zandstraat 138",
    "postcode": "8200",
    "coordinator_name": "Els Vermeulen",
    "email": "els.vermeulen@example.org",
    "password": "Stage-plaats-2027",
}


def test_sign_up_waits_for_approval_and_then_works(client, db, world):
    response = post_form(client, "/registreren", **SIGN_UP)
    assert response.status_code == 302
    account = client.get("/account").get_data(as_text=True)
    assert "wacht op goedkeuring" in account
    assert client.get("/dashboard").status_code == 302  # may only wait

    institution = db.scalar(
        select(Institution).where(Institution.name == SIGN_UP["institution_name"])
    )
    assert (institution.status, institution.region_code) == ("pending", "west-vlaanderen")

    admin = client.application.test_client()
    sign_in(admin, world.users["admin"])
    page = admin.get("/beheer/aanmeldingen").get_data(as_text=True)
    assert "Sint-Lodewijkscollege" in page and "els.vermeulen@example.org" in page
    token = csrf(admin, "/beheer/aanmeldingen")
    refused = admin.post(
        f"/beheer/aanmeldingen/{institution.id}", data={"csrf_token": token, "decision": "reject"}
    )
    assert refused.status_code == 302
    assert "Geef een reden op." in admin.get("/beheer/aanmeldingen").get_data(as_text=True)
    admin.post(
        f"/beheer/aanmeldingen/{institution.id}", data={"csrf_token": token, "decision": "approve"}
    )
    db.rollback()  # end the read snapshot: see what other sessions committed
    db.expire_all()
    assert db.get(Institution, institution.id).status == RegistrationStatus.APPROVED
    assert client.get("/dashboard").status_code == 200
    assert "goedgekeurd" in last_mail(db, "els.vermeulen@example.org").subject
    events = set(db.scalars(select(AuditEntry.event)))
    assert {"institution_signed_up", "registration_approved"} <= events


def test_a_school_in_the_registry_is_claimed_not_duplicated(client, db, world):
    known = world.institutions["school_a"]
    known.status = RegistrationStatus.REGISTRY
    db.commit()
    post_form(client, "/registreren", **{**SIGN_UP, "institution_number": known.institution_number})
    db.rollback()  # end the read snapshot: see what other sessions committed
    db.expire_all()
    assert db.get(Institution, known.id).status == RegistrationStatus.PENDING
    assert (
        db.scalar(
            select(func.count())
            .select_from(Institution)
            .where(Institution.institution_number == known.institution_number)
        )
        == 1
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("password", "kort", "minstens 12 tekens"),
        ("password", "alleenletterszonderiets", "ook cijfers of leestekens"),
        ("postcode", "4000", "niet in Vlaanderen of Brussel"),
        ("postcode", "80", "Een postcode heeft 4 cijfers."),
        ("institution_number", "12", "Een instellingsnummer heeft 6 cijfers."),
        ("email", "geen-adres", "Vul een geldig e-mailadres in."),
        ("institution_name", "", "Dit veld is verplicht."),
    ],
)
def test_sign_up_explains_each_mistake_in_dutch_and_keeps_the_input(
    client, db, field, value, message
):
    response = post_form(client, "/registreren", **{**SIGN_UP, field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert 'aria-invalid="true"' in html
    assert "Sint-Lodewijkscollege" in html or field == "institution_name"
    assert db.scalar(select(func.count()).select_from(User)) == 0


def test_login_and_logout(client, world):
    response = login(client, "school_coordinator_a@example.org")
    assert response.status_code == 302
    assert "School A" in client.get("/dashboard").get_data(as_text=True)
    token = csrf(client, "/account")
    client.post("/afmelden", data={"csrf_token": token})
    assert client.get("/dashboard").status_code == 302


def test_bad_credentials_get_one_clear_message(client, world):
    for email, password in [
        ("school_coordinator_a@example.org", "wrong-password-1"),
        ("nobody@example.org", PASSWORD),
    ]:
        html = login(client, email, password).get_data(as_text=True)
        assert "Dit e-mailadres en wachtwoord horen niet bij elkaar." in html


def test_login_is_throttled_per_account_and_address_but_not_for_the_victim_elsewhere(
    client, app, db, world
):
    email = "school_coordinator_a@example.org"
    for _ in range(MAX_PER_ACCOUNT_AND_ADDRESS):
        login(client, email, "wrong-password-1")
    html = login(client, email, PASSWORD).get_data(as_text=True)
    assert "Te veel mislukte pogingen. Wacht 15 minuten" in html
    # The real owner, from another address, still gets in.
    other = app.test_client()
    csrf_token = csrf(other, "/aanmelden")
    response = other.post(
        "/aanmelden",
        data={"csrf_token": csrf_token, "email": email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert response.status_code == 302
    # And the lock ends with the window.
    db.execute(LoginFailure.__table__.update().values(at=utcnow() - dt.timedelta(minutes=16)))
    db.commit()
    assert login(client, email, PASSWORD).status_code == 302


def test_password_reset_by_emailed_single_use_link(client, db, world):
    email = "mentor_a@example.org"
    response = post_form(client, "/wachtwoord-vergeten", email=email)
    assert "Kijk in je mailbox" in response.get_data(as_text=True)
    link = link_in(last_mail(db, email))
    response = post_form(client, link, password="Nieuw-wachtwoord-2027")
    assert response.status_code == 302
    assert login(client, email, "Nieuw-wachtwoord-2027").status_code == 302
    reused = client.get(link)
    assert reused.status_code == 410
    assert "al gebruikt" in reused.get_data(as_text=True)


def test_password_reset_does_not_reveal_who_has_an_account(client, db, world):
    known = post_form(client, "/wachtwoord-vergeten", email="mentor_a@example.org")
    unknown = post_form(client, "/wachtwoord-vergeten", email="nobody@example.org")
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert last_mail(db, "nobody@example.org") is None


def test_expired_and_forged_reset_links_are_refused(client, db, world):
    post_form(client, "/wachtwoord-vergeten", email="mentor_a@example.org")
    link = link_in(last_mail(db, "mentor_a@example.org"))
    db.execute(AccountToken.__table__.update().values(expires_at=utcnow() - dt.timedelta(1)))
    db.commit()
    assert "verlopen" in client.get(link).get_data(as_text=True)
    assert client.get("/wachtwoord-herstellen/forged").status_code == 410
    response = client.post(
        "/wachtwoord-herstellen/forged",
        data={"csrf_token": csrf(client, "/aanmelden"), "password": "Nieuw-wachtwoord-2027"},
    )
    assert response.status_code == 410


def test_a_coordinator_invites_a_colleague_who_sets_their_own_password(client, app, db, world):
    coordinator = world.users["school_coordinator_a"]
    school = world.institutions["school_a"]
    sign_in(client, coordinator, world.memberships["school_coordinator_a"])
    path = f"/instelling/{school.id}/leden"
    response = post_form(client, path, email="nieuwe.mentor@example.org", role="mentor")
    assert response.status_code == 302
    invitation = last_mail(db, "nieuwe.mentor@example.org")
    assert "School A" in invitation.subject

    invitee = app.test_client()
    link = link_in(invitation)
    weak = post_form(invitee, link, name="Nieuwe Mentor", password="kort")
    assert "minstens 12 tekens" in weak.get_data(as_text=True)
    assert (
        post_form(invitee, link, name="Nieuwe Mentor", password="Mentor-wachtwoord-1").status_code
        == 302
    )
    db.rollback()
    user = db.scalar(select(User).where(User.email == "nieuwe.mentor@example.org"))
    assert [(m.institution_id, m.role) for m in user.memberships] == [(school.id, Role.MENTOR)]
    assert invitee.get("/dashboard").status_code == 200
    assert invitee.get(link).status_code == 410


def test_a_person_with_two_roles_switches_without_logging_out(client, db, world):
    user = world.users["mentor_a"]
    second = Membership(
        user=user, institution=world.institutions["programme_a"], role=Role.PROGRAMME_SUPERVISOR
    )
    db.add(second)
    db.commit()
    login(client, user.email)
    assert "Mentor" in client.get("/dashboard").get_data(as_text=True)
    token = csrf(client, "/account")
    client.post(f"/account/rol/{second.id}", data={"csrf_token": token})
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Stagebegeleider" in html and "Opleiding A" in html


def test_a_forged_csrf_token_is_refused_clearly_and_changes_nothing(client, db, world):
    response = client.post("/registreren", data={**SIGN_UP, "csrf_token": "forged"})
    assert response.status_code == 400
    assert "Dit formulier is verlopen of niet geldig." in response.get_data(as_text=True)
    assert (
        db.scalar(select(func.count()).select_from(User).where(User.email == SIGN_UP["email"])) == 0
    )


def test_session_cookie_is_httponly_and_samesite(client, world):
    response = login(client, "mentor_a@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_person_downloads_their_own_data(client, world):
    sign_in(client, world.users["student_a"], world.memberships["student_a"])
    response = client.get("/account/mijn-gegevens.json")
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "student_a@example.org"
    assert data["student_records"][0]["requests"][0]["school"] == "School A"
    assert "attachment" in response.headers["Content-Disposition"]


def test_anonymising_students_keeps_report_figures(app, db, world, cli):
    start, end = dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC)

    def figures():
        with app.app_context():
            return [(s.key, s.rows) for s in report_sections(db, plugins_of(app), start, end)]

    before = figures()
    result = cli.invoke(args=["gdpr", "anonymise-students", "--ended-before", "2030-01-01"])
    assert result.output == "2 student(s) anonymised.\n"
    db.rollback()  # end the read snapshot: see what other sessions committed
    db.expire_all()
    request_a = db.get(PlacementRequest, world.requests["a"].id)
    assert request_a.student.first_name == "Geanonimiseerd"
    assert request_a.student.user_id is None
    assert request_a.status == RequestStatus.ACCEPTED
    assert figures() == before
    again = cli.invoke(args=["gdpr", "anonymise-students", "--ended-before", "2030-01-01"])
    assert again.output == "0 student(s) anonymised.\n"


def test_retention_spares_students_with_recent_placements(db, world, cli):
    result = cli.invoke(
        args=["gdpr", "anonymise-students", "--ended-before", "2020-01-01", "--dry-run"]
    )
    assert result.output == "0 student(s) would be anonymised.\n"


def test_security_events_are_in_the_audit_log(client, db, world):
    login(client, "mentor_a@example.org", "wrong-password-1")
    login(client, "mentor_a@example.org")
    admin = client.application.test_client()
    sign_in(admin, world.users["admin"])
    html = admin.get("/beheer/audit").get_data(as_text=True)
    assert "login_failed" in html and "login" in html
