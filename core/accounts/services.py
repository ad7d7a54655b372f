"""Account rules: sign-up and approval, login with throttling, resets, invitations, GDPR."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.access.policy import INVITABLE_ROLES, Action, Actor, Denied, can, require
from core.accounts.models import (
    AccountToken,
    LoginFailure,
    Membership,
    Role,
    TokenPurpose,
    User,
)
from core.accounts.passwords import password_problems
from core.accounts.tokens import find_token, issue_token, use_token
from core.audit.services import record
from core.database import utcnow
from core.institutions.models import Campus, Institution, InstitutionKind, RegistrationStatus
from core.reference.models import Postcode

THROTTLE_WINDOW = timedelta(minutes=15)
#: Failures allowed within the window: for one account from one address, from one address
#: over all accounts, and for one account over all addresses. The per-pair limit is the
#: tight one, so someone guessing a victim's password from their own address locks only
#: themselves out; every lock ends when the window passes.
MAX_PER_ACCOUNT_AND_ADDRESS = 5
MAX_PER_ADDRESS = 20
MAX_PER_ACCOUNT = 50


class AccountError(ValueError):
    """A refusal whose message is shown to the user, optionally tied to a form field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# ---------------------------------------------------------------------------- sign-up


@dataclass(frozen=True)
class SignUp:
    kind: InstitutionKind
    institution_name: str
    institution_number: str
    street: str
    postcode: str
    coordinator_name: str
    email: str
    password: str
    organisation: str = ""


def sign_up(session: Session, data: SignUp) -> User:
    """Register an institution and its coordinator; both wait for an administrator.

    A school already in the official registry (same instellingsnummer) is claimed rather
    than duplicated.
    """
    email = normalise_email(data.email)
    if session.scalar(select(User.id).where(User.email == email)):
        raise AccountError(_l("Er bestaat al een account met dit e-mailadres."), "email")
    if problems := password_problems(data.password, email):
        raise AccountError(" ".join(problems), "password")
    postcode = session.scalars(select(Postcode).where(Postcode.postcode == data.postcode)).first()
    if postcode is None:
        raise AccountError(_l("Deze postcode ligt niet in Vlaanderen of Brussel."), "postcode")
    institution = None
    if data.institution_number:
        institution = session.scalar(
            select(Institution).where(Institution.institution_number == data.institution_number)
        )
    if institution is not None and institution.status != RegistrationStatus.REGISTRY:
        raise AccountError(
            _l("Deze instelling is al aangemeld. Vraag de coördinator om een uitnodiging."),
            "institution_number",
        )
    if institution is None:
        institution = Institution(
            kind=data.kind,
            name=data.institution_name.strip(),
            institution_number=data.institution_number or None,
            organisation=data.organisation.strip() or None,
        )
        institution.campuses.append(
            Campus(
                name=data.institution_name.strip(),
                street=data.street.strip(),
                postcode=postcode.postcode,
                municipality_refnis=postcode.municipality_refnis,
                is_main=True,
            )
        )
        session.add(institution)
    institution.region_code = postcode.municipality.region_code
    institution.status = RegistrationStatus.PENDING
    user = User(email=email, name=data.coordinator_name.strip())
    user.set_password(data.password)
    coordinator_role = (
        Role.SCHOOL_COORDINATOR
        if institution.kind == InstitutionKind.SCHOOL
        else Role.PROGRAMME_COORDINATOR
    )
    user.memberships.append(Membership(institution=institution, role=coordinator_role))
    session.add(user)
    session.flush()
    record(session, "institution_signed_up", user, institution)
    return user


def decide_registration(
    session: Session, actor: Actor, institution: Institution, approve: bool, reason: str = ""
) -> None:
    """An administrator approves or rejects a pending institution."""
    require(actor, Action.ADMINISTER)
    if institution.status != RegistrationStatus.PENDING:
        raise AccountError(_l("Deze aanmelding werd al behandeld."))
    if not approve and not reason.strip():
        raise AccountError(_l("Geef een reden op."), "reason")
    institution.status = RegistrationStatus.APPROVED if approve else RegistrationStatus.REJECTED
    record(
        session,
        "registration_approved" if approve else "registration_rejected",
        actor.user,
        institution,
        reason=reason.strip(),
    )


# ------------------------------------------------------------------------------ login


def _recent_failures(session: Session, **match) -> int:
    since = utcnow() - THROTTLE_WINDOW
    query = select(func.count(LoginFailure.id)).where(LoginFailure.at >= since)
    for column, value in match.items():
        query = query.where(getattr(LoginFailure, column) == value)
    return session.scalar(query)


def authenticate(session: Session, email: str, password: str, address: str) -> User:
    """The user for these credentials, or :class:`AccountError` (wrong or throttled).

    Failures are recorded; the caller commits in both cases.
    """
    email = normalise_email(email)
    if (
        _recent_failures(session, email=email, address=address) >= MAX_PER_ACCOUNT_AND_ADDRESS
        or _recent_failures(session, address=address) >= MAX_PER_ADDRESS
        or _recent_failures(session, email=email) >= MAX_PER_ACCOUNT
    ):
        record(session, "login_throttled", target=None, email=email)
        raise AccountError(
            _l(
                "Te veel mislukte pogingen. Wacht %(minutes)d minuten of stel je wachtwoord "
                "opnieuw in.",
                minutes=int(THROTTLE_WINDOW.total_seconds() // 60),
            )
        )
    user = session.scalar(select(User).where(User.email == email))
    if user is None or not user.active or not user.check_password(password):
        session.add(LoginFailure(email=email, address=address))
        record(session, "login_failed", user, email=email)
        raise AccountError(_l("Dit e-mailadres en wachtwoord horen niet bij elkaar."))
    session.execute(
        delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.address == address)
    )
    record(session, "login", user)
    return user


