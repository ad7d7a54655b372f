"""``OfferSearch``: the search in the offer of places as one named query object.

It holds every filter and builds one SELECT that SQLite and PostgreSQL run alike; the
count of a page uses the same joins and conditions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, case, false, func, literal, null, or_, select
from sqlalchemy.orm import Session, contains_eager

from core.catalogue.models import EducationLevel, Subject
from core.institutions.models import Campus, Institution, RegistrationStatus
from core.offers.models import HostingAnswer, HostingStatus, Offer, OfferStatus, Semester
from core.offers.school_years import school_year_of
from core.offers.services import visible_in_region
from core.plugins.manager import Plugins
from core.reference.geo import Point, bounding_box, squared_distance_sql
from core.reference.models import Municipality

PAGE_SIZE = 25
#: ``hosting`` filter value for schools that gave no answer for the offer's school year.
NO_ANSWER = "unknown"

#: (first month, first day, last month, last day) of each semester within a school year.
SEMESTER_SPANS = {
    Semester.FIRST: (9, 1, 1, 31),
    Semester.SECOND: (2, 1, 6, 30),
    Semester.WHOLE_YEAR: (9, 1, 6, 30),
}


def semester_bounds(school_year: str, semester: Semester) -> tuple[date, date]:
    """First and last day of a semester: 1st Sep–Jan, 2nd Feb–Jun, whole year Sep–Jun."""
    start_year = int(school_year[:4])
    first_month, first_day, last_month, last_day = SEMESTER_SPANS[Semester(semester)]
    first = date(start_year if first_month >= 9 else start_year + 1, first_month, first_day)
    return first, date(start_year if last_month >= 9 else start_year + 1, last_month, last_day)


def free_places_sql() -> ColumnElement[int]:
    """Places still free on an offer: its own free places, at most the school's free
    capacity for that school year when one is set, and none when the school said "no" or
    "full". Needs ``HostingStatus`` outer-joined on the offer's school and school year."""
    own = Offer.places - Offer.accepted_count
    school = HostingStatus.capacity - HostingStatus.accepted_count
    return case(
        (HostingStatus.answer.in_([HostingAnswer.NO, HostingAnswer.FULL]), literal(0)),
        (HostingStatus.capacity.is_not(None) & (school < own), school),
        else_=own,
    )


def near_conditions(
    origin: Point | None, max_km: float | None
) -> tuple[ColumnElement[float], list[ColumnElement[bool]]]:
    """The squared km from ``origin`` to the joined ``Municipality`` (NULL without an
    origin), and the conditions that keep the ones within ``max_km``: a bounding box the
    database can narrow down quickly, then the distance itself."""
    if origin is None:
        return null(), []
    squared = squared_distance_sql(origin, Municipality.latitude, Municipality.longitude)
    if max_km is None:
        return squared, []
    south, north, west, east = bounding_box(origin, max_km)
    return squared, [
        Municipality.latitude.between(south, north),
        Municipality.longitude.between(west, east),
        squared <= max_km**2,
    ]


@dataclass(frozen=True)
class OfferResult:
    offer: Offer
    free_places: int
    distance_km: float | None = None


@dataclass(frozen=True)
class ResultPage:
    results: list[OfferResult]
    total: int
    number: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.size), 1)


