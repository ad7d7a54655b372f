"""Newsletter rules: segments, preview, sending through the mail outbox, unsubscribing.

A newsletter goes to active people who did not unsubscribe, once: its recipients are
queued with the dedup key ``newsletter:<id>:user:<id>`` and the newsletter is claimed
with a conditional UPDATE, so a double click (or two administrators at once) sends it
once. Unsubscribing stops newsletters and reminders only; messages about one's own
requests keep coming (they follow the notification preferences). Never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import Session

from core.access.policy import Action, Actor, require
from core.accounts.models import Membership, Role, User
from core.database import utcnow
from core.institutions.models import Institution, RegistrationStatus
from core.mail.services import queue_mail
from core.newsletters.models import (
    Newsletter,
    NewsletterOptOut,
    NewsletterRecipient,
    NewsletterSchool,
    Segment,
)
from core.notifications.services import external_url
from core.offers import school_years
from core.offers.services import schools_without_offer

TOKEN_SALT = "stagebank.newsletter.unsubscribe"


class NewsletterRefused(ValueError):
    """A refusal shown to the administrator, optionally tied to a form field."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Recipient:
    """A person a newsletter goes to, and the schools they get it for (reminders)."""

    user: User
    school_ids: tuple[int, ...] = ()


# ------------------------------------------------------------------------ writing


def save_newsletter(
    session: Session, actor: Actor, newsletter: Newsletter | None, values: dict
) -> Newsletter:
    """Write or change a newsletter that was not sent yet."""
    require(actor, Action.ADMINISTER)
    if newsletter is not None and newsletter.sent_at is not None:
        raise NewsletterRefused(_l("Deze nieuwsbrief is al verstuurd."))
    segment = Segment(values["segment"])
    school_year = (values.get("school_year") or "").strip() or None
    if segment is Segment.WITHOUT_OFFER and not school_years.is_school_year(school_year or ""):
        raise NewsletterRefused(
            _l("Kies het schooljaar waarvoor scholen nog geen aanbod hebben."), "school_year"
        )
    subject = " ".join((values.get("subject") or "").split())
    if not subject or not (values.get("body") or "").strip():
        raise NewsletterRefused(_l("Een onderwerp en een tekst zijn nodig."), "subject")
    if newsletter is None:
        newsletter = Newsletter(created_by=actor.user)
        session.add(newsletter)
    newsletter.subject = subject[:200]
    newsletter.body = values["body"].strip()
    newsletter.segment = segment
    without_offer = segment is Segment.WITHOUT_OFFER
    newsletter.school_year = school_year if without_offer else None
    newsletter.region_code = (values.get("region_code") or None) if without_offer else None
    session.flush()
    return newsletter


# --------------------------------------------------------------------- recipients


def _reachable(query):
    """Only active people who did not unsubscribe."""
    opted_out = exists().where(NewsletterOptOut.user_id == User.id)
    return query.where(User.active, ~opted_out)


def _coordinators(session: Session, role: Role) -> list[Recipient]:
    users = session.scalars(
        _reachable(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .join(Institution, Institution.id == Membership.institution_id)
            .where(Membership.role == role, Institution.status == RegistrationStatus.APPROVED)
            .distinct()
            .order_by(User.name, User.id)
        )
    )
    return [Recipient(user) for user in users]


def recipients(session: Session, newsletter: Newsletter) -> list[Recipient]:
    """Who ``newsletter`` goes to, by name; each person once."""
    segment = newsletter.segment
    if segment is Segment.SCHOOL_COORDINATORS:
        return _coordinators(session, Role.SCHOOL_COORDINATOR)
    if segment is Segment.PROGRAMME_COORDINATORS:
        return _coordinators(session, Role.PROGRAMME_COORDINATOR)
    if segment is Segment.EVERYONE:
        users = session.scalars(_reachable(select(User).order_by(User.name, User.id)))
        return [Recipient(user) for user in users]
    schools = [
        school.id
        for school in schools_without_offer(session, newsletter.school_year)
        if newsletter.region_code in (None, school.region_code)
    ]
    found: dict[int, tuple[User, list[int]]] = {}
    rows = session.execute(
        _reachable(
            select(User, Membership.institution_id)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.role == Role.SCHOOL_COORDINATOR,
                Membership.institution_id.in_(schools),
            )
            .order_by(User.name, User.id, Membership.institution_id)
        )
    )
    for user, school_id in rows:
        found.setdefault(user.id, (user, []))[1].append(school_id)
    return [Recipient(user, tuple(ids)) for user, ids in found.values()]


