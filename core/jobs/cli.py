"""``stagebank worker`` and ``stagebank jobs ...``: background jobs from the command line."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from core.jobs.queue import run_job
from core.jobs.schedule import SCHEDULE, schedule_state, start_due


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker_command(burst: bool):
    """Run background jobs from the Redis queue, and start scheduled jobs when they are due."""
    from core.jobs.worker import run_worker

    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException(
            "The worker needs STAGEBANK_REDIS_URL; without Redis, run `stagebank jobs run-due` "
            "from cron instead."
        )
    run_worker(app, burst=burst)


@click.group("jobs")
def jobs_group():
    """Scheduled background jobs."""


@jobs_group.command("run-due")
@with_appcontext
def run_due_command():
    """Run, in this process, every scheduled job that is due (from cron, every minute)."""
    app = current_app._get_current_object()
    outcomes = start_due(app, lambda name: click.echo(f"{name}: {run_job(app, name, {})}"))
    if not outcomes:
        click.echo("Nothing is due.")
    failed = sorted(name for name, error in outcomes.items() if error is not None)
    if failed:
        raise click.ClickException(
            f"These jobs failed and will be tried again at the next run: {', '.join(failed)}."
        )


@jobs_group.command("list")
@with_appcontext
def list_command():
    """Show every scheduled job, when it runs and when it last started."""
    last_runs = schedule_state(current_app._get_current_object()).last_runs()
    for name, timing in SCHEDULE.items():
        click.echo(f"{name:<18} {timing!s:<34} last started: {last_runs.get(name, 'never')}")
