"""Turn a cohort and the offer of a school year into a :class:`~core.allocation.solver.Problem`.

A handful of set-based queries (no query per student or offer): the cohort's wishes and
wished choices, the published offers with their free places and campus points, the
schools' free capacity, the home points of the cohort's postcodes, and which schools
teach the philosophical subjects asked for.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import Session, joinedload, selectinload

from core.allocation.models import StudentWishes
from core.allocation.solver import OfferData, Problem, StudentData, Wish
from core.catalogue.models import EducationLevel, Subject
from core.catalogue.services import schools_teaching
from core.institutions.models import Campus, Institution, RegistrationStatus
from core.offers.models import HostingAnswer, HostingStatus, Offer, OfferStatus
from core.offers.school_years import bounds
from core.offers.services import visible_in_region
from core.placements.models import PlacementRequest
from core.placements.services import OPEN
from core.plugins.manager import Plugins
from core.reference.models import Municipality, Postcode
from core.search.query import free_places_sql, semester_bounds

#: Rows per ``IN (...)`` list.
CHUNK = 900


@dataclass(frozen=True)
class Cohort:
    """Which students to allocate, for which school year and period."""

    school_year: str
    period: tuple[date, date]
    #: Students with these ids (None: every student that recorded wishes).
    student_ids: list[int] | None = None
    level_code: str | None = None


def _chunks(values: list) -> list[list]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


def load_wishes(session: Session, cohort: Cohort) -> list[StudentWishes]:
    """The wishes of the cohort's students, with their students and choices."""
    statement = (
        select(StudentWishes)
        .options(joinedload(StudentWishes.student), selectinload(StudentWishes.choices))
        .order_by(StudentWishes.student_id)
    )
    if cohort.level_code:
        statement = statement.where(StudentWishes.level_code == cohort.level_code)
    if cohort.student_ids is None:
        return list(session.scalars(statement))
    return [
        row
        for ids in _chunks(sorted(cohort.student_ids))
        for row in session.scalars(statement.where(StudentWishes.student_id.in_(ids)))
    ]


