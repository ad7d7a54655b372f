"""Migrations and models agree, on whichever database the suite runs."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from core import schema
from core.database import Base, database


def test_migrations_create_exactly_the_models_tables(app):
    with database(app).engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_branch_is_at_its_head(app):
    assert schema.pending_heads(app) == set()
    branches = {location.branch for location in schema.migration_locations(app)}
    assert branches == {"core", "sintgorik_bridge"}


def test_a_fresh_database_upgrades_from_nothing(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    heads = set(ScriptDirectory.from_config(schema.alembic_config(app)).get_heads())
    assert "sg0001" in heads and len(heads) == 2
    assert schema.pending_heads(app) == heads
    schema.upgrade(app)
    assert schema.pending_heads(app) == set()
