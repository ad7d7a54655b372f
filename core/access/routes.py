"""Every route declares who may reach it; a route that declares nothing is refused.

Levels, from open to closed:

* ``PUBLIC``: anyone, signed in or not.
* ``SIGNED_IN``: any signed-in person, also one whose institution still awaits approval.
* ``MEMBER``: a person acting for an approved institution, or an administrator. Which
  objects they reach is then decided by :mod:`core.access.policy` in the services.
* ``ADMIN``: platform administrators only.

Under ``/api/`` the same levels hold for the owner of the bearer token; a refusal there is
a JSON 401 or 403 instead of a redirect.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from flask import Flask, abort, redirect, request, url_for

from core.access.current import current_actor, is_api_request


class Access(enum.StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"
    MEMBER = "member"
    ADMIN = "admin"


#: Endpoints of Flask itself that carry no view decorator.
BUILTIN_ENDPOINTS = {"static": Access.PUBLIC}


def access(level: Access) -> Callable:
    """Declare the access level of a view function."""

    def mark(view: Callable) -> Callable:
        view.access = level
        return view

    return mark


def route_access(app: Flask, endpoint: str) -> Access | None:
    """The declared level of ``endpoint``, or None when it declares nothing."""
    if endpoint in BUILTIN_ENDPOINTS:
        return BUILTIN_ENDPOINTS[endpoint]
    view = app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def enforce_route_access(app: Flask) -> None:
    """Check the declared level before every request."""

    @app.before_request
    def _check():
        if request.endpoint is None:  # 404 / 405 are answered by Flask itself
            return None
        level = route_access(app, request.endpoint)
        if level is None:
            abort(403)
        if level is Access.PUBLIC:
            return None
        actor = current_actor()
        if actor.user is None:
            if is_api_request():  # no redirect for programs: 401, answered as JSON
                abort(401)
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        if level is Access.SIGNED_IN:
            return None
        if level is Access.ADMIN and not actor.is_admin:
            abort(403)
        if level is Access.MEMBER and not (actor.is_admin or actor.is_active_member):
            if is_api_request():
                abort(403)
            return redirect(url_for("accounts.account"))
        return None