# ------------------------------------------------------------------------ sending


def send_newsletter(session: Session, actor: Actor, newsletter: Newsletter) -> int:
    """Queue the newsletter for every recipient and record who got it; return how many.

    Claims the newsletter first (only an unsent one), so it is sent once however often
    the button is pressed.
    """
    require(actor, Action.ADMINISTER)
    claimed = session.execute(
        update(Newsletter)
        .where(Newsletter.id == newsletter.id, Newsletter.sent_at.is_(None))
        .values(sent_at=utcnow(), sent_by_id=actor.user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise NewsletterRefused(_l("Deze nieuwsbrief is al verstuurd."))
    session.refresh(newsletter)
    sent = 0
    schools: set[int] = set()
    for recipient in recipients(session, newsletter):
        user = recipient.user
        message = queue_mail(
            session,
            user.email,
            newsletter.subject,
            _newsletter_body(newsletter, user),
            kind="newsletter",
            dedup_key=f"newsletter:{newsletter.id}:user:{user.id}",
        )
        if message is None:
            continue
        session.add(
            NewsletterRecipient(
                newsletter_id=newsletter.id,
                user_id=user.id,
                email=user.email,
                outbox_message_id=message.id,
            )
        )
        schools.update(recipient.school_ids)
        sent += 1
    session.add_all(
        NewsletterSchool(newsletter_id=newsletter.id, institution_id=school_id)
        for school_id in sorted(schools)
    )
    session.flush()
    return sent


def _newsletter_body(newsletter: Newsletter, user: User) -> str:
    """The text as written, framed in the reader's language with the unsubscribe link."""
    with force_locale(user.locale):
        return "\n\n".join(
            [
                _("Hallo %(name)s,", name=user.name),
                newsletter.body,
                "-- ",
                _(
                    "Je krijgt deze nieuwsbrief van Stagebank. Geen nieuwsbrieven meer? "
                    "Schrijf je uit: %(link)s",
                    link=external_url("newsletters.unsubscribe", token=unsubscribe_token(user)),
                ),
                _("Berichten over je eigen stageaanvragen blijven komen."),
            ]
        )


def received_by(session: Session, newsletter: Newsletter) -> list[NewsletterRecipient]:
    """Who a sent newsletter was queued for, with the state of each mail."""
    return list(
        session.scalars(
            select(NewsletterRecipient)
            .where(NewsletterRecipient.newsletter_id == newsletter.id)
            .join(NewsletterRecipient.user)
            .order_by(User.name, User.id)
        )
    )


def reminded_schools(session: Session, school_year: str, before: datetime) -> dict[int, datetime]:
    """Schools that received a reminder (a ``without_offer`` newsletter) for
    ``school_year`` sent before ``before``: school id → the last one's moment."""
    rows = session.execute(
        select(NewsletterSchool.institution_id, func.max(Newsletter.sent_at))
        .join(Newsletter, Newsletter.id == NewsletterSchool.newsletter_id)
        .where(
            and_(
                Newsletter.segment == Segment.WITHOUT_OFFER,
                Newsletter.school_year == school_year,
                Newsletter.sent_at < before,
            )
        )
        .group_by(NewsletterSchool.institution_id)
    )
    return dict(rows.all())


# -------------------------------------------------------------------- unsubscribing


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=TOKEN_SALT)


def unsubscribe_token(user: User) -> str:
    """A signed token naming ``user``, for the link in every newsletter (no expiry)."""
    return _serializer().dumps(user.id)


def user_of_token(session: Session, token: str) -> User | None:
    """The person an unsubscribe token names, or None for a wrong or forged one."""
    try:
        user_id = _serializer().loads(token)
    except BadSignature:
        return None
    return session.get(User, user_id) if isinstance(user_id, int) else None


def is_subscribed(session: Session, user: User) -> bool:
    return session.get(NewsletterOptOut, user.id) is None


def set_subscribed(session: Session, user: User, subscribed: bool) -> None:
    """Subscribe ``user`` to newsletters again, or unsubscribe them."""
    row = session.get(NewsletterOptOut, user.id)
    if subscribed and row is not None:
        session.delete(row)
    elif not subscribed and row is None:
        session.add(NewsletterOptOut(user_id=user.id))
    session.flush()
