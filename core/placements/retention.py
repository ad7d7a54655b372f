"""GDPR retention: anonymise students whose placements ended long enough ago.

Only personal fields are blanked; requests, their states, levels, subjects and dates stay,
so every aggregate in the reports is the same before and after.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from core.audit.services import record
from core.placements.models import PlacementRequest, Student

ANONYMOUS_NAME = "Geanonimiseerd"


def students_past_retention(session: Session, ended_before: date) -> list[Student]:
    """Students, not yet anonymised, with no placement ending on or after ``ended_before``."""
    still_relevant = exists().where(
        PlacementRequest.student_id == Student.id, PlacementRequest.period_end >= ended_before
    )
    return list(
        session.scalars(
            select(Student)
            .where(~still_relevant, Student.first_name != ANONYMOUS_NAME)
            .order_by(Student.id)
        )
    )


def anonymise_students(session: Session, ended_before: date) -> int:
    """Blank the personal data of every student past retention; return how many."""
    students = students_past_retention(session, ended_before)
    for student in students:
        student.first_name = ANONYMOUS_NAME
        student.last_name = f"#{student.id}"
        student.email = f"student-{student.id}@anonymised.invalid"
        student.student_number = ""
        student.home_postcode = None
        student.user_id = None
    if students:
        ids = [student.id for student in students]
        session.execute(
            update(PlacementRequest).where(PlacementRequest.student_id.in_(ids)).values(message="")
        )
    record(
        session,
        "students_anonymised",
        None,
        None,
        count=len(students),
        ended_before=ended_before.isoformat(),
    )
    return len(students)
