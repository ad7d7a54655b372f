"""Secret calendar-feed links: only a SHA-256 of the token is stored, so the link can be
shown once and never again; renewing it replaces the hash, which kills the old link."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.models import User
from core.audit.services import record


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def renew_feed_token(session: Session, user: User) -> str:
    """Give ``user`` a new feed token (the old one stops working) and return it."""
    token = secrets.token_urlsafe(32)
    user.calendar_token_hash = _digest(token)
    record(session, "calendar_link_renewed", user, user)
    session.flush()
    return token


def stop_feed(session: Session, user: User) -> None:
    """Switch ``user``'s feed off: the link answers 404 from now on."""
    user.calendar_token_hash = None
    record(session, "calendar_link_stopped", user, user)
    session.flush()


def user_for_token(session: Session, token: str) -> User | None:
    """The active person whose feed ``token`` is, or None."""
    if not token or len(token) > 100:
        return None
    return session.scalar(
        select(User).where(User.calendar_token_hash == _digest(token), User.active)
    )
