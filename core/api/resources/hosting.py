"""A school's hosting status per school year: whether it takes trainees, why not, how
many at most, and rough counts per subject (``core.offers.services``)."""

from __future__ import annotations

from core.access.current import current_actor
from core.access.routes import Access, access
from core.api.common import api_blueprint, checked_school_year
from core.api.schemas import HostingStatusSchema, HostingValuesSchema
from core.database import db_session
from core.offers.models import HostingAnswer, NoHostingReason
from core.offers.services import hosting_status, school_for, set_hosting_status

blp = api_blueprint("hosting", "A school's hosting status and capacity per school year.")
PATH = "/institutions/<id:institution_id>/hosting/<school_year>"


def _unanswered(school_id: int, school_year: str) -> dict:
    return {
        "school_id": school_id,
        "school_year": school_year,
        "answer": None,
        "no_reason": None,
        "capacity": None,
        "accepted_count": 0,
        "free_capacity": None,
        "estimates": [],
        "updated_at": None,
    }


@blp.route(PATH)
@access(Access.MEMBER)
@blp.response(200, HostingStatusSchema)
def get_hosting(institution_id: int, school_year: str):
    """The school's answer for ``school_year`` (e.g. 2026-2027); ``answer`` is null
    until the school gives one."""
    session = db_session()
    school = school_for(session, current_actor(), institution_id)
    checked_school_year(school_year)
    return hosting_status(session, school, school_year) or _unanswered(school.id, school_year)


@blp.route(PATH, methods=["PUT"])
@access(Access.MEMBER)
@blp.arguments(HostingValuesSchema)
@blp.response(200, HostingStatusSchema)
def set_hosting(values, institution_id: int, school_year: str):
    """Answer for ``school_year``: ``yes``, ``maybe`` (with ``estimates``), ``no`` (with
    ``no_reason``) or ``full``; ``capacity`` limits the trainees over all subjects."""
    session, actor = db_session(), current_actor()
    school = school_for(session, actor, institution_id)
    status = set_hosting_status(
        session,
        actor,
        school,
        school_year,
        HostingAnswer(values["answer"]),
        capacity=values["capacity"],
        no_reason=NoHostingReason(values["no_reason"]) if values["no_reason"] else None,
        estimates={e["subject_id"]: e["places"] for e in values["estimates"]},
    )
    session.commit()
    return status
