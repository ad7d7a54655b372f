"""Small builders of real rows for tests (no mocks: they go through the database)."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select

from core.catalogue.models import EducationLevel, Subject
from core.institutions.models import Campus, Institution, InstitutionKind, RegistrationStatus
from core.offers.models import Offer, OfferStatus, Semester
from core.placements.models import InternshipKind, PlacementRequest, RequestStatus, Student
from core.placements.services import record_creation
from core.reference.models import Municipality, Postcode

_numbers = itertools.count(100001)


def _postcode_in(session, region: str) -> Postcode:
    return session.scalars(
        select(Postcode)
        .join(Postcode.municipality)
        .where(Municipality.region_code == region)
        .order_by(Postcode.postcode)
    ).first()


def make_institution(
    session,
    kind=InstitutionKind.SCHOOL,
    region="oost-vlaanderen",
    name=None,
    level="secondary",
    status=RegistrationStatus.APPROVED,
):
    postcode = _postcode_in(session, region)
    number = f"{next(_numbers):06d}"
    institution = Institution(
        kind=kind,
        name=name or f"Testschool {number}",
        institution_number=number,
        network_code="GO",
        region_code=region,
        status=status,
    )
    institution.campuses.append(
        Campus(
            name="Hoofdcampus",
            street="Schoolstraat 1",
            postcode=postcode.postcode,
            municipality_refnis=postcode.municipality_refnis,
            is_main=True,
        )
    )
    if level and (row := session.get(EducationLevel, level)):
        institution.levels.append(row)
    session.add(institution)
    session.flush()
    return institution


def make_school(session, region="oost-vlaanderen", **options):
    return make_institution(session, InstitutionKind.SCHOOL, region, **options)


def make_programme(session, region="oost-vlaanderen", **options):
    return make_institution(session, InstitutionKind.PROGRAMME, region, level=None, **options)


def any_subject(session, level="secondary", plugin=None) -> Subject:
    query = select(Subject).where(Subject.level_code == level, Subject.active)
    if plugin:
        query = query.where(Subject.plugin == plugin)
    return session.scalars(query.order_by(Subject.code)).first()


#: Level attributes that pass the built-in level plugins' rules.
VALID_ATTRIBUTES = {
    "secondary": {"graad": "2", "finaliteit": "doorstroom", "onderwijsvorm": "ASO"},
    "primary": {"klas": "L3"},
}


def make_offer(
    session,
    school,
    level="secondary",
    status=OfferStatus.PUBLISHED,
    places=2,
    subject=None,
    attributes=None,
):
    offer = Offer(
        school=school,
        campus=school.campuses[0],
        school_year="2026-2027",
        level_code=level,
        subject=subject or any_subject(session, level),
        attributes=attributes if attributes is not None else VALID_ATTRIBUTES.get(level, {}),
        places=places,
        status=status,
        semester=Semester.FIRST,
    )
    session.add(offer)
    session.flush()
    return offer


def make_request(session, status=RequestStatus.DRAFT, school=None, programme=None):
    school = school or make_school(session)
    programme = programme or make_programme(session)
    student = Student(
        programme=programme,
        first_name="Lotte",
        last_name="Peeters",
        email="lotte.peeters@student.example.org",
        student_number="r0000001",
    )
    request = PlacementRequest(
        programme=programme,
        student=student,
        school=school,
        level_code="secondary",
        subject=any_subject(session),
        period_start=dt.date(2027, 2, 1),
        period_end=dt.date(2027, 2, 28),
        kind=InternshipKind.TEACHING,
        hours=40,
        status=RequestStatus(status),
    )
    session.add(request)
    record_creation(session, request, actor=None)
    return request
