"""The actor of the current request: on web pages the signed-in user in their chosen
membership; under ``/api/`` the owner of the bearer token in the token's membership."""

from __future__ import annotations

from flask import g, has_request_context, request, session
from flask_login import current_user

from core.access.policy import ANONYMOUS, Actor

MEMBERSHIP_KEY = "membership_id"
API_PATH = "/api/"


def is_api_request() -> bool:
    """True under ``/api/``: only a token counts there, and never on the web pages."""
    return has_request_context() and request.path.startswith(API_PATH)


def current_actor() -> Actor:
    """Build (once per request) the :class:`Actor` for the signed-in user or the token."""
    if "actor" in g:
        return g.actor
    if is_api_request():
        from core.api.tokens import token_actor

        g.actor = token_actor()
        return g.actor
    user = current_user._get_current_object() if current_user.is_authenticated else None
    if user is None:
        actor = ANONYMOUS
    else:
        memberships = {m.id: m for m in user.memberships}
        chosen = memberships.get(session.get(MEMBERSHIP_KEY))
        if chosen is None and memberships:
            chosen = min(memberships.values(), key=lambda m: m.id)
        actor = Actor(user, chosen)
    g.actor = actor
    return actor


def choose_membership(membership_id: int) -> bool:
    """Act in another of one's own memberships; False when it is not theirs."""
    if not any(m.id == membership_id for m in current_user.memberships):
        return False
    session[MEMBERSHIP_KEY] = membership_id
    g.pop("actor", None)
    return True
