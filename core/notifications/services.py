"""Notifications: who hears about what, and how (immediately, in a daily digest, or not).

A notification goes to active people only, never to the person who caused it. Each one has
a dedup key per (event, message or reminder, recipient); immediate mail goes through
``queue_mail`` and digest items into ``digest_items``, both in the caller's transaction, so
a rolled-back change tells nobody and nothing is ever sent twice. Texts are Dutch msgids
rendered in the reader's language (``User.locale``). Within :func:`notifications_batched`
(many requests at once) each person gets one mail per kind for the whole batch.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from core.access.policy import COORDINATORS
from core.accounts.models import Membership, Role, User
from core.institutions.models import Institution, InstitutionKind
from core.mail.models import OutboxMessage
from core.mail.services import _dialect_insert, queue_mail
from core.notifications.models import (
    KIND_LABELS,
    DeliveryMode,
    DigestItem,
    NotificationKind,
    NotificationPreference,
)
from core.placements.models import (
    PlacementRequest,
    RequestEvent,
    RequestMessage,
    RequestStatus,
    Student,
)

K = NotificationKind
S = RequestStatus
#: Digests are per calendar day in Belgium; reminders count days there too.
TIMEZONE = ZoneInfo("Europe/Brussels")
UPCOMING_DAYS = 7
#: ``session.info`` key of the open :func:`notifications_batched` block.
BATCH = "stagebank.notifications_batch"
#: Rows per INSERT (digest items when a batch ends), and ids or keys per IN list.
INSERT_CHUNK = 500

# ------------------------------------------------------------------------- preferences


def preference_of(session: Session, user: User, kind: NotificationKind) -> DeliveryMode:
    """How ``user`` wants to hear about ``kind`` (immediately when they never chose)."""
    batch = session.info.get(BATCH)
    if batch is not None:
        if user.id not in batch.preferences:
            batch.preferences[user.id] = preferences_of(session, user)
        return batch.preferences[user.id][NotificationKind(kind)]
    row = session.get(NotificationPreference, (user.id, NotificationKind(kind)))
    return row.mode if row is not None else DeliveryMode.IMMEDIATE


def preferences_of(session: Session, user: User) -> dict[NotificationKind, DeliveryMode]:
    """``user``'s choice for every kind, defaults included."""
    chosen = {
        row.kind: row.mode
        for row in session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    return {kind: chosen.get(kind, DeliveryMode.IMMEDIATE) for kind in NotificationKind}


def set_preferences(
    session: Session, user: User, choices: Mapping[NotificationKind | str, DeliveryMode | str]
) -> None:
    """Store ``user``'s choice per kind; kinds not named keep theirs."""
    for kind, mode in choices.items():
        kind, mode = NotificationKind(kind), DeliveryMode(mode)
        row = session.get(NotificationPreference, (user.id, kind))
        if row is None:
            session.add(NotificationPreference(user_id=user.id, kind=kind, mode=mode))
        else:
            row.mode = mode
    session.flush()


# ------------------------------------------------------------------------------ links


def external_url(endpoint: str, **values) -> str:
    """An absolute address for a mail, also outside a web request (scheduled jobs, CLI):
    there from ``SERVER_NAME`` or else ``BASE_URL`` (``STAGEBANK_BASE_URL``)."""
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=True, **values)
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def request_url(request_id: int) -> str:
    return external_url("placements.request_page", request_id=request_id)


def local_date(moment: datetime) -> date:
    """The calendar day in Belgium at ``moment`` (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TIMEZONE).date()


# ------------------------------------------------------------------------- recipients


def _coordinator_role(institution: Institution) -> Role:
    """The stage coordinators' role in a school or in a programme."""
    if institution.kind == InstitutionKind.SCHOOL:
        return Role.SCHOOL_COORDINATOR
    return Role.PROGRAMME_COORDINATOR


def coordinators_of(session: Session, institution: Institution) -> list[User]:
    """The stage coordinators of a school or programme."""
    batch = session.info.get(BATCH)
    if batch is not None and institution.id in batch.coordinators:
        return list(batch.coordinators[institution.id])
    role = _coordinator_role(institution)
    found = list(
        session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.institution_id == institution.id, Membership.role == role)
            .order_by(User.id)
        )
    )
    if batch is not None:
        batch.coordinators[institution.id] = list(found)
    return found


