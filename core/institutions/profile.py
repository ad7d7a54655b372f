"""The public profile of a school: what a programme needs to know before asking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from core.catalogue.models import EducationLevel
from core.catalogue.services import levels_in_region
from core.institutions.models import Campus, Institution, InstitutionKind, RegistrationStatus
from core.offers import school_years
from core.offers.models import HostingAnswer, HostingStatus
from core.plugins.manager import Plugins
from core.search.query import OfferResult, OfferSearch


@dataclass(frozen=True)
class HostingLine:
    """A school's answer for one school year, without the reason for "no" (that one is
    shared only in aggregate reports)."""

    school_year: str
    answer: HostingAnswer | None
    capacity: int | None = None
    free_capacity: int | None = None


@dataclass(frozen=True)
class SchoolProfile:
    school: Institution
    levels: list[EducationLevel]
    #: ``(school year, results)`` from this school year on, subjects in alphabetical order.
    offers_by_year: list[tuple[str, list[OfferResult]]]
    #: This school year and the next.
    hosting: list[HostingLine]


def school_profile(
    session: Session, plugins: Plugins, school_id: int, today: date, locale: str = "nl"
) -> SchoolProfile | None:
    """The profile of an approved school, or None for any other institution."""
    school = session.scalar(
        select(Institution)
        .where(
            Institution.id == school_id,
            Institution.kind == InstitutionKind.SCHOOL,
            Institution.status == RegistrationStatus.APPROVED,
        )
        .options(
            joinedload(Institution.network),
            selectinload(Institution.levels),
            selectinload(Institution.campuses).joinedload(Campus.municipality),
        )
    )
    if school is None:
        return None
    current = school_years.school_year_of(today)
    results = OfferSearch(school_id=school.id, from_school_year=current).results(session, plugins)
    by_year: dict[str, list[OfferResult]] = {}
    for result in sorted(
        results,
        key=lambda r: (r.offer.school_year, r.offer.subject.name_in(locale).casefold(), r.offer.id),
    ):
        by_year.setdefault(result.offer.school_year, []).append(result)
    years = [current, school_years.shift(current, 1)]
    statuses = {
        status.school_year: status
        for status in session.scalars(
            select(HostingStatus).where(
                HostingStatus.school_id == school.id, HostingStatus.school_year.in_(years)
            )
        )
    }
    enabled = {level.code for level in levels_in_region(session, plugins, school.region_code)}
    return SchoolProfile(
        school=school,
        levels=[level for level in school.levels if level.code in enabled],
        offers_by_year=list(by_year.items()),
        hosting=[_hosting_line(year, statuses.get(year)) for year in years],
    )


def _hosting_line(school_year: str, status: HostingStatus | None) -> HostingLine:
    if status is None:
        return HostingLine(school_year, None)
    return HostingLine(school_year, status.answer, status.capacity, status.free_capacity)
