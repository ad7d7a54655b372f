"""``stagebank plugins list|enable|disable``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from core.database import database
from core.plugins.manager import plugins_of
from core.plugins.regions import UnknownPlugin, UnknownRegion, enablement, set_enabled
from core.reference.models import Region


@click.group("plugins")
def plugins_group():
    """Installed plugins and the regions where they are enabled."""


@plugins_group.command("list")
@with_appcontext
def list_plugins():
    """Each plugin with its version, hooks and enabled regions."""
    plugins = plugins_of(current_app)
    with database(current_app).sessionmaker() as session:
        enabled = enablement(session, plugins)
        order = list(session.scalars(select(Region.code).order_by(Region.position)))
    for name in plugins.plugin_names:
        info = plugins.infos[name]
        regions = [code for code in order if code in enabled.get(name, set())]
        click.echo(f"{name} {info.version}")
        click.echo(f"  hooks:   {', '.join(plugins.hooks_of(name))}")
        click.echo(f"  regions: {', '.join(regions) if regions else '(none)'}")


def _switch(name: str, regions: tuple[str, ...], enabled: bool) -> None:
    plugins = plugins_of(current_app)
    with database(current_app).sessionmaker() as session, session.begin():
        targets = regions or tuple(session.scalars(select(Region.code)))
        try:
            for region in targets:
                set_enabled(session, plugins, name, region, enabled)
        except (UnknownPlugin, UnknownRegion) as error:
            raise click.ClickException(str(error)) from None
    state = "enabled" if enabled else "disabled"
    click.echo(f"{name} {state} in {', '.join(targets)}.")


_region_option = click.option(
    "--region", "regions", multiple=True, help="Region code (repeatable); default: all regions."
)


@plugins_group.command("enable")
@click.argument("name")
@_region_option
@with_appcontext
def enable_plugin(name: str, regions: tuple[str, ...]):
    """Enable plugin NAME in the given regions."""
    _switch(name, regions, True)


@plugins_group.command("disable")
@click.argument("name")
@_region_option
@with_appcontext
def disable_plugin(name: str, regions: tuple[str, ...]):
    """Disable plugin NAME in the given regions."""
    _switch(name, regions, False)
