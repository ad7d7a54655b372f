"""``stagebank notifications ...``: the daily digest and start reminders (scheduled jobs).

Both are idempotent: run them as often as you like; ``stagebank mail send`` delivers.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from core.database import database, utcnow
from core.notifications.services import (
    UPCOMING_DAYS,
    local_date,
    notify_upcoming_starts,
    send_digests,
)


@click.group("notifications")
def notifications_group():
    """Notification mail: daily digests and reminders before an internship starts."""


@notifications_group.command("digest")
@with_appcontext
def digest_command():
    """Queue today's digest for everyone with waiting notifications (one per day)."""
    with database(current_app).sessionmaker() as session, session.begin():
        report = send_digests(session, utcnow())
    click.echo(f"Digests: {report.mails} queued, covering {report.items} notification(s).")


@notifications_group.command("upcoming")
@click.option(
    "--days",
    default=UPCOMING_DAYS,
    show_default=True,
    type=click.IntRange(min=0),
    help="Remind of accepted internships starting within this many days.",
)
@with_appcontext
def upcoming_command(days: int):
    """Remind everyone involved of internships that start soon (once per internship)."""
    with database(current_app).sessionmaker() as session, session.begin():
        made = notify_upcoming_starts(session, local_date(utcnow()), days)
    click.echo(f"Upcoming starts: {made} notification(s) queued or added to digests.")
