"""Read-only queries behind the dashboards, the overview and the calendar feed.

Every list of requests is narrowed by :func:`core.access.policy.visible_requests`; each
function is one statement (or a fixed few), so a page costs the same number of queries
for 2 requests as for 2,000.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Subquery,
    Table,
    case,
    cast,
    exists,
    extract,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, joinedload

from core.access.policy import PROGRAMME_ROLES, SCHOOL_ROLES, Actor, visible_requests
from core.accounts.models import User
from core.catalogue.models import Subject
from core.institutions.models import Campus, Institution, RegistrationStatus
from core.kept import kept
from core.offers import school_years
from core.offers.models import HostingAnswer, HostingStatus, Offer, OfferStatus
from core.placements.models import (
    STATUS_LABELS,
    PlacementRequest,
    RequestEvent,
    RequestStatus,
    Student,
)
from core.placements.services import HOLDS_A_PLACE

S = RequestStatus
R = PlacementRequest
#: Rows per list on a dashboard: the first ones to act on, with a link to the rest in the
#: overview (a to-do list of hundreds is no overview).
DASHBOARD_LIMIT = 25
PAGE_SIZE = 50

#: What a row of the overview and of the calendar shows, loaded in the same statement.
ROW_RELATIONS = ("student", "school", "programme", "subject", "mentor", "supervisor")
ROW_OPTIONS = tuple(joinedload(getattr(R, name)) for name in ROW_RELATIONS)

_REQUEST = R.__table__
_ROW = _REQUEST.c
_LATER = _REQUEST.alias("later")
#: The columns of each table that the dashboard lists order by (and the id).
ORDERED_BY = {
    _REQUEST: ("id", "period_start", "period_end", "answer_deadline", "updated_at"),
    Student.__table__: ("id", "first_name", "last_name"),
}


@dataclass(frozen=True)
class RequestRow:
    """What a dashboard list shows of a request: plain values read with the list."""

    id: int
    status: RequestStatus
    period_start: date
    period_end: date
    answer_deadline: date | None
    student_name: str
    student_email: str
    school: str
    programme: str
    subject_nl: str
    subject_en: str
    mentor: str | None
    supervisor: str | None
    #: The reason given with the latest change of status (the follow-up list only).
    reason: str | None = None

    def subject_in(self, locale: str) -> str:
        return self.subject_en if str(locale).startswith("en") else self.subject_nl


@dataclass(frozen=True)
class StudentRow:
    """A student as the list of students without a placement shows them."""

    first_name: str
    last_name: str


@dataclass(frozen=True)
class Listing:
    """The first rows of a list and how many there are in all."""

    rows: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def _first(
    table: Table, conditions: list[ColumnElement[bool]], order: Callable, limit: int
) -> Subquery:
    """The first ``limit`` rows of ``table`` matching ``conditions`` in ``order`` (a
    function of a column collection), as a subquery of their :data:`ORDERED_BY` columns
    and ``total``: how many match in all.

    The inner query counts every match in a window, so the planner cannot hope to stop
    early along an index in the list's order: it reads the matches through the index
    that filters and sorts only those, on narrow rows. The caller joins only these few
    rows to what a row shows.
    """
    matching = (
        select(*(table.c[name] for name in ORDERED_BY[table]), func.count().over().label("total"))
        .where(*conditions)
        .subquery()
    )
    return select(matching).order_by(*order(matching.c)).limit(limit).subquery()


def _listing(session: Session, statement: Select, make: Callable) -> Listing:
    """The rows of ``statement`` (the total first, then ``make``'s arguments)."""
    found = session.execute(statement).all()
    return Listing([make(*row[1:]) for row in found], found[0][0] if found else 0)


def _lookup(entity, value: ColumnElement, key: ColumnElement) -> ColumnElement:
    """``value`` of the ``entity`` whose id is ``key``, as a scalar subquery: PostgreSQL
    plans a few of these in a fraction of the time it spends ordering as many joins."""
    return select(value).where(entity.id == key).scalar_subquery()


#: The values of a :class:`RequestRow` of the request in the statement's FROM, in order.
ROW_VALUES = (
    _ROW.id,
    _ROW.status,
    _ROW.period_start,
    _ROW.period_end,
    _ROW.answer_deadline,
    _lookup(Student, Student.first_name + " " + Student.last_name, _ROW.student_id),
    _lookup(Student, Student.email, _ROW.student_id),
    _lookup(Institution, Institution.name, _ROW.school_id),
    _lookup(Institution, Institution.name, _ROW.programme_id),
    _lookup(Subject, Subject.name_nl, _ROW.subject_id),
    _lookup(Subject, Subject.name_en, _ROW.subject_id),
    _lookup(User, User.name, _ROW.mentor_id),
    _lookup(User, User.name, _ROW.supervisor_id),
)
#: The reason given with the request's latest change to its current status.
REASON = (
    select(RequestEvent.reason)
    .where(RequestEvent.request_id == _ROW.id, RequestEvent.to_status == _ROW.status)
    .order_by(RequestEvent.id.desc())
    .limit(1)
    .scalar_subquery()
)


def _request_listing(
    session: Session,
    conditions: list[ColumnElement[bool]],
    order: Callable,
    limit: int,
    reason: bool = False,
) -> Listing:
    """The first ``limit`` requests matching ``conditions`` in ``order`` as
    :class:`RequestRow` values, in one statement; with ``reason`` also the reasons."""
    first = _first(_REQUEST, conditions, order, limit)
    statement = (
        select(first.c.total, *ROW_VALUES, *([REASON] if reason else []))
        .select_from(first.join(_REQUEST, _ROW.id == first.c.id))
        .order_by(*order(first.c))
    )
    return _listing(session, statement, RequestRow)


def dashboard_scope(actor: Actor) -> ColumnElement[bool]:
    """The requests of the actor's own side: what they may see *and* is theirs to handle.

    Equal to :func:`visible_requests` except for an administrator who also holds a
    membership: their dashboard shows that institution's work, not the whole platform.
    """
    if actor.role in SCHOOL_ROLES:
        side = R.school_id == actor.institution_id
    elif actor.role in PROGRAMME_ROLES:
        side = R.programme_id == actor.institution_id
    else:
        side = true()
    return visible_requests(actor) & side


# ------------------------------------------------------------------------- dashboards


def awaiting_answer(session: Session, actor: Actor, limit: int = DASHBOARD_LIMIT) -> Listing:
    """Submitted requests of the actor's side, the nearest answer deadline first."""
    return _request_listing(
        session,
        [dashboard_scope(actor), R.status == S.SUBMITTED],
        lambda r: [r.answer_deadline.is_(None), r.answer_deadline, r.period_start, r.id],
        limit,
    )


def placements(
    session: Session, actor: Actor, today: date, limit: int = DASHBOARD_LIMIT
) -> Listing:
    """Accepted and completed requests: running and upcoming ones by start date, then past
    ones, the most recent first."""

    def order(r) -> list:
        past = r.period_end < today
        return [past, case((past, None), else_=r.period_start), r.period_start.desc(), r.id]

    return _request_listing(
        session, [dashboard_scope(actor), R.status.in_(HOLDS_A_PLACE)], order, limit
    )


def without_placement(
    session: Session, programme: Institution, limit: int = DASHBOARD_LIMIT
) -> Listing:
    """Students of ``programme`` with no submitted, accepted or completed request, by
    name: the first ``limit`` and how many in all (each student is checked through the
    index on its requests, not against every request of the platform)."""
    placed = exists().where(
        R.student_id == Student.id, R.status.in_([S.SUBMITTED, S.ACCEPTED, S.COMPLETED])
    )

    def by_name(student) -> list:
        return [student.last_name, student.first_name, student.id]

    first = _first(
        Student.__table__, [Student.programme_id == programme.id, ~placed], by_name, limit
    )
    row = first.c
    statement = select(row.total, row.first_name, row.last_name).order_by(*by_name(row))
    return _listing(session, statement, StudentRow)


def to_follow_up(
    session: Session, actor: Actor, today: date, limit: int = DASHBOARD_LIMIT
) -> Listing:
    """Declined and expired requests of this school year or later after which nothing
    was made for that student yet, with the school's reason; the latest change first."""
    this_year_start, _ = school_years.bounds(school_years.school_year_of(today))
    later = _LATER.c
    sent_since = exists().where(later.student_id == R.student_id, later.id > R.id)
    return _request_listing(
        session,
        [
            dashboard_scope(actor),
            R.status.in_([S.DECLINED, S.EXPIRED]),
            R.period_end >= this_year_start,
            ~sent_since,
        ],
        lambda r: [r.updated_at.desc(), r.id.desc()],
        limit,
        reason=True,
    )


@dataclass(frozen=True)
class OfferPrompt:
    """A school year without a published offer, and whether last year's can be copied."""

    school_year: str
    can_copy: bool


def offer_prompts(session: Session, school: Institution, today: date) -> list[OfferPrompt]:
    """This school year and the next, when the school published nothing for them and did
    not say it hosts no (more) trainees then."""
    years = school_years.upcoming(today, 2)
    published = func.max(case((Offer.status == OfferStatus.PUBLISHED, 1), else_=0))
    shown = func.max(case((Offer.status != OfferStatus.DRAFT, 1), else_=0))
    rows = session.execute(
        select(Offer.school_year, published, shown)
        .where(
            Offer.school_id == school.id,
            Offer.school_year.in_({*years, *(school_years.shift(y, -1) for y in years)}),
        )
        .group_by(Offer.school_year)
    ).all()
    has_published = {year for year, is_published, _ in rows if is_published}
    had_offers = {year for year, _, was_shown in rows if was_shown}
    not_hosting = set(
        session.scalars(
            select(HostingStatus.school_year).where(
                HostingStatus.school_id == school.id,
                HostingStatus.school_year.in_(years),
                HostingStatus.answer.in_([HostingAnswer.NO, HostingAnswer.FULL]),
            )
        )
    )
    return [
        OfferPrompt(year, school_years.shift(year, -1) in had_offers)
        for year in years
        if year not in has_published | not_hosting
    ]


@dataclass(frozen=True)
class AdminCounts:
    pending_registrations: int
    by_status: list[tuple[RequestStatus, int]]
    #: When the requests were counted (see :func:`request_counts`).
    counted_at: datetime


def admin_counts(session: Session) -> AdminCounts:
    """Registrations waiting for approval (always fresh: the administrator acts on them)
    and all requests per status (see :func:`request_counts`)."""
    pending = session.scalar(
        select(func.count())
        .select_from(Institution)
        .where(Institution.status == RegistrationStatus.PENDING)
    )
    by_status, counted_at = request_counts(session)
    return AdminCounts(pending or 0, by_status, counted_at)


def request_counts(
    session: Session, now: float | None = None
) -> tuple[list[tuple[RequestStatus, int]], datetime]:
    """All requests per status and when they were counted (see :func:`core.kept.kept`;
    the page says when)."""

    def count() -> list[tuple[RequestStatus, int]]:
        counts = dict(session.execute(select(R.status, func.count()).group_by(R.status)).all())
        return [(status, counts.get(status, 0)) for status in S]

    return kept("request_counts", count, now)


# --------------------------------------------------------------------------- overview

#: The school year (its first calendar year) a request's period starts in.
SCHOOL_YEAR_START = cast(extract("year", R.period_start), Integer) - case(
    (extract("month", R.period_start) < 9, 1), else_=0
)


@dataclass(frozen=True)
class OverviewFilters:
    """The overview's filters, read from and written to the query string."""

    status: RequestStatus | None = None
    school_year: str | None = None
    subject_id: int | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> OverviewFilters:
        """Filters from ``status``, ``schooljaar`` and ``vak``; odd values are ignored."""
        status = args.get("status", "")
        year = args.get("schooljaar", "")
        subject = args.get("vak", "")
        return cls(
            status=S(status) if status in S.__members__.values() else None,
            school_year=year if school_years.is_school_year(year) else None,
            subject_id=int(subject) if subject.isdigit() and len(subject) < 10 else None,
        )

    def args(self, **changes) -> dict[str, str]:
        """Query-string values of these filters, with ``changes`` (None removes one)."""
        values = {
            "status": self.status.value if self.status else None,
            "schooljaar": self.school_year,
            "vak": str(self.subject_id) if self.subject_id else None,
        }
        values.update(changes)
        return {name: value for name, value in values.items() if value}

    def conditions(self, skip: str | None = None) -> list[ColumnElement[bool]]:
        """SQL conditions of every set filter except ``skip`` (for per-filter counts)."""
        found = []
        if self.status and skip != "status":
            found.append(R.status == self.status)
        if self.school_year and skip != "school_year":
            first, last = school_years.bounds(self.school_year)
            found.append(R.period_start.between(first, last))
        if self.subject_id and skip != "subject":
            found.append(R.subject_id == self.subject_id)
        return found


@dataclass(frozen=True)
class Count:
    value: str
    label: str
    count: int


@dataclass
class OverviewCounts:
    """Per status, school year and subject: how many requests the *other* filters leave,
    so every count tells what choosing it would show."""

    statuses: list[Count] = field(default_factory=list)
    school_years: list[Count] = field(default_factory=list)
    subjects: list[Count] = field(default_factory=list)
    total: int = 0


def overview_counts(
    session: Session, actor: Actor, filters: OverviewFilters, locale: str
) -> OverviewCounts:
    """Three grouped counts over the actor's visible requests (see :class:`OverviewCounts`)."""
    visible = visible_requests(actor)
    by_status = dict(
        session.execute(
            select(R.status, func.count())
            .where(visible, *filters.conditions(skip="status"))
            .group_by(R.status)
        ).all()
    )
    by_year = session.execute(
        select(SCHOOL_YEAR_START, func.count())
        .where(visible, *filters.conditions(skip="school_year"))
        .group_by(SCHOOL_YEAR_START)
        .order_by(SCHOOL_YEAR_START.desc())
    ).all()
    name = _subject_name(locale)
    by_subject = session.execute(
        select(R.subject_id, name, func.count())
        .join(R.subject)
        .where(visible, *filters.conditions(skip="subject"))
        .group_by(R.subject_id, name)
        .order_by(name)
    ).all()
    counts = OverviewCounts(
        statuses=[Count(s.value, STATUS_LABELS[s], by_status.get(s, 0)) for s in S],
        school_years=[Count(f"{y}-{y + 1}", f"{y}-{y + 1}", n) for y, n in by_year],
        subjects=[Count(str(subject_id), label, n) for subject_id, label, n in by_subject],
    )
    chosen = session.get(Subject, filters.subject_id) if filters.subject_id else None
    if chosen and all(c.value != str(chosen.id) for c in counts.subjects):
        # Keep the chosen subject selectable when the other filters leave none of it.
        counts.subjects.append(Count(str(chosen.id), chosen.name_in(locale), 0))
    counts.total = by_status.get(filters.status, 0) if filters.status else sum(by_status.values())
    return counts


def _subject_name(locale: str):
    return Subject.name_en if str(locale).startswith("en") else Subject.name_nl


def _overview_select(actor: Actor, filters: OverviewFilters) -> Select:
    return (
        select(R)
        .where(visible_requests(actor), *filters.conditions())
        .order_by(R.period_start.desc(), R.id.desc())
    )


def overview_page(
    session: Session, actor: Actor, filters: OverviewFilters, number: int, size: int | None = None
) -> list[PlacementRequest]:
    """Page ``number`` (from 1, ``size`` rows, by default :data:`PAGE_SIZE` as it is at
    call time) of the filtered requests, latest period first."""
    size = size or PAGE_SIZE
    statement = _overview_select(actor, filters).options(*ROW_OPTIONS)
    offset = (max(number, 1) - 1) * size
    return list(session.scalars(statement.limit(size).offset(offset)))


def overview_rows(
    session: Session, actor: Actor, filters: OverviewFilters
) -> list[PlacementRequest]:
    """Every filtered request, with what the CSV export shows."""
    statement = _overview_select(actor, filters).options(*ROW_OPTIONS, joinedload(R.level))
    return list(session.scalars(statement))


def page_number(value: str | None) -> int:
    """The ``pagina`` parameter as a page number; anything odd is page 1."""
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


# --------------------------------------------------------------------------- calendar


def calendar_requests(session: Session, user: User) -> list[PlacementRequest]:
    """Accepted and completed requests that ``user`` sees in any of their memberships.

    An administrator's feed stays empty: a secret link must never carry the whole
    platform's placements.
    """
    if user.is_admin or not user.memberships:
        return []
    seen = [visible_requests(Actor(user, membership)) for membership in user.memberships]
    return list(
        session.scalars(
            select(R)
            .where(R.status.in_(HOLDS_A_PLACE), or_(*seen))
            .options(
                *ROW_OPTIONS,
                joinedload(R.school)
                .selectinload(Institution.campuses)
                .joinedload(Campus.municipality),
            )
            .order_by(R.period_start, R.id)
        )
    )
