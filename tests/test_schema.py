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
    assert branches == {"core", "sintgorik_bridge", "philosophy_subjects"}


def test_a_fresh_database_upgrades_from_nothing(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    heads = set(ScriptDirectory.from_config(schema.alembic_config(app)).get_heads())
    assert {"sg0001", "ps0001"} <= heads and len(heads) == 3
    assert schema.pending_heads(app) == heads
    schema.upgrade(app)
    assert schema.pending_heads(app) == set()


def _scratch_database(tmp_path) -> str:
    """A second, empty database of the same kind as the suite's."""
    import os

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    requested = os.environ.get("STAGEBANK_TEST_DATABASE_URL", "")
    if make_url(requested or "sqlite://").get_backend_name() != "postgresql":
        return f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
    admin = create_engine(requested, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS stagebank_upgrade_test"))
        connection.execute(text("CREATE DATABASE stagebank_upgrade_test"))
    admin.dispose()
    return (
        make_url(requested)
        .set(database="stagebank_upgrade_test")
        .render_as_string(hide_password=False)
    )


def test_upgrading_a_filled_database_keeps_every_row(make_app, tmp_path):
    """Rows written at the first revisions survive every later migration."""
    from sqlalchemy import text

    app = make_app(DATABASE_URL=_scratch_database(tmp_path))
    schema.upgrade(app, "c0001")
    rows = [
        "INSERT INTO regions VALUES ('limburg', '70000', 'Limburg', 'Limbourg', 4)",
        "INSERT INTO municipalities VALUES ('71022', 'Hasselt', 'limburg')",
        "INSERT INTO education_levels VALUES ('secondary', 'secondary', 'Secundair',"
        " 'Secondary', 20, true)",
        "INSERT INTO subjects VALUES (1, 'secondary', 'WIS', 'secondary', 'Wiskunde',"
        " 'Mathematics', 'stem', true)",
        "INSERT INTO institutions VALUES (1, 'school', 'Sint-Jan', '123456', NULL, 'limburg',"
        " NULL, NULL, 'approved', '2024-01-01', '2024-01-01')",
        "INSERT INTO institutions VALUES (2, 'programme', 'Opleiding', NULL, NULL, 'limburg',"
        " 'PXL', NULL, 'approved', '2024-01-01', '2024-01-01')",
        "INSERT INTO campuses VALUES (1, 1, 'Hoofdcampus', 'Straat 1', '3500', '71022', true)",
        "INSERT INTO users VALUES (1, 'a@example.org', 'A', NULL, false, true, '2024-01-01')",
        "INSERT INTO offers VALUES (1, 1, 1, '2024-2025', 'secondary', 1, '{}', NULL, NULL, 2,"
        " NULL, '', 'published', '2024-01-01', '2024-01-01')",
        "INSERT INTO students VALUES (1, 2, 'Lotte', 'Peeters', 'l@example.org', 'r1', '3500',"
        " NULL)",
        "INSERT INTO placement_requests VALUES (1, 2, 1, 1, 1, 'secondary', 1, '{}',"
        " '2025-02-01', '2025-02-28', 'teaching', 40, 1, '', 'accepted', NULL, '2024-01-01',"
        " '2024-01-01')",
    ]
    from core.database import database

    with database(app).engine.begin() as connection:
        for row in rows:
            connection.execute(text(row))
    schema.upgrade(app)
    assert schema.pending_heads(app) == set()
    with database(app).engine.connect() as connection:
        counted = {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("institutions", "campuses", "offers", "students", "placement_requests")
        }
        offer = connection.execute(text("SELECT places, accepted_count FROM offers")).one()
        request = connection.execute(text("SELECT status, mentor_id FROM placement_requests")).one()
        locale = connection.execute(text("SELECT locale FROM users")).scalar()
    assert counted == {
        "institutions": 2,
        "campuses": 1,
        "offers": 1,
        "students": 1,
        "placement_requests": 1,
    }
    assert tuple(offer) == (2, 0)
    assert tuple(request) == ("accepted", None)
    assert locale == "nl"
    database(app).engine.dispose()