def coordinators_by_institution(
    session: Session, institutions: Iterable[Institution]
) -> dict[int, list[User]]:
    """:func:`coordinators_of` many schools and programmes at once, by institution id."""
    roles = {institution.id: _coordinator_role(institution) for institution in institutions}
    found: dict[int, list[User]] = {}
    ids = list(roles)
    for start in range(0, len(ids), INSERT_CHUNK):
        for institution_id, role, user in session.execute(
            select(Membership.institution_id, Membership.role, User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.institution_id.in_(ids[start : start + INSERT_CHUNK]))
            .order_by(User.id)
        ):
            if role == roles[institution_id]:
                found.setdefault(institution_id, []).append(user)
    return found


def _other_sides(request: PlacementRequest, acting: set[int | None]) -> list[Institution]:
    """The institutions of ``request`` that did not act (both when that is unclear)."""
    sides = [request.school, request.programme]
    others = [side for side in sides if side.id not in acting]
    return others if len(others) == 1 else sides


def _side_people(session: Session, request: PlacementRequest, side: Institution) -> list:
    """A side's coordinators and its person on the request (mentor or supervisor)."""
    own = request.mentor if side.id == request.school_id else request.supervisor
    return [*coordinators_of(session, side), own]


def _status_recipients(session: Session, request: PlacementRequest, event: RequestEvent):
    """Who a status change concerns: a new or withdrawn request the school's coordinators;
    an answer the programme's coordinators, the supervisor and the student; a cancellation
    the other side's coordinators, the supervisor and the mentor."""
    to_status = RequestStatus(event.to_status)
    if to_status in (S.SUBMITTED, S.WITHDRAWN):
        return coordinators_of(session, request.school)
    if to_status in (S.ACCEPTED, S.DECLINED, S.EXPIRED):
        student_user = request.student.user
        return [*coordinators_of(session, request.programme), request.supervisor, student_user]
    acting = {
        m.institution_id
        for m in (event.actor.memberships if event.actor else ())
        if m.role in COORDINATORS
    }
    others = _other_sides(request, acting)
    return [
        *(user for side in others for user in coordinators_of(session, side)),
        request.supervisor,
        request.mentor,
    ]


def _reachable(people: Iterable[User | None], skip: int | None) -> list[User]:
    """Active people, each once, without ``skip`` (who caused the notification)."""
    seen: dict[int, User] = {}
    for user in people:
        if user is not None and user.active and user.id != skip:
            seen.setdefault(user.id, user)
    return list(seen.values())


# ----------------------------------------------------------------------------- notices


@dataclass(frozen=True)
class Notice:
    """One thing to tell about a request. ``subject``, ``summary`` and ``detail`` are
    Dutch msgids formatted with the request's facts plus ``facts``; ``quote`` is shown
    as written (a message body)."""

    kind: NotificationKind
    request: PlacementRequest
    key: str  # what happened: "event:12", "message:7", "upcoming:3:2027-02-01"
    subject: str
    summary: str
    detail: str | None = None
    quote: str | None = None
    facts: Mapping[str, str] = field(default_factory=dict)

    def render(self, locale: str) -> tuple[str, str]:
        """(subject, text) in the current locale; call under ``force_locale``."""
        request = self.request
        facts = {
            "student": request.student.full_name,
            "school": request.school.name,
            "programme": request.programme.name,
            "subject": request.subject.name_in(locale),
            "start": format_date(request.period_start),
            "end": format_date(request.period_end),
            **self.facts,
        }
        parts = [str(self.summary) % facts]
        if self.detail:
            parts.append(str(self.detail) % facts)
        if self.quote:
            parts.append(self.quote)
        return str(self.subject) % facts, "\n\n".join(parts)


