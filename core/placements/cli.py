"""``stagebank gdpr ...``: retention of student personal data."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from core.database import database
from core.placements.retention import anonymise_students, students_past_retention


@click.group("gdpr")
def gdpr_group():
    """Personal data retention."""


@gdpr_group.command("anonymise-students")
@click.option(
    "--ended-before",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Anonymise students with no placement ending on or after this date (YYYY-MM-DD).",
)
@click.option("--dry-run", is_flag=True, help="Only count; change nothing.")
@with_appcontext
def anonymise_students_command(ended_before, dry_run: bool):
    """Blank the personal data of students past the retention period."""
    cutoff: date = ended_before.date()
    with database(current_app).sessionmaker() as session, session.begin():
        if dry_run:
            count = len(students_past_retention(session, cutoff))
            click.echo(f"{count} student(s) would be anonymised.")
            return
        count = anonymise_students(session, cutoff)
    click.echo(f"{count} student(s) anonymised.")


@click.group("requests")
def requests_group():
    """Placement requests: scheduled jobs."""


@requests_group.command("expire")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Pretend today is this date (YYYY-MM-DD); default: today.",
)
@with_appcontext
def expire_command(today):
    """Expire submitted requests whose answer deadline has passed (run daily from cron)."""
    from core.placements.services import expire_overdue
    from core.plugins.manager import plugins_of

    with database(current_app).sessionmaker() as session, session.begin():
        count = expire_overdue(session, plugins_of(current_app), today.date() if today else None)
    click.echo(f"{count} request(s) expired.")
