"""Placement requests: create, read, list, status changes through the state machine,
the message thread and the mentor, all through ``core.placements.services``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.access.current import current_actor
from core.access.policy import student_fields_for, visible_requests
from core.access.routes import Access, access
from core.api.common import Presented, api_blueprint, checked_school_year, page_of_query
from core.api.schemas import (
    MentorSchema,
    MessageSchema,
    RequestArgs,
    RequestSchema,
    RequestValuesSchema,
    TransitionSchema,
    page_of,
)
from core.database import db_session
from core.notifications.services import notify_message_posted
from core.offers import school_years
from core.placements import services
from core.placements.models import PlacementRequest, RequestStatus
from core.plugins.manager import plugins_of

blp = api_blueprint("requests", "Placement requests, their status changes and messages.")


def present(request: PlacementRequest) -> Presented:
    """A request as the actor may see it: the student's fields their side may know, and
    the status changes open to them."""
    actor = current_actor()
    student = request.student
    return Presented(
        request,
        student={"id": student.id}
        | {name: getattr(student, name) for name in student_fields_for(actor, request)},
        available_transitions=[s.value for s in services.available_transitions(actor, request)],
    )


@blp.route("/requests")
@access(Access.MEMBER)
@blp.arguments(RequestArgs, location="query")
@blp.response(200, page_of(RequestSchema))
def list_requests(args):
    """The requests the token may see, most recently changed first."""
    statement = (
        select(PlacementRequest)
        .where(visible_requests(current_actor()))
        .options(
            joinedload(PlacementRequest.school),
            joinedload(PlacementRequest.programme),
            joinedload(PlacementRequest.student),
            joinedload(PlacementRequest.subject),
        )
        .order_by(PlacementRequest.updated_at.desc(), PlacementRequest.id.desc())
    )
    if args.get("status"):
        statement = statement.where(PlacementRequest.status == RequestStatus(args["status"]))
    if year := args.get("school_year"):
        first, last = school_years.bounds(checked_school_year(year))
        statement = statement.where(PlacementRequest.period_start.between(first, last))
    page = page_of_query(db_session(), statement, args)
    page["items"] = [present(request) for request in page["items"]]
    return page


@blp.route("/requests", methods=["POST"])
@access(Access.MEMBER)
@blp.arguments(RequestValuesSchema)
@blp.response(201, RequestSchema)
def create_request(values):
    """A request of the token's programme (its coordinator) for one student; sent to the
    school at once unless ``submit`` is false."""
    session = db_session()
    submit = values.pop("submit")
    created = services.create_request(
        session, plugins_of(), current_actor(), services.RequestValues(**values), submit=submit
    )
    session.commit()
    return present(created)


def _request(request_id: int) -> PlacementRequest:
    return services.request_for(db_session(), current_actor(), request_id)


@blp.route("/requests/<id:request_id>")
@access(Access.MEMBER)
@blp.response(200, RequestSchema)
def get_request(request_id: int):
    return present(_request(request_id))


@blp.route("/requests/<id:request_id>/transitions", methods=["POST"])
@access(Access.MEMBER)
@blp.arguments(TransitionSchema)
@blp.response(200, RequestSchema)
@blp.alt_response(409, description="The state machine or the places refuse the change.")
def transition_request(change, request_id: int):
    """Move a request to another status (accept, decline, withdraw, cancel, complete);
    ``reason`` is needed to decline or cancel."""
    session = db_session()
    placement_request = _request(request_id)
    services.transition(
        session,
        plugins_of(),
        placement_request,
        RequestStatus(change["status"]),
        current_actor(),
        change["reason"],
    )
    session.commit()
    return present(placement_request)


@blp.route("/requests/<id:request_id>/messages")
@access(Access.MEMBER)
@blp.response(200, MessageSchema(many=True))
def list_messages(request_id: int):
    """The thread between programme and school, oldest first."""
    return services.messages_of(db_session(), _request(request_id))


@blp.route("/requests/<id:request_id>/messages", methods=["POST"])
@access(Access.MEMBER)
@blp.arguments(MessageSchema)
@blp.response(201, MessageSchema)
def post_message(message, request_id: int):
    session = db_session()
    posted = services.post_message(session, current_actor(), _request(request_id), message["body"])
    notify_message_posted(session, posted)
    session.commit()
    return posted


@blp.route("/requests/<id:request_id>/mentor", methods=["PUT"])
@access(Access.MEMBER)
@blp.arguments(MentorSchema)
@blp.response(200, RequestSchema)
def assign_mentor(choice, request_id: int):
    """The school names the mentor of an accepted request (null: none)."""
    session = db_session()
    placement_request = _request(request_id)
    services.assign_mentor(session, current_actor(), placement_request, choice["mentor_id"])
    session.commit()
    return present(placement_request)