#: Status changes that concern someone: (kind, subject, summary).
STATUS_NOTICES = {
    S.SUBMITTED: (
        K.NEW_REQUEST,
        _l("Nieuwe stageaanvraag voor %(student)s"),
        _l(
            "%(programme)s vraagt %(school)s een stageplaats voor %(student)s: %(subject)s, "
            "van %(start)s tot %(end)s."
        ),
    ),
    S.ACCEPTED: (
        K.ANSWER,
        _l("Stageaanvraag aanvaard: %(student)s"),
        _l(
            "%(school)s heeft de aanvraag voor %(student)s aanvaard: %(subject)s, "
            "van %(start)s tot %(end)s."
        ),
    ),
    S.DECLINED: (
        K.ANSWER,
        _l("Stageaanvraag geweigerd: %(student)s"),
        _l(
            "%(school)s heeft de aanvraag voor %(student)s geweigerd (%(subject)s, "
            "van %(start)s tot %(end)s)."
        ),
    ),
    S.EXPIRED: (
        K.ANSWER,
        _l("Stageaanvraag verlopen: %(student)s"),
        _l(
            "%(school)s heeft niet op tijd geantwoord op de aanvraag voor %(student)s "
            "(%(subject)s, van %(start)s tot %(end)s). De aanvraag is verlopen."
        ),
    ),
    S.WITHDRAWN: (
        K.CANCELLATION,
        _l("Stageaanvraag ingetrokken: %(student)s"),
        _l(
            "%(programme)s heeft de aanvraag voor %(student)s ingetrokken (%(subject)s, "
            "van %(start)s tot %(end)s)."
        ),
    ),
    S.CANCELLED: (
        K.CANCELLATION,
        _l("Stage geannuleerd: %(student)s"),
        _l(
            "De stage van %(student)s bij %(school)s werd geannuleerd (%(subject)s, "
            "van %(start)s tot %(end)s)."
        ),
    ),
}
REASON = _l("Reden: %(reason)s")


def notify_status_changed(
    session: Session, placement_request: PlacementRequest, event: RequestEvent
) -> int:
    """Tell the people a status change concerns; return how many notifications it made."""
    template = STATUS_NOTICES.get(RequestStatus(event.to_status))
    if template is None or event.from_status is None:
        return 0
    kind, subject, summary = template
    notice = Notice(
        kind,
        placement_request,
        f"event:{event.id}",
        subject,
        summary,
        detail=REASON if event.reason else None,
        facts={"reason": event.reason},
    )
    people = _status_recipients(session, placement_request, event)
    return _notify(session, notice, people, skip=event.actor_id)


def notify_message_posted(session: Session, message: RequestMessage) -> int:
    """Tell the other side of the thread (its coordinators and its mentor or supervisor)
    about a new message; never its author. Call after ``post_message``."""
    request = session.get(PlacementRequest, message.request_id)
    people = [
        user
        for side in _other_sides(request, {message.institution_id})
        for user in _side_people(session, request, side)
    ]
    notice = Notice(
        K.MESSAGE,
        request,
        f"message:{message.id}",
        _l("Nieuw bericht over de stage van %(student)s"),
        _l("%(author)s schreef een bericht over de aanvraag voor %(student)s bij %(school)s:"),
        quote=message.body,
        facts={"author": message.author.name if message.author else "Stagebank"},
    )
    return _notify(session, notice, people, skip=message.author_id)


def notify_upcoming_starts(session: Session, today: date, days: int = UPCOMING_DAYS) -> int:
    """Remind everyone involved of accepted internships starting within ``days`` days: once
    per request and start date, however often it runs. Returns how many it made now.

    It runs every day over the starts of all Flanders: the requests and their people are
    read in a few statements, and reminders handed out on an earlier day are left out
    before anything is looked up or written for them."""
    starting = session.scalars(
        select(PlacementRequest)
        .where(
            PlacementRequest.status == S.ACCEPTED,
            PlacementRequest.period_start >= today,
            PlacementRequest.period_start <= today + timedelta(days=days),
        )
        .order_by(PlacementRequest.period_start, PlacementRequest.id)
        .options(
            selectinload(PlacementRequest.mentor),
            selectinload(PlacementRequest.supervisor),
            selectinload(PlacementRequest.student).selectinload(Student.user),
            selectinload(PlacementRequest.school),
            selectinload(PlacementRequest.programme),
        )
    ).all()
    coordinators = coordinators_by_institution(
        session, {i for r in starting for i in (r.school, r.programme)}
    )
    reminders = []
    for request in starting:
        notice = Notice(
            K.UPCOMING_START,
            request,
            f"upcoming:{request.id}:{request.period_start.isoformat()}",
            _l("De stage van %(student)s begint op %(start)s"),
            _l(
                "De stage van %(student)s bij %(school)s begint op %(start)s en loopt tot "
                "%(end)s (%(subject)s)."
            ),
        )
        people = [
            request.mentor,
            request.supervisor,
            request.student.user,
            *coordinators.get(request.school_id, []),
            *coordinators.get(request.programme_id, []),
        ]
        reminders.append((notice, people))
    keys = [_dedup_key(n, user) for n, people in reminders for user in _reachable(people, None)]
    handed_out = already_handed_out(session, keys)
    return sum(_notify(session, n, people, handed_out=handed_out) for n, people in reminders)


