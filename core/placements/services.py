"""The placement-request state machine: the one path every status change takes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from core.access.policy import Action, Actor, Denied, require, visible_requests
from core.accounts.models import User
from core.placements.models import PlacementRequest, RequestEvent, RequestStatus
from core.plugins.manager import Plugins

S = RequestStatus
TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.ACCEPTED, S.DECLINED, S.EXPIRED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.CANCELLED, S.COMPLETED}),
}
REASON_REQUIRED = frozenset({S.DECLINED, S.CANCELLED})


class TransitionRefused(ValueError):
    """An invalid status change; the message is shown to the user."""


def transition(
    session: Session,
    plugins: Plugins,
    placement_request: PlacementRequest,
    to_status: RequestStatus,
    actor: User | None,
    reason: str = "",
) -> RequestEvent:
    """Move a request to ``to_status``, record the event and tell the plugins.

    Refuses a change the state machine does not allow, and a decline or cancellation
    without a reason. The caller commits.
    """
    to_status = RequestStatus(to_status)
    from_status = placement_request.status
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        raise TransitionRefused(
            _l(
                "Een aanvraag met status %(from_status)s kan niet naar %(to_status)s.",
                from_status=from_status.value,
                to_status=to_status.value,
            )
        )
    if to_status in REASON_REQUIRED and not reason.strip():
        raise TransitionRefused(_l("Geef een reden op."))
    placement_request.status = to_status
    event = RequestEvent(
        placement_request=placement_request,
        actor=actor,
        from_status=from_status.value,
        to_status=to_status.value,
        reason=reason.strip(),
    )
    session.add(event)
    session.flush()
    plugins.hook.stagebank_request_status_changed(placement_request=placement_request, event=event)
    return event


def record_creation(
    session: Session, placement_request: PlacementRequest, actor: User | None
) -> RequestEvent:
    """Record the first event of a new request (from nothing to its initial status)."""
    event = RequestEvent(
        placement_request=placement_request,
        actor=actor,
        from_status=None,
        to_status=placement_request.status.value,
    )
    session.add(event)
    session.flush()
    return event


def requests_for(session: Session, actor: Actor, limit: int = 200) -> list[PlacementRequest]:
    """The requests ``actor`` may see, most recently changed first."""
    return list(
        session.scalars(
            select(PlacementRequest)
            .where(visible_requests(actor))
            .options(
                joinedload(PlacementRequest.school),
                joinedload(PlacementRequest.student),
                joinedload(PlacementRequest.subject),
            )
            .order_by(PlacementRequest.updated_at.desc(), PlacementRequest.id.desc())
            .limit(limit)
        )
    )


def request_for(session: Session, actor: Actor, request_id: int) -> PlacementRequest:
    """One request ``actor`` may see, or :class:`Denied` (also for ids that do not exist)."""
    placement_request = session.get(PlacementRequest, request_id)
    if placement_request is None:
        raise Denied()
    require(actor, Action.VIEW_REQUEST, placement_request)
    return placement_request
