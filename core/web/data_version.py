"""The data version: one number that every committed write moves on.

Whatever keeps something read from the database (the page cache) keeps it under the
version it was read at and uses it only while the version is unchanged. The number is
moved in the same transaction as the write, so it changes exactly when the write becomes
visible, in every process that shares the database (web workers, the job worker, the
command line).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, event, insert, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from core.database import Base, Database

#: Set on a connection that sent a statement other than a read in its transaction.
WROTE = "stagebank.wrote"
READS = ("select", "pragma", "show", "explain", "begin", "savepoint", "release")
READ_VERSION = "SELECT version FROM data_version WHERE id = 1"


class DataVersion(Base):
    """A single row: how many write transactions have been committed (approximately; it
    only has to change, never to count exactly)."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


def committed_version(database: Database) -> int | None:
    """The version as committed now (0 before the first counted write), read outside any
    transaction; None when the database cannot be asked."""
    try:
        with database.autocommit_engine.connect() as connection:
            return connection.exec_driver_sql(READ_VERSION).scalar() or 0
    except SQLAlchemyError:
        return None


def move_on(executor: Session | Connection) -> None:
    """Move the version on in the transaction of ``executor`` (a session or connection)."""
    moved = executor.execute(
        update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + 1)
    )
    if moved.rowcount == 0:  # a database emptied by hand: start counting again
        executor.execute(insert(DataVersion).values(id=1, version=1))


def track_writes(engine: Engine, sessions: sessionmaker) -> None:
    """Move the version on in every committing session of ``sessions`` that wrote: through
    the ORM (pending changes are flushed by the commit) or with any statement of its own."""

    @event.listens_for(engine, "before_cursor_execute")
    def _note_write(connection, _cursor, statement, *_args) -> None:
        if not statement.lstrip()[:9].lower().startswith(READS):
            connection.info[WROTE] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _forget(connection) -> None:
        connection.info.pop(WROTE, None)

    @event.listens_for(sessions, "before_commit")
    def _move_on(session: Session) -> None:
        if not session.in_transaction():
            return
        pending = session.new or session.deleted or any(session.dirty)
        if pending or session.connection().info.get(WROTE):
            move_on(session)