# ----------------------------------------------------------------- password reset


def start_password_reset(session: Session, email: str) -> tuple[User, str] | None:
    """A reset token for an existing account, or None; callers answer the same either way
    so the form does not reveal who has an account."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        return None
    raw = issue_token(session, TokenPurpose.PASSWORD_RESET, user.email, user_id=user.id)
    record(session, "password_reset_requested", user)
    return user, raw


def check_reset_link(session: Session, raw_token: str) -> None:
    """Raise :class:`TokenInvalid` when a reset link can no longer be used."""
    find_token(session, raw_token, TokenPurpose.PASSWORD_RESET)


def reset_password(session: Session, raw_token: str, password: str) -> User:
    """Set a new password with a reset token; the token is used up."""
    token = find_token(session, raw_token, TokenPurpose.PASSWORD_RESET)
    user = token.user
    if problems := password_problems(password, user.email):
        raise AccountError(" ".join(problems), "password")
    user.set_password(password)
    use_token(token)
    session.execute(delete(LoginFailure).where(LoginFailure.email == user.email))
    record(session, "password_reset", user)
    return user


# --------------------------------------------------------------------- invitations


def institution_members(
    session: Session, actor: Actor, institution_id: int
) -> tuple[Institution, list[Membership], bool]:
    """An institution's members for its own people, and whether the actor may invite."""
    institution = session.get(Institution, institution_id)
    if institution is None:
        raise Denied()
    require(actor, Action.VIEW_INSTITUTION_ADMIN, institution)
    members = session.scalars(
        select(Membership)
        .where(Membership.institution_id == institution.id)
        .order_by(Membership.role, Membership.id)
    ).all()
    return institution, list(members), can(actor, Action.MANAGE_MEMBERS, institution)


def invite(session: Session, actor: Actor, institution: Institution, email: str, role: Role) -> str:
    """A coordinator invites a colleague; returns the raw invitation token."""
    require(actor, Action.MANAGE_MEMBERS, institution)
    if role not in INVITABLE_ROLES[institution.kind]:
        raise AccountError(_l("Deze rol bestaat niet voor deze instelling."), "role")
    email = normalise_email(email)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise AccountError(_l("Vul een geldig e-mailadres in."), "email") from error
    existing = session.scalar(select(User).where(User.email == email))
    if existing and any(
        m.institution_id == institution.id and m.role == role for m in existing.memberships
    ):
        raise AccountError(_l("Deze persoon heeft die rol al in deze instelling."), "email")
    raw = issue_token(
        session,
        TokenPurpose.INVITATION,
        email,
        institution_id=institution.id,
        role=role,
        created_by_id=actor.user.id,
    )
    record(session, "member_invited", actor.user, institution, email=email, role=role.value)
    return raw


def check_invitation_link(session: Session, raw_token: str) -> AccountToken:
    """The invitation behind a link, or :class:`TokenInvalid`."""
    return find_token(session, raw_token, TokenPurpose.INVITATION)


def has_account(session: Session, email: str) -> bool:
    return session.scalar(select(User.id).where(User.email == normalise_email(email))) is not None


def accept_invitation(
    session: Session,
    raw_token: str,
    name: str = "",
    password: str = "",
    signed_in: User | None = None,
) -> User:
    """Join the institution of an invitation, creating the account when it is new."""
    token = find_token(session, raw_token, TokenPurpose.INVITATION)
    user = signed_in or session.scalar(select(User).where(User.email == token.email))
    if signed_in is not None and signed_in.email != token.email:
        raise AccountError(_l("Deze uitnodiging is voor een ander e-mailadres."))
    if user is None:
        if problems := password_problems(password, token.email):
            raise AccountError(" ".join(problems), "password")
        if not name.strip():
            raise AccountError(_l("Vul je naam in."), "name")
        user = User(email=token.email, name=name.strip())
        user.set_password(password)
        session.add(user)
    elif signed_in is None:
        raise AccountError(_l("Je hebt al een account: meld je eerst aan."))
    user.memberships.append(Membership(institution_id=token.institution_id, role=token.role))
    use_token(token)
    session.flush()
    record(session, "role_granted", user, token.institution, role=token.role.value)
    return user


# -------------------------------------------------------------------------- GDPR


def personal_data(session: Session, user: User) -> dict:
    """Everything Stagebank holds about ``user`` as a person, for download."""
    from core.placements.models import PlacementRequest, Student

    students = session.scalars(select(Student).where(Student.user_id == user.id)).all()
    return {
        "account": {
            "email": user.email,
            "name": user.name,
            "created_at": user.created_at.isoformat(),
            "language": user.locale,
        },
        "memberships": [
            {"institution": m.institution.name, "role": m.role.value} for m in user.memberships
        ],
        "student_records": [
            {
                "programme": s.programme.name,
                "name": s.full_name,
                "email": s.email,
                "student_number": s.student_number,
                "home_postcode": s.home_postcode,
                "requests": [
                    {
                        "school": r.school.name,
                        "status": r.status.value,
                        "period": [r.period_start.isoformat(), r.period_end.isoformat()],
                    }
                    for r in session.scalars(
                        select(PlacementRequest).where(PlacementRequest.student_id == s.id)
                    )
                ],
            }
            for s in students
        ],
    }
