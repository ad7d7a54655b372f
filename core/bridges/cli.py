"""``stagebank bridge list|sync`` and ``stagebank import legacy``: output in English, one
clear sentence on errors, exit code 1 when a run refused or failed."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from core.bridges.legacy import FORMATS, import_legacy
from core.bridges.models import BridgeRun, RunStatus
from core.bridges.outbox import waiting_count
from core.bridges.registry import DuplicateBridge, available_bridges
from core.bridges.runner import (
    BridgeRefused,
    bridge_settings,
    connect_problem,
    run_summary,
    sync_bridge,
)
from core.database import database
from core.plugins.manager import plugins_of

DRY_RUN = click.option("--dry-run", is_flag=True, help="Check and count; change nothing.")
PARTIAL = click.option(
    "--partial", is_flag=True, help="Apply the good records and report the bad ones."
)


def echo_run(run: BridgeRun) -> None:
    """Print a run's summary, its message and every issue; exit 1 when it refused or failed."""
    click.echo(run_summary(run))
    if run.message:
        click.echo(run.message)
    for issue in run.issues:
        where = f" (line/item {issue.position})" if issue.position else ""
        click.echo(f"  {issue.level.value} {issue.kind} {issue.external_id}{where}: {issue.reason}")
    if run.status in (RunStatus.REFUSED, RunStatus.FAILED):
        raise SystemExit(1)


@click.group("bridge")
def bridge_group():
    """Bridges to external systems: list them, sync one."""


@bridge_group.command("list")
@with_appcontext
def list_command():
    """Show every bridge, whether its settings are set, its outbox and its last run."""
    try:
        bridges = available_bridges(plugins_of(current_app))
    except DuplicateBridge as error:
        raise click.ClickException(str(error)) from None
    if not bridges:
        click.echo("No bridges are installed.")
        return
    with database(current_app).sessionmaker() as session:
        for name, (plugin, spec) in sorted(bridges.items()):
            settings = bridge_settings(current_app, spec)
            shown = ", ".join(
                f"{key} ({'not set' if settings[key.rsplit('.', 1)[-1]] in (None, '') else 'set'})"
                for key in spec.settings
            )
            last = session.scalar(
                select(BridgeRun).where(BridgeRun.bridge == name).order_by(BridgeRun.id.desc())
            )
            click.echo(f"{name}: {spec.title} (plugin {plugin})")
            click.echo(f"  settings: {shown or 'none'}")
            click.echo(f"  ready: {connect_problem(current_app, spec) or 'yes'}")
            click.echo(f"  outbox: {waiting_count(session, name)} change(s) waiting")
            click.echo(
                f"  last run: {last.id} {last.status.value} at {last.started_at:%Y-%m-%d %H:%M}"
                if last
                else "  last run: never"
            )


@bridge_group.command("sync")
@click.argument("name")
@DRY_RUN
@PARTIAL
@with_appcontext
def sync_command(name: str, dry_run: bool, partial: bool):
    """Push waiting changes to bridge NAME, then pull and apply its records."""
    try:
        run = sync_bridge(current_app, name, dry_run, partial, source="cli", locale="en")
    except BridgeRefused as error:
        raise click.ClickException(str(error)) from None
    echo_run(run)


class ImportGroup(click.Group):
    """``stagebank import legacy FILE``; any other first argument is the FILE of
    ``stagebank import FILE`` (a whole installation, :mod:`core.backup`), which keeps
    working as before and is also reachable as ``stagebank import installation FILE``."""

    INSTALLATION = "installation"

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = [self.INSTALLATION, *args]
        return super().parse_args(ctx, args)

    def get_command(self, ctx, name):
        if name == self.INSTALLATION:
            return _installation_import()
        return super().get_command(ctx, name)

    def list_commands(self, ctx):
        extra = [self.INSTALLATION] if _installation_import() else []
        return sorted([*super().list_commands(ctx), *extra])


def _installation_import():
    try:
        from core.backup.cli import import_command
    except ImportError:
        return None
    return import_command


@click.group("import", cls=ImportGroup)
def import_group():
    """Import data: a legacy export (`import legacy`) or a whole installation (`import FILE`)."""


@import_group.command("legacy")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "format_name",
    type=click.Choice(sorted(FORMATS)),
    required=True,
    help="Which export the file is (docs/legacy-import.md).",
)
@DRY_RUN
@PARTIAL
@with_appcontext
def import_legacy_command(file: Path, format_name: str, dry_run: bool, partial: bool):
    """Import institutions, offers and requests from a legacy CSV export FILE."""
    try:
        run = import_legacy(
            current_app, file.read_bytes(), format_name, dry_run, partial, locale="en"
        )
    except BridgeRefused as error:
        raise click.ClickException(str(error)) from None
    echo_run(run)
