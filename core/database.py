"""The SQLAlchemy engine, the declarative base and the per-request session."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cached_property

from flask import Flask, current_app, g
from sqlalchemy import (
    DateTime,
    Enum,
    Float,
    MetaData,
    TypeDecorator,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.functions import FunctionElement

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every core and plugin model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


#: SQLite: seconds a connection waits for another connection's write before giving up.
SQLITE_CONNECT_ARGS = {"timeout": 30}


class Database:
    """Owns the engine and hands out sessions; one per application."""

    def __init__(self, url: str):
        self.url = url
        options: dict = {"future": True}
        if url.startswith("sqlite"):
            options["connect_args"] = SQLITE_CONNECT_ARGS
        else:
            options["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **options)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        self.sessionmaker = sessionmaker(bind=self.engine, expire_on_commit=False)

    @cached_property
    def autocommit_engine(self) -> Engine:
        """The same database for the one small read asked on every request (the data
        version): outside any transaction, with no ping before and no rollback after, so
        it is one round trip. A connection found dead fails that read and is replaced."""
        options: dict = {"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None}
        if self.url.startswith("sqlite"):
            options["connect_args"] = SQLITE_CONNECT_ARGS
        return create_engine(self.url, **options)

    def dispose(self, close: bool = True) -> None:
        """Drop the connections of both engines: closed when the app is done with them,
        left to the parent (``close=False``) in a process just forked from it."""
        if "autocommit_engine" in self.__dict__:
            self.autocommit_engine.dispose(close=close)
        self.engine.dispose(close=close)

    def is_reachable(self) -> bool:
        """True when a trivial query succeeds."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            return False


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so DDL in
    # migrations is transactional too and a failed migration leaves nothing half done.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # Up to 64 MB of pages per connection instead of 2 MB: at Flanders scale a dashboard's
    # lists read a few thousand scattered rows, three times faster from memory.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _sqlite_begin(connection) -> None:
    connection.exec_driver_sql("BEGIN")


def init_app(app: Flask) -> None:
    """Attach a :class:`Database` to the app and close the request session on teardown."""
    app.extensions["stagebank.database"] = Database(app.config["DATABASE_URL"])

    @app.teardown_appcontext
    def _close_session(_exc) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def database(app: Flask | None = None) -> Database:
    """The :class:`Database` of the given or current app."""
    return (app or current_app).extensions["stagebank.database"]


def db_session() -> Session:
    """The session of the current app context, created on first use."""
    if "db_session" not in g:
        g.db_session = database().sessionmaker()
    return g.db_session


def enum_type(enum_class) -> Enum:
    """A portable string column for a Python enum that stores the members' values."""
    return Enum(
        enum_class,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class UtcDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every database (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class days_between(FunctionElement):  # noqa: N801 - used like a SQL function
    """``days_between(first, last)``: the days from one timestamp to another, as a
    fraction, computed by the database (SQLite and PostgreSQL spell it differently)."""

    type = Float()
    inherit_cache = True


@compiles(days_between)
def _days_between(element, compiler, **kw) -> str:
    first, last = (compiler.process(argument, **kw) for argument in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({last} - {first})) / 86400.0)"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw) -> str:
    first, last = (compiler.process(argument, **kw) for argument in element.clauses)
    return f"(julianday({last}) - julianday({first}))"