def _dedup_key(notice: Notice, user: User) -> str:
    """What names ``notice`` for ``user`` in the outbox and the digest items."""
    return f"notify:{notice.key}:user:{user.id}"


def already_handed_out(session: Session, keys: list[str]) -> set[str]:
    """Those of ``keys`` (see :func:`_dedup_key`) queued as mail or kept for a digest."""
    found: set[str] = set()
    for start in range(0, len(keys), INSERT_CHUNK):
        chunk = keys[start : start + INSERT_CHUNK]
        for model in (OutboxMessage, DigestItem):
            found.update(session.scalars(select(model.dedup_key).where(model.dedup_key.in_(chunk))))
    return found


def _notify(
    session: Session,
    notice: Notice,
    people,
    skip: int | None = None,
    handed_out: Collection[str] = (),
) -> int:
    """Hand ``notice`` to each reachable person as they chose; return how many mails were
    queued or digest items kept (duplicates of earlier ones are not counted; those known
    to be ``handed_out`` are not even tried)."""
    made = 0
    batch = session.info.get(BATCH)
    for user in _reachable(people, skip):
        dedup_key = _dedup_key(notice, user)
        if dedup_key in handed_out:
            continue
        mode = preference_of(session, user, notice.kind)
        if mode is DeliveryMode.OFF:
            continue
        if batch is not None:
            batch.keep(user, mode, notice, dedup_key)
            made += 1
            continue
        with force_locale(user.locale):
            subject, text = notice.render(user.locale)
            if mode is DeliveryMode.DIGEST:
                made += _keep_for_digest(session, user, notice, dedup_key, text)
                continue
            body = _mail_body(
                user, [text, _("Bekijk de aanvraag: %(link)s", link=request_url(notice.request.id))]
            )
            queued = queue_mail(
                session,
                user.email,
                subject,
                body,
                kind=f"notification_{notice.kind.value}",
                dedup_key=dedup_key,
            )
            made += queued is not None
    return made


def _link_line(request_id: int) -> str:
    return _("Bekijk de aanvraag: %(link)s", link=request_url(request_id))


class _Batch:
    """Notifications gathered by :func:`notifications_batched`, and what they looked up."""

    def __init__(self) -> None:
        self.coordinators: dict[int, list[User]] = {}
        self.preferences: dict[int, dict[NotificationKind, DeliveryMode]] = {}
        #: Per (person, kind, mode): the notices and their dedup keys, in order.
        self.kept: dict[tuple[int, NotificationKind, DeliveryMode], list[tuple[Notice, str]]] = {}
        self.users: dict[int, User] = {}

    def keep(self, user: User, mode: DeliveryMode, notice: Notice, dedup_key: str) -> None:
        self.users[user.id] = user
        self.kept.setdefault((user.id, notice.kind, mode), []).append((notice, dedup_key))

    def send(self, session: Session) -> None:
        """Queue one mail per person and kind, and every digest item, in a few statements."""
        digest_rows = []
        for (user_id, kind, mode), notices in self.kept.items():
            user = self.users[user_id]
            with force_locale(user.locale):
                rendered = [(notice, key, *notice.render(user.locale)) for notice, key in notices]
                if mode is DeliveryMode.DIGEST:
                    digest_rows += [
                        {
                            "user_id": user.id,
                            "kind": kind,
                            "request_id": notice.request.id,
                            "dedup_key": key,
                            "text": text,
                        }
                        for notice, key, _subject, text in rendered
                    ]
                    continue
                notice, key, subject, text = rendered[0]
                paragraphs = [text, _link_line(notice.request.id)]
                if len(rendered) > 1:  # one mail for the batch, keyed by its first notice
                    subject = f"{KIND_LABELS[kind]} ({len(rendered)})"
                    key = f"notify:{notice.key}+{len(rendered) - 1}:user:{user.id}"
                    paragraphs = [f"{t}\n{_link_line(n.request.id)}" for n, _k, _s, t in rendered]
                queue_mail(
                    session,
                    user.email,
                    subject,
                    _mail_body(user, paragraphs),
                    kind=f"notification_{kind.value}",
                    dedup_key=key,
                )
        insert = _dialect_insert(session)
        for start in range(0, len(digest_rows), INSERT_CHUNK):
            session.execute(
                insert(DigestItem)
                .values(digest_rows[start : start + INSERT_CHUNK])
                .on_conflict_do_nothing(index_elements=[DigestItem.dedup_key])
            )


