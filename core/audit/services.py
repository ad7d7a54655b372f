"""Write audit entries; never commits (the caller's transaction decides)."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy.orm import Session

from core.accounts.models import User
from core.audit.models import AuditEntry


def record(
    session: Session,
    event: str,
    actor: User | None = None,
    target: Any = None,
    **details: Any,
) -> AuditEntry:
    """Record ``event`` (e.g. ``login_failed``) by ``actor`` on ``target``."""
    entry = AuditEntry(
        event=event,
        actor=actor,
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "id", None),
        address=request.remote_addr or "" if has_request_context() else "",
        details={key: str(value) for key, value in details.items()},
    )
    session.add(entry)
    return entry
