"""``stagebank report``: the report on the command line; ``stagebank registry import``: the
official list of institutions."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core.database import database
from core.offers import school_years
from core.plugins.manager import plugins_of
from core.reports import exports
from core.reports.periods import Period, Preset, preset_period
from core.reports.services import compute_report

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _period(start, end, preset: str | None, school_year: str | None) -> Period:
    """The period of the options: ``--from``/``--to``, or ``--preset`` of a school year."""
    if preset:
        if start or end:
            raise click.UsageError("Give either --from and --to or --preset, not both.")
        if not school_years.is_school_year(school_year or ""):
            raise click.UsageError("--preset needs --school-year YYYY-YYYY, e.g. 2025-2026.")
        return preset_period(preset, school_year)
    if not (start and end):
        raise click.UsageError("Give --from and --to (YYYY-MM-DD), or --preset.")
    if end < start:
        raise click.UsageError("--to lies before --from.")
    return Period(start.date(), end.date())


@click.command("report")
@click.option("--from", "start", type=DATE, help="First day of the report (YYYY-MM-DD).")
@click.option("--to", "end", type=DATE, help="Last day of the report, included (YYYY-MM-DD).")
@click.option(
    "--preset",
    type=click.Choice([preset.value for preset in Preset]),
    help="spring: 1 Sep - end of Feb; autumn: 1 Mar - 31 Aug; school-year: 1 Sep - 31 Aug.",
)
@click.option("--school-year", help="School year of --preset, e.g. 2025-2026.")
@click.option(
    "--format", "fmt", type=click.Choice(exports.FORMATS), default="csv", show_default=True
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: stdout).",
)
@click.option("--language", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@with_appcontext
def report_command(start, end, preset, school_year, fmt, output, language):
    """Write the government report for a period as CSV, XLSX or JSON."""
    period = _period(start, end, preset, school_year)
    if fmt == "xlsx" and output is None:
        raise click.UsageError("XLSX is a binary file; name it with --output FILE.")
    with database(current_app).sessionmaker() as session:
        report = compute_report(session, plugins_of(current_app), period)
    content = exports.render(report, fmt, language)
    if output is None:
        click.echo(content, nl=False)
        return
    try:
        if isinstance(content, bytes):
            output.write_bytes(content)
        else:
            output.write_text(content, encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"Cannot write {output}: {error.strerror}.") from None
    click.echo(f"Report {period.start} to {period.end} written to {output}.", err=True)


@click.group("registry")
def registry_group():
    """The official list of institutions (schools known before they register)."""


@registry_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def registry_import(file: Path):
    """Import the official list from a CSV file (instellingsnummer, naam, net, postcode, niveau)."""
    from core.reports.registry import RegistryRefused, import_registry, read_registry

    try:
        with database(current_app).sessionmaker() as session, session.begin():
            result = import_registry(session, read_registry(session, file.read_bytes()))
    except RegistryRefused as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"{result.created} institution(s) added, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    )
