"""Liveness (``/healthz``: this process answers and reaches the database) and readiness
(``/readyz``: the database and, when configured, Redis answer) for load balancers and
orchestrators. Both answer 503 naming the part that failed."""

from __future__ import annotations

from flask import Blueprint, current_app

from core.access.routes import Access, access
from core.database import database
from core.jobs.queue import redis_connection

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@access(Access.PUBLIC)
def healthz():
    return _answer(database=_database_state())


@bp.get("/readyz")
@access(Access.PUBLIC)
def readyz():
    return _answer(database=_database_state(), redis=_redis_state())


def _answer(**parts: str):
    healthy = all(state in ("ok", "not configured") for state in parts.values())
    return {"status": "ok" if healthy else "unavailable", **parts}, 200 if healthy else 503


def _database_state() -> str:
    return "ok" if database().is_reachable() else "unreachable"


def _redis_state() -> str:
    connection = redis_connection(current_app)
    if connection is None:
        return "not configured"
    try:
        connection.ping()
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return "unreachable"
    return "ok"
