"""Tables of the bridge framework: external ids, runs with their issues, and the outbox."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import Base, UtcDateTime, enum_type, utcnow


class BridgeMapping(Base):
    """One external record and the local row it became; a rerun updates that row.

    ``fingerprint`` is a hash of the record's values at the last sync (unchanged records
    are skipped); ``local_updated_at`` is the local row's ``updated_at`` right after it, so
    a later local change is recognised (the conflict rule in :mod:`core.bridges.services`).
    """

    __tablename__ = "bridge_mappings"
    __table_args__ = (
        UniqueConstraint("system", "kind", "external_id"),
        Index("ix_bridge_mappings_local", "local_table", "local_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(200))
    local_table: Mapped[str] = mapped_column(String(64))
    local_id: Mapped[int]
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    remote_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    local_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    #: Every record applied.
    SUCCEEDED = "succeeded"
    #: ``--partial``: the good records applied, the refused ones reported.
    PARTIAL = "partial"
    #: Refused records, so nothing was applied.
    REFUSED = "refused"
    #: The other side or the file could not be read; nothing was applied.
    FAILED = "failed"
    #: ``--dry-run``: what would change was counted, nothing was changed.
    CHECKED = "checked"


RUN_STATUS_LABELS = {
    RunStatus.RUNNING: _l("Bezig"),
    RunStatus.SUCCEEDED: _l("Geslaagd"),
    RunStatus.PARTIAL: _l("Gedeeltelijk toegepast"),
    RunStatus.REFUSED: _l("Geweigerd: niets toegepast"),
    RunStatus.FAILED: _l("Mislukt: niets toegepast"),
    RunStatus.CHECKED: _l("Proefdraai: niets gewijzigd"),
}


class BridgeRun(Base):
    """One sync of a bridge or one legacy import, with what it did and why it refused."""

    __tablename__ = "bridge_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The bridge name, or ``legacy-<format>`` for an import.
    bridge: Mapped[str] = mapped_column(String(64), index=True)
    #: ``all-or-nothing`` or ``partial``.
    mode: Mapped[str] = mapped_column(String(16))
    dry_run: Mapped[bool] = mapped_column(default=False)
    #: Who started it: ``cli``, ``admin`` or ``job``.
    source: Mapped[str] = mapped_column(String(16), default="cli")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[RunStatus] = mapped_column(enum_type(RunStatus), default=RunStatus.RUNNING)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    refused: Mapped[int] = mapped_column(default=0)
    #: Records whose local row changed after the remote one: kept, reported.
    conflicts: Mapped[int] = mapped_column(default=0)
    #: Outbox changes delivered in this run, and those still waiting afterwards.
    pushed: Mapped[int] = mapped_column(default=0)
    waiting: Mapped[int] = mapped_column(default=0)
    #: Why the run failed as a whole (one sentence), or a remark.
    message: Mapped[str] = mapped_column(Text, default="")

    issues: Mapped[list[BridgeRunIssue]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="BridgeRunIssue.id"
    )


class IssueLevel(enum.StrEnum):
    REFUSED = "refused"
    CONFLICT = "conflict"
    WARNING = "warning"


class BridgeRunIssue(Base):
    """A refused record (with its reason), a conflict or a warning of one run."""

    __tablename__ = "bridge_run_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("bridge_runs.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[IssueLevel] = mapped_column(enum_type(IssueLevel))
    kind: Mapped[str] = mapped_column(String(32), default="")
    external_id: Mapped[str] = mapped_column(String(200), default="")
    #: Line of the file or index in the answer, when known.
    position: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text)

    run: Mapped[BridgeRun] = relationship(back_populates="issues")


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    #: The other side refused it for good; kept for the record, not retried.
    REFUSED = "refused"


class BridgeOutbox(Base):
    """A local change waiting to be pushed to an external system, written in the same
    transaction as the change itself and delivered (with retries) by the next run."""

    __tablename__ = "bridge_outbox"
    __table_args__ = (Index("ix_bridge_outbox_system_status", "system", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(200))
    local_id: Mapped[int]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_type(OutboxStatus), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
