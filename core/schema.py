"""Alembic, driven from code: one upgrade brings the core and every plugin branch up to date.

Each plugin contributes a folder of revisions (its own branch, labelled with its name)
through ``stagebank_migration_locations``; all share one ``alembic_version`` table, which
holds one row per branch head.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

from core.database import database
from core.plugins.manager import plugins_of

SCRIPT_LOCATION = Path(__file__).resolve().parent / "migrations"


def migration_locations(app: Flask) -> list:
    plugins = plugins_of(app)
    return [loc for locs in plugins.hook.stagebank_migration_locations() for loc in locs]


def alembic_config(app: Flask) -> Config:
    """An Alembic config that knows every branch's folder and the app's database."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.set_main_option(
        "version_locations", " ".join(str(loc.path) for loc in migration_locations(app))
    )
    config.set_main_option("path_separator", "space")
    config.attributes["engine"] = database(app).engine
    return config


def upgrade(app: Flask, target: str = "heads") -> None:
    """Apply every pending revision of every branch."""
    command.upgrade(alembic_config(app), target)


def pending_heads(app: Flask) -> set[str]:
    """Branch heads not yet applied to the database (empty when up to date)."""
    script = ScriptDirectory.from_config(alembic_config(app))
    with database(app).engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    # A branch that depends on another implies it: alembic_version then lists only the
    # dependent head, so compare against everything the current heads stand on.
    applied = {rev.revision for rev in script.iterate_revisions(current, "base")}
    return set(script.get_heads()) - applied
