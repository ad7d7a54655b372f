"""Shared fixtures: a migrated test database (SQLite by default, PostgreSQL on request).

``STAGEBANK_TEST_DATABASE_URL`` selects the database. A run that asked for PostgreSQL and
got anything else fails instead of silently testing SQLite.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import make_url

from core import schema
from core.app import create_app
from core.catalogue.services import sync_catalogue
from core.database import Base, database
from core.plugins.manager import plugins_of
from core.setup import prepare_database
from tests.api_support import clients_of, web_clients_of
from tests.world import build_world

REFERENCE_TABLES = {"regions", "municipalities", "postcodes", "networks"}


def _reset_postgresql(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    requested = os.environ.get("STAGEBANK_TEST_DATABASE_URL")
    if requested:
        if make_url(requested).get_backend_name() == "postgresql":
            _reset_postgresql(requested)
        return requested
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("instance")
    os.environ["STAGEBANK_INSTANCE_PATH"] = str(path)
    for name in ("STAGEBANK_DATABASE_URL", "STAGEBANK_PLUGINS", "STAGEBANK_ENV"):
        os.environ.pop(name, None)
    return path


@pytest.fixture(scope="session")
def migrated_database(database_url, instance_path) -> str:
    """The test database, brought to the head of every branch once per run."""
    app = create_app({"DATABASE_URL": database_url})
    requested = make_url(database_url).get_backend_name()
    actual = database(app).engine.dialect.name
    assert actual == requested, f"asked for {requested}, got {actual}"
    schema.upgrade(app)
    prepare_database(app)
    database(app).dispose()
    return database_url


def _empty_tables(app) -> None:
    with database(app).engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                connection.execute(delete(table))


@pytest.fixture
def make_app(migrated_database):
    """Build extra apps on the test database (each one plays a separate worker)."""
    apps = []

    def build(**config):
        app = create_app({"DATABASE_URL": migrated_database, "TESTING": True, **config})
        apps.append(app)
        return app

    yield build
    for app in apps:
        database(app).dispose()


@pytest.fixture
def app(make_app):
    """An app on the test database with the catalogue synced; all rows but reference data
    are removed afterwards."""
    app = make_app()
    with database(app).sessionmaker() as session, session.begin():
        sync_catalogue(session, plugins_of(app))
    yield app
    _empty_tables(app)


@pytest.fixture
def db(app):
    """A session on the app's database."""
    with database(app).sessionmaker() as session:
        yield session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app, db):
    """Two sides (a and b) with a person in every role, committed (see tests/world.py)."""
    built = build_world(db)
    db.commit()
    return built


@pytest.fixture
def api_as(app, db, world):
    """``api_as("school_coordinator_a")``: an API client with that person's token."""
    return clients_of(app, db, world)


@pytest.fixture
def web_as(make_app, world):
    """A signed-in web client (CSRF off), to compare the web's answers with the API's."""
    return web_clients_of(make_app, world)
