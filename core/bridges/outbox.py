"""The outbox of changes to push back to external systems.

A status change of a request that came from a bridge is queued in the same transaction as
the change itself (from the core's ``stagebank_request_status_changed`` hook), so it is
never lost: when the other side is down it waits, and the next run delivers it. Each row
keeps its id over retries, so the other side can recognise a repeated delivery.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.bridges.models import BridgeMapping, BridgeOutbox, OutboxStatus
from core.bridges.services import APPLYING, NEW_REQUESTS
from core.database import utcnow
from core.placements.models import PlacementRequest, RequestEvent
from core.plugins.types import BridgeChange, BridgeChangeRefused, BridgeConnector, BridgeUnavailable

#: Systems of legacy imports: files, with nobody to push to.
LEGACY_PREFIX = "legacy-"
REQUEST_STATUS = "request_status"


def queue_status_change(
    session: Session, placement_request: PlacementRequest, event: RequestEvent
) -> list[BridgeOutbox]:
    """Queue the change for every bridge the request came from (not the one applying it)."""
    queued: list[BridgeOutbox] = []
    if placement_request.id in session.info.get(NEW_REQUESTS, ()):
        return queued  # created by the batch being applied: mapped by nothing yet
    for mapping in session.scalars(
        select(BridgeMapping).where(
            BridgeMapping.kind == "request",
            BridgeMapping.local_table == PlacementRequest.__tablename__,
            BridgeMapping.local_id == placement_request.id,
        )
    ):
        if mapping.system.startswith(LEGACY_PREFIX) or session.info.get(APPLYING) == mapping.system:
            continue
        row = BridgeOutbox(
            system=mapping.system,
            kind=REQUEST_STATUS,
            external_id=mapping.external_id,
            local_id=placement_request.id,
            payload={
                "status": event.to_status,
                "from_status": event.from_status,
                "reason": event.reason,
                "changed_at": (event.created_at or utcnow()).isoformat(),
            },
        )
        session.add(row)
        queued.append(row)
    session.flush()
    return queued


def waiting_count(session: Session, system: str) -> int:
    return session.scalar(
        select(func.count(BridgeOutbox.id)).where(
            BridgeOutbox.system == system, BridgeOutbox.status == OutboxStatus.PENDING
        )
    )


@dataclass
class Delivery:
    delivered: int = 0
    #: Why delivery stopped (the other side is unavailable), or "".
    stopped: str = ""
    #: ``(row, reason)`` for changes the other side refused for good.
    refused: list[tuple[BridgeOutbox, str]] | None = None


def deliver(session: Session, system: str, connector: BridgeConnector) -> Delivery:
    """Push ``system``'s waiting changes oldest first, committing each delivery.

    At the first failure to reach the other side delivery stops, so changes of one request
    arrive in order; the rest waits for the next run.
    """
    result = Delivery(refused=[])
    pending = session.scalars(
        select(BridgeOutbox)
        .where(BridgeOutbox.system == system, BridgeOutbox.status == OutboxStatus.PENDING)
        .order_by(BridgeOutbox.id)
    ).all()
    for row in pending:
        row.attempts += 1
        row.last_attempt_at = utcnow()
        change = BridgeChange(row.id, row.kind, row.external_id, dict(row.payload))
        try:
            connector.push(change)
        except BridgeChangeRefused as refused:
            row.status, row.last_error = OutboxStatus.REFUSED, str(refused)
            result.refused.append((row, str(refused)))
        except BridgeUnavailable as unavailable:
            row.last_error = str(unavailable)
            result.stopped = str(unavailable)
            session.commit()
            return result
        else:
            row.status, row.delivered_at, row.last_error = OutboxStatus.DELIVERED, utcnow(), ""
            result.delivered += 1
        session.commit()
    return result