@dataclass
class OfferSearch:
    """Published offers of approved schools that a visitor of the school's region may see
    (level and subject plugins enabled there), narrowed by the filters that are set.

    Order: nearest first when an ``origin`` is given; then by relevance, which is:
    offers with free places before full ones, then the most recently updated (a fresh
    offer is a reliable one), then the most free places.
    """

    level_code: str | None = None
    subject_id: int | None = None
    #: Region of the campus where the placement is (a province or ``brussel``).
    region_code: str | None = None
    municipality_refnis: str | None = None
    #: Point of the postcode searched from; with ``max_km`` a radius, without only the order.
    origin: Point | None = None
    max_km: float | None = None
    network_code: str | None = None
    school_year: str | None = None
    #: Without a ``school_year``: this school year and later ones only.
    from_school_year: str | None = None
    #: ``(first, last)``: the offer's period (or semester) must overlap these days.
    period: tuple[date, date] | None = None
    min_free_places: int | None = None
    #: A :class:`HostingAnswer` value of the school for the offer's year, or ``NO_ANSWER``.
    hosting: str | None = None
    school_id: int | None = None

    def conditions(self, session: Session, plugins: Plugins) -> list[ColumnElement[bool]]:
        """Every condition of the search (the tables of :meth:`_select` are joined)."""
        conditions = [
            Offer.status == OfferStatus.PUBLISHED,
            Institution.status == RegistrationStatus.APPROVED,
            Subject.active,
            EducationLevel.active,
            visible_in_region(session, plugins),
        ]
        equal = (
            (Offer.level_code, self.level_code),
            (Offer.subject_id, self.subject_id),
            (Municipality.region_code, self.region_code),
            (Campus.municipality_refnis, self.municipality_refnis),
            (Institution.network_code, self.network_code),
            (Offer.school_year, self.school_year),
            (Offer.school_id, self.school_id),
        )
        conditions += [column == value for column, value in equal if value is not None]
        if self.school_year is None and self.from_school_year:
            conditions.append(Offer.school_year >= self.from_school_year)
        if self.period:
            conditions.append(self._overlaps(*self.period))
        if self.min_free_places:
            conditions.append(free_places_sql() >= self.min_free_places)
        if self.hosting == NO_ANSWER:
            conditions.append(HostingStatus.id.is_(None))
        elif self.hosting:
            conditions.append(HostingStatus.answer == HostingAnswer(self.hosting))
        return conditions + near_conditions(self.origin, self.max_km)[1]

    def statement(self, session: Session, plugins: Plugins) -> Select:
        """The SELECT of ``(Offer, free places, squared km or NULL)`` rows, in order."""
        return self._loading(self._select(*self._columns())).where(
            *self.conditions(session, plugins)
        )

    def _columns(self, offer=Offer) -> tuple:
        """``offer`` (the entity or its id), its free places and the squared km from the
        origin (or NULL)."""
        distance = near_conditions(self.origin, None)[0]
        return offer, free_places_sql().label("free_places"), distance.label("squared_km")

    def _order(self) -> list[ColumnElement]:
        free = free_places_sql()
        order = [near_conditions(self.origin, None)[0]] if self.origin else []
        order += [case((free > 0, 0), else_=1), Offer.updated_at.desc(), free.desc(), Offer.id]
        return order

    def _loading(self, statement: Select) -> Select:
        """``statement`` filling what each offer shows from the joined rows, in the
        search's order."""
        return _with_relations(statement).order_by(*self._order())

    def count(self, session: Session, plugins: Plugins) -> int:
        statement = self._select(func.count(Offer.id)).where(*self.conditions(session, plugins))
        return session.scalar(statement)

    def page(self, session: Session, plugins: Plugins, number: int = 1) -> ResultPage:
        """Results of page ``number`` (from 1) and the total count. The database orders
        every match, so it does that on narrow rows (the id, free places, distance and the
        total, in one statement), then the page's offers are read in full by id with what
        they show; a page past the last counts in a statement of its own."""
        number = max(number, 1)
        ranked = (
            self._select(*self._columns(Offer.id), func.count().over())
            .where(*self.conditions(session, plugins))
            .order_by(*self._order())
            .limit(PAGE_SIZE)
            .offset((number - 1) * PAGE_SIZE)
        )
        ranked_rows = session.execute(ranked).all()
        if not ranked_rows:
            return ResultPage([], self.count(session, plugins) if number > 1 else 0, number)
        offers = session.scalars(
            _with_relations(_joined(select(Offer), hosting=False)).where(
                Offer.id.in_([row[0] for row in ranked_rows])
            )
        )
        by_id = {offer.id: offer for offer in offers}
        rows = [
            (by_id[offer_id], free, squared)
            for offer_id, free, squared, _total in ranked_rows
            if offer_id in by_id  # not deleted in between
        ]
        return ResultPage(_results(rows), ranked_rows[0][-1], number)

    def results(self, session: Session, plugins: Plugins) -> list[OfferResult]:
        """Every result, in order (for a school's page and for suggestions)."""
        return _results(session.execute(self.statement(session, plugins)).all())

    def _select(self, *columns) -> Select:
        return _joined(select(*columns))

    @staticmethod
    def _overlaps(first: date, last: date) -> ColumnElement[bool]:
        """The offer's dates, or else its semester, or else its school year overlap."""
        start, end = int(school_year_of(first)[:4]), int(school_year_of(last)[:4])
        years = [f"{year}-{year + 1}" for year in range(start, end + 1)]  # none if reversed
        has_dates = Offer.period_start.is_not(None) | Offer.period_end.is_not(None)
        by_dates = and_(
            has_dates,
            or_(Offer.period_start.is_(None), Offer.period_start <= last),
            or_(Offer.period_end.is_(None), Offer.period_end >= first),
        )
        by_semester = or_(
            false(),
            *(
                and_(Offer.school_year == year, Offer.semester == semester)
                for year in years
                for semester in Semester
                if _overlap(semester_bounds(year, semester), (first, last))
            ),
        )
        return and_(
            Offer.school_year.in_(years),
            or_(by_dates, and_(~has_dates, or_(by_semester, Offer.semester.is_(None)))),
        )


def _joined(statement: Select, hosting: bool = True) -> Select:
    """``statement`` from the offers with their school, subject, level, campus and place,
    and (with ``hosting``) the school's hosting status for the offer's school year."""
    statement = (
        statement.select_from(Offer)
        .join(Offer.school)
        .join(Offer.subject)
        .join(Subject.level)
        .join(Offer.campus)
        .join(Campus.municipality)
    )
    if not hosting:
        return statement
    return statement.outerjoin(
        HostingStatus,
        and_(
            HostingStatus.school_id == Offer.school_id,
            HostingStatus.school_year == Offer.school_year,
        ),
    )


def _with_relations(statement: Select) -> Select:
    """``statement`` (of :func:`_joined`) filling each offer's school, subject, level,
    campus and place from the joined rows."""
    return statement.options(
        contains_eager(Offer.school),
        contains_eager(Offer.subject).contains_eager(Subject.level),
        contains_eager(Offer.campus).contains_eager(Campus.municipality),
    )


def _overlap(one: tuple[date, date], other: tuple[date, date]) -> bool:
    return one[0] <= other[1] and other[0] <= one[1]


def _results(rows) -> list[OfferResult]:
    return [
        OfferResult(
            offer,
            max(int(free or 0), 0),
            None if squared_km is None else math.sqrt(max(squared_km, 0.0)),
        )
        for offer, free, squared_km in rows
    ]
