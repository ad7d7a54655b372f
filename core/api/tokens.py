"""Personal API tokens: created and revoked by their owner, shown once, stored as SHA-256.

A token acts with its owner's rights in one membership (an administrator's may act
without one). It authenticates API requests only: the web pages never read it, and the
API never reads the session cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import g, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access.policy import ANONYMOUS, Actor, Denied
from core.accounts.models import Membership, User
from core.api.models import ApiToken
from core.database import db_session, utcnow

TOKEN_START = "sbk_"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: ``last_used_at`` is written at most this often per token (not on every request).
LAST_USED_STEP = timedelta(minutes=5)
MAX_NAME = 100


class TokenRefused(ValueError):
    """A token that cannot be created; ``errors`` maps fields to Dutch messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The person's tokens that still work, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id.desc())
        )
    )


def create_token(
    session: Session,
    user: User,
    name: str,
    membership: Membership | None,
    read_only: bool = False,
) -> tuple[ApiToken, str]:
    """Create a token for ``user`` acting in ``membership``; return it and its secret,
    which is shown this once and never stored."""
    if membership is not None and membership.user_id != user.id:
        raise Denied()
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [str(_l("Geef de token een naam."))]
    elif len(name) > MAX_NAME:
        errors["name"] = [str(_l("Gebruik hoogstens 100 tekens."))]
    if membership is None and not user.is_admin:
        errors["membership_id"] = [str(_l("Kies de rol waarin de token werkt."))]
    if errors:
        raise TokenRefused(errors)
    secret = TOKEN_START + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        membership=membership,
        name=name,
        token_hash=digest(secret),
        prefix=secret[: len(TOKEN_START) + 4],
        read_only=read_only,
    )
    session.add(token)
    session.flush()
    return token, secret


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s own tokens (someone else's is :class:`Denied`)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise Denied()
    token.revoked_at = token.revoked_at or utcnow()
    session.flush()
    return token


def authenticate(session: Session, secret: str) -> ApiToken | None:
    """The working token with this secret, or None (unknown, revoked, inactive owner)."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_STEP:
        token.last_used_at = now
        session.commit()
    return token


def bearer_secret(header: str | None) -> str | None:
    """The secret of an ``Authorization: Bearer <secret>`` header."""
    scheme, _, secret = (header or "").partition(" ")
    secret = secret.strip()
    return secret if scheme.lower() == "bearer" and secret else None


def token_actor() -> Actor:
    """The actor of an API request: the token's owner in the token's membership."""
    secret = bearer_secret(request.headers.get("Authorization"))
    token = authenticate(db_session(), secret) if secret else None
    g.api_token = token
    return Actor(token.user, token.membership) if token else ANONYMOUS


def current_token() -> ApiToken | None:
    return g.get("api_token")


def write_refused() -> bool:
    """True when a read-only token asks for anything but reading."""
    token = current_token()
    return token is not None and token.read_only and request.method not in SAFE_METHODS
