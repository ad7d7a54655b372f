"""``stagebank export FILE`` and ``stagebank import FILE``: a whole installation."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core.backup.services import TransferRefused, export_installation, import_installation


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_command(file: Path):
    """Write every table of this installation to FILE (a zip), for a backup or a move."""
    _report("Exported", export_installation, file)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path):
    """Load FILE (from `stagebank export`) into this empty, upgraded database."""
    _report("Imported", import_installation, file)


def _report(verb: str, transfer, file: Path) -> None:
    try:
        manifest = transfer(current_app._get_current_object(), file)
    except TransferRefused as error:
        raise click.ClickException(str(error)) from None
    rows = sum(entry["rows"] for entry in manifest["tables"])
    click.echo(f"{verb} {rows} rows of {len(manifest['tables'])} tables ({file}).")