def home_points(session: Session, postcodes: set[str]) -> dict[str, tuple[float, float]]:
    """The point of each postcode (the mean of its municipalities' points)."""
    found: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for codes in _chunks(sorted(postcodes)):
        for postcode, lat, lon in session.execute(
            select(Postcode.postcode, Municipality.latitude, Municipality.longitude)
            .join(Municipality, Municipality.refnis == Postcode.municipality_refnis)
            .where(Postcode.postcode.in_(codes), Municipality.latitude.is_not(None))
        ):
            found[postcode].append((lat, lon))
    return {
        code: (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
        for code, points in found.items()
    }


def postcode_regions():
    """Subquery ``(postcode, region_code)``: one region per postcode (a postcode may span
    municipalities; in Flanders and Brussels they never span regions)."""
    return (
        select(Postcode.postcode, func.min(Municipality.region_code).label("region_code"))
        .join(Municipality, Municipality.refnis == Postcode.municipality_refnis)
        .group_by(Postcode.postcode)
        .subquery()
    )


def offer_span(school_year: str, start, end, semester) -> tuple[date, date]:
    """The days of an offer: its dates, else its semester, else its whole school year."""
    first, last = bounds(school_year)
    if start or end:
        return start or first, end or last
    if semester:
        return semester_bounds(school_year, semester)
    return first, last


def _published(session: Session, plugins: Plugins | None, school_year: str, *columns):
    """SELECT ``columns`` of the published offers of the school year that have free places
    (``free_places_sql``), as the offer search sees them (without ``plugins``: in every
    region, as the reports count them)."""
    free = free_places_sql()
    return (
        select(*columns)
        .select_from(Offer)
        .join(Institution, Institution.id == Offer.school_id)
        .join(Subject, Subject.id == Offer.subject_id)
        .join(EducationLevel, EducationLevel.code == Offer.level_code)
        .join(Campus, Campus.id == Offer.campus_id)
        .join(Municipality, Municipality.refnis == Campus.municipality_refnis)
        .outerjoin(
            HostingStatus,
            and_(
                HostingStatus.school_id == Offer.school_id,
                HostingStatus.school_year == Offer.school_year,
            ),
        )
        .where(
            Offer.status == OfferStatus.PUBLISHED,
            Offer.school_year == school_year,
            Institution.status == RegistrationStatus.APPROVED,
            Subject.active,
            EducationLevel.active,
            visible_in_region(session, plugins) if plugins else true(),
            free > 0,
        )
    )


def load_offers(
    session: Session, plugins: Plugins, school_year: str, subject_ids: set[int]
) -> list[OfferData]:
    """Published offers of the school year for these subjects, with free places."""
    statement = _published(
        session,
        plugins,
        school_year,
        Offer.id,
        Offer.school_id,
        Offer.level_code,
        Offer.subject_id,
        free_places_sql(),
        Offer.period_start,
        Offer.period_end,
        Offer.semester,
        Municipality.latitude,
        Municipality.longitude,
    ).order_by(Offer.id)
    rows = []
    for ids in _chunks(sorted(subject_ids)):
        rows += session.execute(statement.where(Offer.subject_id.in_(ids))).all()
    offers = []
    for id_, school, level, subject, places, start, end, semester, lat, lon in rows:
        first, last = offer_span(school_year, start, end, semester)
        offers.append(
            OfferData(
                id_,
                school,
                level,
                subject,
                int(places),
                first.toordinal(),
                last.toordinal(),
                lat,
                lon,
            )  # fmt: skip
        )
    return offers


def free_places_by_region(
    session: Session, plugins: Plugins | None, school_year: str, subject_ids: set[int]
) -> dict[tuple[str, int], int]:
    """Free places of published offers per (region of the campus, subject)."""
    statement = _published(
        session,
        plugins,
        school_year,
        Municipality.region_code,
        Offer.subject_id,
        func.sum(free_places_sql()),
    ).group_by(Municipality.region_code, Offer.subject_id)
    places = {}
    for ids in _chunks(sorted(subject_ids)):
        for region, subject, count in session.execute(statement.where(Offer.subject_id.in_(ids))):
            places[region, subject] = int(count or 0)
    return places


def school_capacity(session: Session, school_year: str) -> dict[int, int]:
    """Free capacity for the school year of every school that set one (or said no)."""
    capacity = {}
    for school, answer, limit, accepted in session.execute(
        select(
            HostingStatus.school_id,
            HostingStatus.answer,
            HostingStatus.capacity,
            HostingStatus.accepted_count,
        ).where(HostingStatus.school_year == school_year)
    ):
        if answer in (HostingAnswer.NO, HostingAnswer.FULL):
            capacity[school] = 0
        elif limit is not None:
            capacity[school] = max(limit - accepted, 0)
    return capacity


def teaching_of(session: Session, plugins: Plugins, subject_ids: set[int]) -> dict:
    """For the subjects only some schools teach: the schools that do (from the plugins)."""
    teaching = {}
    for subject in session.scalars(select(Subject).where(Subject.id.in_(sorted(subject_ids)))):
        schools = schools_teaching(session, plugins, subject)
        if schools is not None:
            teaching[subject.id] = frozenset(schools)
    return teaching


def student_data(
    wishes: StudentWishes,
    period: tuple[date, date],
    point: tuple[float, float] | None,
    open_requests: list[tuple[int, date, date]] = (),
) -> StudentData:
    """The solver's view of one student's wishes; ``open_requests`` are the student's
    open requests as (school id, first day, last day)."""
    subjects = (wishes.subject_id,)
    if wishes.second_subject_id and wishes.second_subject_id != wishes.subject_id:
        subjects += (wishes.second_subject_id,)
    start = wishes.period_start or period[0]
    end = wishes.period_end or period[1]
    return StudentData(
        id=wishes.student_id,
        level=wishes.level_code,
        subjects=subjects,
        wishes=tuple(
            Wish(offer_id=c.offer_id, school_id=None if c.offer_id else c.school_id)
            for c in wishes.choices
        ),
        same_school=wishes.same_school,
        max_km=float(wishes.max_km) if wishes.max_km else None,
        start=start.toordinal(),
        end=end.toordinal(),
        lat=point[0] if point else None,
        lon=point[1] if point else None,
        busy_at=frozenset(
            school for school, first, last in open_requests if first <= end and last >= start
        ),
    )


def open_requests(
    session: Session, student_ids: list[int]
) -> defaultdict[int, list[tuple[int, date, date]]]:
    """Per student: their draft, submitted and accepted requests as (school id, first
    day, last day)."""
    found: defaultdict[int, list[tuple[int, date, date]]] = defaultdict(list)
    for ids in _chunks(student_ids):
        rows = session.execute(
            select(
                PlacementRequest.student_id,
                PlacementRequest.school_id,
                PlacementRequest.period_start,
                PlacementRequest.period_end,
            ).where(PlacementRequest.student_id.in_(ids), PlacementRequest.status.in_(OPEN))
        )
        for student_id, school_id, first, last in rows:
            found[student_id].append((school_id, first, last))
    return found


def load_problem(
    session: Session, plugins: Plugins, cohort: Cohort, nearest: int | None = None
) -> tuple[Problem, list[StudentWishes]]:
    """The problem of ``cohort``, and the wishes it was made of."""
    wishes = load_wishes(session, cohort)
    postcodes = {w.student.home_postcode for w in wishes if w.student.home_postcode}
    points = home_points(session, postcodes)
    requests = open_requests(session, [w.student_id for w in wishes])
    students = [
        student_data(
            w, cohort.period, points.get(w.student.home_postcode or ""), requests[w.student_id]
        )
        for w in wishes
    ]
    subjects = {s for student in students for s in student.subjects}
    problem = Problem(
        students,
        load_offers(session, plugins, cohort.school_year, subjects),
        school_capacity(session, cohort.school_year),
        teaching_of(session, plugins, subjects),
    )
    if nearest is not None:
        problem.nearest = nearest
    return problem, wishes