@contextmanager
def notifications_batched(session: Session) -> Iterator[None]:
    """Gather the notifications made in the block and hand them out when it ends without
    an error: one mail per person and kind for all of them (a bulk upload of 1,000 requests
    mails each school coordinator once, listing that school's new requests), digest items
    as usual. Recipients and preferences are looked up once. Nested blocks join the outer.
    """
    if BATCH in session.info:
        yield
        return
    batch = session.info[BATCH] = _Batch()
    try:
        yield
    finally:
        session.info.pop(BATCH, None)
    batch.send(session)


def _keep_for_digest(session: Session, user: User, notice: Notice, key: str, text: str) -> bool:
    """Add a digest item unless one with ``key`` exists (also between transactions)."""
    kept = session.scalar(
        _dialect_insert(session)(DigestItem)
        .values(
            user_id=user.id,
            kind=notice.kind,
            request_id=notice.request.id,
            dedup_key=key,
            text=text,
        )
        .on_conflict_do_nothing(index_elements=[DigestItem.dedup_key])
        .returning(DigestItem.id)
    )
    return kept is not None


def _mail_body(user: User, paragraphs: list[str]) -> str:
    """Greeting, paragraphs and where to change one's choices, in the current locale."""
    return "\n\n".join(
        [
            _("Hallo %(name)s,", name=user.name),
            *paragraphs,
            _(
                "Je krijgt deze e-mail omdat je bij deze stage betrokken bent. Kies zelf hoe "
                "je meldingen krijgt: %(link)s",
                link=external_url("notifications.preferences"),
            ),
        ]
    )


# ------------------------------------------------------------------------------ digest


@dataclass(frozen=True)
class DigestReport:
    """What one ``send_digests`` run did."""

    mails: int = 0
    items: int = 0


def send_digests(session: Session, now: datetime) -> DigestReport:
    """Queue one mail per person with waiting digest items, grouped by kind, and mark those
    items digested, in the session's transaction. At most one digest per person and day:
    a second run the same day leaves newer items for the next day's digest."""
    day = local_date(now)
    waiting = session.scalars(
        select(DigestItem)
        .join(DigestItem.user)
        .where(DigestItem.digested_at.is_(None), User.active)
        .options(joinedload(DigestItem.user))
        .order_by(DigestItem.user_id, DigestItem.id)
    ).all()
    mails = items = 0
    for user, grouped in groupby(waiting, key=lambda item: item.user):
        own = list(grouped)
        with force_locale(user.locale):
            queued = queue_mail(
                session,
                user.email,
                _("Je dagelijkse overzicht van Stagebank (%(date)s)", date=format_date(day)),
                _digest_body(user, own),
                kind="notification_digest",
                dedup_key=f"digest:{user.id}:{day.isoformat()}",
            )
        if queued is None:
            continue
        for item in own:
            item.digested_at = now
        mails, items = mails + 1, items + len(own)
    session.flush()
    return DigestReport(mails=mails, items=items)


def _digest_body(user: User, items: list[DigestItem]) -> str:
    sections = []
    for kind in NotificationKind:
        lines = [_digest_line(item) for item in items if item.kind is kind]
        if lines:
            title = str(KIND_LABELS[kind])
            sections.append("\n".join([title, "-" * len(title), *lines]))
    return _mail_body(user, [_("Dit gebeurde sinds je vorige overzicht:"), *sections])


def _digest_line(item: DigestItem) -> str:
    line = "- " + item.text.replace("\n", "\n  ")
    if item.request_id is not None:
        line += "\n  " + request_url(item.request_id)
    return line
