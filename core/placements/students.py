"""Students of a programme: the list with each one's latest request, adding a student, and
choosing several of them for requests sent at once."""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.access.policy import Action, Actor, Denied, require
from core.accounts.services import normalise_email
from core.institutions.models import Institution, InstitutionKind
from core.placements.models import PlacementRequest, RequestStatus, Student
from core.reference.models import Postcode

POSTCODE = re.compile(r"^\d{4}$")


class StudentRefused(ValueError):
    """A student that cannot be added; ``errors`` maps fields to Dutch messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class StudentValues:
    """What a programme knows of a student teacher (the web form and the upload alike)."""

    first_name: str
    last_name: str
    email: str
    student_number: str
    home_postcode: str | None = None


def managed_programme(actor: Actor) -> Institution:
    """The programme whose students the actor manages, or :class:`Denied`."""
    programme = actor.membership.institution if actor.membership else None
    if programme is None or programme.kind != InstitutionKind.PROGRAMME:
        raise Denied(not_found=False)
    require(actor, Action.MANAGE_STUDENTS, programme)
    return programme


def check_student(
    session: Session,
    programme: Institution,
    values: StudentValues,
    numbers: Container[str] | None = None,
) -> dict[str, list[str]]:
    """Every reason ``values`` cannot become a student of ``programme``; empty when fine.

    The home postcode is optional here (an upload has none), but must exist when given.
    ``numbers``: the programme's student numbers, when the caller has read them already.
    """
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message) -> None:
        errors.setdefault(name, []).append(str(message))

    for name, text, message in (
        ("first_name", values.first_name, _l("Vul een voornaam in.")),
        ("last_name", values.last_name, _l("Vul een familienaam in.")),
    ):
        if not text.strip():
            refuse(name, message)
        elif len(text.strip()) > 100:
            refuse(name, _l("Gebruik hoogstens 100 tekens."))
    try:
        validate_email(values.email.strip(), check_deliverability=False)
    except EmailNotValidError:
        refuse("email", _l("Vul een geldig e-mailadres in."))
    number = values.student_number.strip()
    if not number:
        refuse("student_number", _l("Vul een studentennummer in."))
    elif len(number) > 32:
        refuse("student_number", _l("Een studentennummer heeft hoogstens 32 tekens."))
    elif number in (
        numbers if numbers is not None else students_by_number(session, programme, [number])
    ):
        refuse("student_number", _l("Dit studentennummer bestaat al in je opleiding."))
    postcode = (values.home_postcode or "").strip()
    if postcode and not POSTCODE.match(postcode):
        refuse("home_postcode", _l("Een postcode heeft 4 cijfers."))
    elif (
        postcode
        and session.scalar(select(Postcode.postcode).where(Postcode.postcode == postcode)) is None
    ):
        refuse("home_postcode", _l("Deze postcode bestaat niet in Vlaanderen of Brussel."))
    return errors


def add_student(session: Session, actor: Actor, values: StudentValues) -> Student:
    """Add a student to the actor's programme, or :class:`StudentRefused`."""
    programme = managed_programme(actor)
    if errors := check_student(session, programme, values):
        raise StudentRefused(errors)
    student = _new_student(programme, values)
    session.add(student)
    session.flush()
    return student


class StudentsRefused(ValueError):
    """Students that cannot be added; ``errors`` maps each refused one's position to its
    ``{field: [message]}``."""

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        super().__init__(errors)
        self.errors = errors


def add_students(session: Session, actor: Actor, many: Sequence[StudentValues]) -> list[Student]:
    """:func:`add_student` for many students at once, all or none, with one flush:
    :class:`StudentsRefused` when any is refused (a number given twice is refused too)."""
    programme = managed_programme(actor)
    numbers = [values.student_number.strip() for values in many]
    taken = set(students_by_number(session, programme, numbers))
    errors = {}
    for index, values in enumerate(many):
        if found := check_student(session, programme, values, taken):
            errors[index] = found
        taken.add(values.student_number.strip())
    if errors:
        raise StudentsRefused(errors)
    added = [_new_student(programme, values) for values in many]
    session.add_all(added)
    session.flush()
    return added


def _new_student(programme: Institution, values: StudentValues) -> Student:
    return Student(
        programme_id=programme.id,
        first_name=values.first_name.strip(),
        last_name=values.last_name.strip(),
        email=normalise_email(values.email),
        student_number=values.student_number.strip(),
        home_postcode=(values.home_postcode or "").strip() or None,
    )


def students_overview(session: Session, actor: Actor) -> list[tuple[Student, RequestStatus | None]]:
    """The programme's students with the status of each one's latest request (or None)."""
    programme = managed_programme(actor)
    latest = (
        select(PlacementRequest.student_id, func.max(PlacementRequest.id).label("request_id"))
        .group_by(PlacementRequest.student_id)
        .subquery()
    )
    rows = session.execute(
        select(Student, PlacementRequest.status)
        .outerjoin(latest, latest.c.student_id == Student.id)
        .outerjoin(PlacementRequest, PlacementRequest.id == latest.c.request_id)
        .where(Student.programme_id == programme.id)
        .order_by(Student.last_name, Student.first_name, Student.id)
    )
    return [(student, status) for student, status in rows]


def selected_students(session: Session, actor: Actor, ids: Iterable[int]) -> list[Student]:
    """The chosen students, all of the actor's programme; a foreign or unknown id is
    :class:`Denied` (answered 404)."""
    programme = managed_programme(actor)
    wanted = set(ids)
    students = list(
        session.scalars(
            select(Student)
            .where(Student.id.in_(wanted), Student.programme_id == programme.id)
            .order_by(Student.last_name, Student.first_name, Student.id)
        )
    )
    if len(students) != len(wanted):
        raise Denied()
    return students


def students_by_number(
    session: Session, programme: Institution, numbers: Iterable[str]
) -> dict[str, Student]:
    """The programme's students with one of ``numbers``, by student number."""
    wanted = sorted({number for number in numbers if number})
    found: dict[str, Student] = {}
    for start in range(0, len(wanted), 500):
        found |= {
            student.student_number: student
            for student in session.scalars(
                select(Student).where(
                    Student.programme_id == programme.id,
                    Student.student_number.in_(wanted[start : start + 500]),
                )
            )
        }
    return found
