"""``stagebank mail send``: deliver the outbox now."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("mail")
def mail_group():
    """The mail outbox."""


@mail_group.command("send")
@click.option(
    "--limit", default=100, show_default=True, type=click.IntRange(min=1), help="At most."
)
@with_appcontext
def send_command(limit: int):
    """Send the queued mail that is due, and print how many were sent, retried or failed."""
    from core.mail.services import deliver_pending

    report = deliver_pending(current_app._get_current_object(), limit=limit)
    click.echo(f"Mail: {report.sent} sent, {report.retried} retried, {report.failed} failed.")
