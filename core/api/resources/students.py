"""A programme's students: the list and adding one (``core.placements.students``)."""

from __future__ import annotations

from core.access.current import current_actor
from core.access.routes import Access, access
from core.api.common import Presented, api_blueprint, page_of_list
from core.api.schemas import PageArgs, StudentSchema, StudentValuesSchema, page_of
from core.database import db_session
from core.placements import students

blp = api_blueprint("students", "The students of the token's programme (its coordinator).")


@blp.route("/students")
@access(Access.MEMBER)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(StudentSchema))
def list_students(args):
    """The programme's students by name, with the status of each one's latest request."""
    overview = students.students_overview(db_session(), current_actor())
    items = [Presented(student, latest_status=status) for student, status in overview]
    return page_of_list(items, args)


@blp.route("/students", methods=["POST"])
@access(Access.MEMBER)
@blp.arguments(StudentValuesSchema)
@blp.response(201, StudentSchema)
def add_student(values):
    session = db_session()
    student = students.add_student(session, current_actor(), students.StudentValues(**values))
    session.commit()
    return Presented(student, latest_status=None)
