"""The jobs: plain functions of the app (and JSON-friendly keyword arguments) that return a
one-line summary. Each one is idempotent: running it twice does no harm, so a retry after a
crash, or a scheduled run on top of a triggered one, is always safe."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Flask

from core.database import database, utcnow
from core.mail.services import deliver_pending
from core.notifications import services as notifications
from core.placements.services import expire_overdue
from core.plugins.manager import plugins_of


def deliver_mail(app: Flask, limit: int = 100) -> str:
    """Send the queued mail that is due, ``limit`` at a time, until none is left."""
    sent = retried = failed = 0
    while True:
        report = deliver_pending(app, limit=limit)
        sent, retried, failed = sent + report.sent, retried + report.retried, failed + report.failed
        if report.sent + report.retried + report.failed < limit:
            return f"Mail: {sent} sent, {retried} retried, {failed} failed."


def expire_requests(app: Flask, today: str | None = None) -> str:
    """Expire submitted requests past their answer deadline (``today``: YYYY-MM-DD)."""
    with database(app).sessionmaker() as session, session.begin():
        count = expire_overdue(
            session, plugins_of(app), date.fromisoformat(today) if today else None
        )
    return f"{count} request(s) expired."


def notify_upcoming(app: Flask, days: int = notifications.UPCOMING_DAYS) -> str:
    """Remind everyone involved of accepted internships that start within ``days`` days."""
    with database(app).sessionmaker() as session, session.begin():
        made = notifications.notify_upcoming_starts(
            session, notifications.local_date(utcnow()), days
        )
    return f"Upcoming starts: {made} notification(s) queued or added to digests."


def send_digests(app: Flask) -> str:
    """Queue today's digest for everyone with waiting notifications."""
    with database(app).sessionmaker() as session, session.begin():
        report = notifications.send_digests(session, utcnow())
    return f"Digests: {report.mails} queued, covering {report.items} notification(s)."


def sync_bridges(app: Flask) -> str:
    """Start a sync of every bridge whose settings let it connect, each as its own job."""
    from core.bridges.registry import available_bridges
    from core.bridges.runner import connect_problem
    from core.jobs.queue import enqueue

    names = [
        name
        for name, (_plugin, spec) in sorted(available_bridges(plugins_of(app)).items())
        if connect_problem(app, spec) is None
    ]
    for name in names:
        enqueue("sync_bridge", name=name)
    return f"Bridge syncs started: {', '.join(names) or 'none'}."


def sync_bridge(app: Flask, name: str) -> str:
    """Push to and pull from bridge ``name`` once (a run already going blocks this one)."""
    from core.bridges.runner import BridgeRefused, run_summary
    from core.bridges.runner import sync_bridge as run

    try:
        return run_summary(run(app, name, source="job", locale="en"))
    except BridgeRefused as refused:
        return str(refused)


JOBS: dict[str, Callable[..., str]] = {
    "deliver_mail": deliver_mail,
    "expire_requests": expire_requests,
    "notify_upcoming": notify_upcoming,
    "send_digests": send_digests,
    "sync_bridges": sync_bridges,
    "sync_bridge": sync_bridge,
}
