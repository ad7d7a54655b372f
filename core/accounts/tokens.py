"""Single-use, expiring tokens for password resets and invitations."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.models import AccountToken, TokenPurpose
from core.database import utcnow

LIFETIMES = {
    TokenPurpose.PASSWORD_RESET: timedelta(hours=1),
    TokenPurpose.INVITATION: timedelta(days=14),
}


class TokenInvalid(ValueError):
    """The link is unknown, already used or expired; the message says which."""


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(session: Session, purpose: TokenPurpose, email: str, **fields) -> str:
    """Store a new token's hash and return the raw token (it is shown only in the link)."""
    raw = secrets.token_urlsafe(32)
    session.add(
        AccountToken(
            token_hash=_digest(raw),
            purpose=purpose,
            email=email,
            expires_at=utcnow() + LIFETIMES[purpose],
            **fields,
        )
    )
    session.flush()
    return raw


def find_token(session: Session, raw: str, purpose: TokenPurpose) -> AccountToken:
    """The usable token for ``raw``, or :class:`TokenInvalid` with a clear reason."""
    token = session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == _digest(raw or ""), AccountToken.purpose == purpose
        )
    )
    if token is None:
        raise TokenInvalid(_l("Deze link is ongeldig."))
    if token.used_at is not None:
        raise TokenInvalid(_l("Deze link werd al gebruikt. Vraag een nieuwe aan."))
    if token.expires_at <= utcnow():
        raise TokenInvalid(_l("Deze link is verlopen. Vraag een nieuwe aan."))
    return token


def use_token(token: AccountToken) -> None:
    token.used_at = utcnow()
