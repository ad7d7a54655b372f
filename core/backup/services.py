"""A whole installation in one zip file: ``manifest.json`` (format, Alembic revisions, and per
table in foreign-key order its row count and a SHA-256 of its rows) and ``tables/<name>.jsonl``
(one JSON object per row, in primary-key order).

The export reads one consistent snapshot. The import runs in one transaction into a database
that ``stagebank db upgrade`` made (same revisions, nothing but reference data and
catalogues), replaces those rows too, and before committing checks that every table now
holds exactly the rows of the file, so an import either is complete or did nothing.
"""

from __future__ import annotations

import enum
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from flask import Flask
from sqlalchemy import Connection, Date, DateTime, Enum, Table, func, inspect, select, text
from sqlalchemy.types import TypeDecorator

from core.database import Base, database, utcnow
from core.web.data_version import move_on

FORMAT = "stagebank-export"
VERSION = 1
MANIFEST = "manifest.json"
BATCH = 1000
#: Tables that ``stagebank db upgrade`` fills itself; an import replaces their rows.
SETUP_TABLES = frozenset(
    {
        "regions",
        "municipalities",
        "postcodes",
        "networks",
        "education_levels",
        "subjects",
        "training_kinds",
    }
)
#: Tables of the database's own bookkeeping, neither exported nor replaced (an import moves
#: the data version on, see :mod:`core.web.data_version`).
BOOKKEEPING_TABLES = frozenset({"alembic_version", "data_version"})


class TransferRefused(Exception):
    """The export or import cannot be done; the message is one sentence for the operator."""


def installation_tables(connection: Connection) -> list[Table]:
    """Every table of the database but the bookkeeping ones, parents before children."""
    present = set(inspect(connection).get_table_names()) - BOOKKEEPING_TABLES
    known = {table.name for table in Base.metadata.sorted_tables}
    unknown = sorted(present - known)
    if unknown:
        raise TransferRefused(
            f"The database has tables that no loaded plugin knows ({', '.join(unknown)}); "
            "list their plugins in STAGEBANK_PLUGINS first."
        )
    return [table for table in Base.metadata.sorted_tables if table.name in present]


def revisions(connection: Connection) -> list[str]:
    """The Alembic heads the database is at."""
    return sorted(MigrationContext.configure(connection).get_current_heads())


def fingerprints(connection: Connection) -> dict[str, dict]:
    """Per table: its row count and the SHA-256 of its rows as exported."""
    result = {}
    for table in installation_tables(connection):
        digest, count = hashlib.sha256(), 0
        for line in _lines(connection, table):
            digest.update(line.encode())
            count += 1
        result[table.name] = {"rows": count, "sha256": digest.hexdigest()}
    return result


def export_installation(app: Flask, path: Path) -> dict:
    """Write every table to ``path`` (a new zip file); return the manifest."""
    if path.exists():
        raise TransferRefused(f"{path} exists already; choose a new file name.")
    engine = database(app).engine
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name != "sqlite" else {}
    temporary = path.with_name(f".{path.name}.partial")
    try:
        with (
            engine.connect().execution_options(**options) as connection,
            connection.begin(),
            zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            tables = []
            for table in installation_tables(connection):
                digest, count = hashlib.sha256(), 0
                with archive.open(f"tables/{table.name}.jsonl", "w") as member:
                    for line in _lines(connection, table):
                        data = line.encode()
                        digest.update(data)
                        member.write(data)
                        count += 1
                tables.append({"name": table.name, "rows": count, "sha256": digest.hexdigest()})
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": utcnow().isoformat(),
                "revisions": revisions(connection),
                "tables": tables,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, indent=1))
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return manifest


def import_installation(app: Flask, path: Path) -> dict:
    """Load an export into this app's empty, upgraded database; return the manifest."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise TransferRefused(f"{path} is not a Stagebank export ({error}).") from None
    with archive, database(app).engine.begin() as connection:
        manifest = _read_manifest(archive, path)
        tables = _check_target(connection, manifest)
        for table in reversed(tables):
            connection.execute(table.delete())
        for table in tables:
            try:
                _load_table(connection, table, archive)
            except (KeyError, ValueError, zipfile.BadZipFile) as error:
                raise TransferRefused(
                    f"{path} is damaged in table {table.name} ({error}); nothing was imported."
                ) from None
        if connection.dialect.name == "postgresql":
            _advance_sequences(connection, tables)
        move_on(connection)  # pages kept by a running server are stale now
        found = fingerprints(connection)
        for entry in manifest["tables"]:
            if found[entry["name"]] != {"rows": entry["rows"], "sha256": entry["sha256"]}:
                raise TransferRefused(
                    f"Table {entry['name']} did not come through unchanged; nothing was imported."
                )
    return manifest


def _read_manifest(archive: zipfile.ZipFile, path: Path) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError):
        manifest = {}
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise TransferRefused(f"{path} is not a Stagebank export of version {VERSION}.")
    return manifest


def _check_target(connection: Connection, manifest: dict) -> list[Table]:
    """The tables to fill, in order; refuses a database at other revisions or holding data."""
    own = revisions(connection)
    if own != manifest["revisions"]:
        raise TransferRefused(
            f"The export was made at revisions {', '.join(manifest['revisions'])} and this "
            f"database is at {', '.join(own) or 'none'}: run `stagebank db upgrade` on a "
            "database of the same version."
        )
    tables = {table.name: table for table in installation_tables(connection)}
    names = [entry["name"] for entry in manifest["tables"]]
    if set(names) != set(tables):
        different = sorted(set(names) ^ set(tables))
        raise TransferRefused(
            f"The export and this database differ in tables ({', '.join(different)}); "
            "load the same plugins as the exported installation."
        )
    for name, table in tables.items():
        if name not in SETUP_TABLES and connection.scalar(select(func.count()).select_from(table)):
            raise TransferRefused(
                f"This database already holds data (table {name}); import only into an empty "
                "database made with `stagebank db upgrade`."
            )
    return [tables[name] for name in names]


def _load_table(connection: Connection, table: Table, archive: zipfile.ZipFile) -> None:
    decoders = {column.name: _decoder(column) for column in table.columns}
    batch = []
    with archive.open(f"tables/{table.name}.jsonl") as member:
        for line in io.TextIOWrapper(member, encoding="utf-8"):
            row = json.loads(line)
            for name, decode in decoders.items():
                if decode is not None and row.get(name) is not None:
                    row[name] = decode(row[name])
            batch.append(row)
            if len(batch) == BATCH:
                connection.execute(table.insert(), batch)
                batch = []
    if batch:
        connection.execute(table.insert(), batch)


def _advance_sequences(connection: Connection, tables: list[Table]) -> None:
    """Let PostgreSQL's id sequences continue after the imported ids."""
    for table in tables:
        column = table.autoincrement_column
        if column is not None:
            connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f'COALESCE(MAX("{column.name}"), 0) + 1, false) FROM "{table.name}"'
                ),
                {"table": table.name, "column": column.name},
            )


def _lines(connection: Connection, table: Table) -> Iterator[str]:
    """Each row as one canonical JSON line, in primary-key order."""
    order = list(table.primary_key.columns) or list(table.columns)
    rows = connection.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for row in rows.mappings():
        encoded = {name: _encode(value) for name, value in row.items()}
        yield json.dumps(encoded, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def _encode(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decoder(column) -> Callable | None:
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(kind, DateTime):
        return datetime.fromisoformat
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return kind.enum_class
    return None
