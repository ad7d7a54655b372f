"""`stagebank export` / `stagebank import`: a whole installation moves without loss."""

from __future__ import annotations

import json
import zipfile

import pytest
from sqlalchemy import delete, func, select

from core import schema
from core.accounts.models import User
from core.app import create_app
from core.backup.services import (
    SETUP_TABLES,
    TransferRefused,
    export_installation,
    fingerprints,
    import_installation,
    installation_tables,
)
from core.database import database
from core.demo.generator import load_demo
from core.setup import prepare_database
from core.web.data_version import committed_version


def fingerprints_of(app) -> dict:
    with database(app).engine.connect() as connection:
        return fingerprints(connection)


def fresh_sqlite_app(path):
    app = create_app({"DATABASE_URL": f"sqlite:///{path}"})
    schema.upgrade(app)
    prepare_database(app)
    return app


@pytest.fixture
def demo(app):
    load_demo(app, scale="small", seed=1)
    return app


def test_an_export_imported_elsewhere_holds_exactly_the_same(demo, tmp_path, db):
    exported = tmp_path / "stagebank.zip"
    manifest = export_installation(demo, exported)
    source = fingerprints_of(demo)
    assert {entry["name"] for entry in manifest["tables"]} == set(source)
    assert sum(entry["rows"] for entry in manifest["tables"]) > 1000
    with zipfile.ZipFile(exported) as archive:
        names = [entry["name"] for entry in json.loads(archive.read("manifest.json"))["tables"]]
        first_row = json.loads(archive.open("tables/users.jsonl").readline())
    assert names.index("institutions") < names.index("offers") < names.index("placement_requests")
    assert "email" in first_row and "password_hash" in first_row

    target = fresh_sqlite_app(tmp_path / "moved.sqlite3")
    try:
        version_before = committed_version(database(target))
        import_installation(target, exported)
        assert committed_version(database(target)) > version_before  # kept pages are stale
        moved = fingerprints_of(target)
        assert {name: entry["rows"] for name, entry in moved.items()} == {
            name: entry["rows"] for name, entry in source.items()
        }
        assert moved == source  # every row of every table, value for value
        with pytest.raises(TransferRefused, match="already holds data"):
            import_installation(target, exported)
    finally:
        database(target).dispose()

    # Back into the emptied source (the suite's database: SQLite or PostgreSQL), where new
    # rows must then get new ids (PostgreSQL's sequences continue after the imported ones).
    with database(demo).engine.begin() as connection:
        for table in reversed(installation_tables(connection)):
            if table.name not in SETUP_TABLES:
                connection.execute(delete(table))
    result = demo.test_cli_runner().invoke(args=["import", str(exported)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Imported ") and " rows of " in result.output
    assert fingerprints_of(demo) == source
    highest = db.scalar(select(func.max(User.id)))
    user = User(email="nieuw@example.org", name="Nieuw")
    db.add(user)
    db.commit()
    assert user.id > highest


def test_export_and_import_refuse_in_one_sentence(app, tmp_path):
    runner = app.test_cli_runner()
    exported = tmp_path / "stagebank.zip"
    assert runner.invoke(args=["export", str(exported)]).exit_code == 0
    again = runner.invoke(args=["export", str(exported)])
    assert again.exit_code == 1 and "exists already" in again.output

    with zipfile.ZipFile(exported) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        members = {name: archive.read(name) for name in archive.namelist()}

    def altered(name: str, **changes) -> str:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as archive:
            for member, content in {**members, **changes}.items():
                archive.writestr(member, content)
        return str(path)

    older = altered(
        "older.zip", **{"manifest.json": json.dumps({**manifest, "revisions": ["c0001"]})}
    )
    refused = runner.invoke(args=["import", older])
    assert refused.exit_code == 1
    assert "The export was made at revisions c0001" in refused.output
    assert "Traceback" not in refused.output
    damaged = altered("damaged.zip", **{"tables/regions.jsonl": "{not json\n"})
    refused = runner.invoke(args=["import", damaged])
    assert "is damaged in table regions" in refused.output

    (tmp_path / "not.zip").write_text("hello")
    assert (
        "is not a Stagebank export"
        in runner.invoke(args=["import", str(tmp_path / "not.zip")]).output
    )
