"""Alembic environment: runs on the engine that :mod:`core.schema` hands over."""

from alembic import context

import core.models  # noqa: F401 - registers every core table on the metadata
from core.database import Base, UtcDateTime

config = context.config


def render_item(type_, obj, _context):
    """Write our column types as plain SQLAlchemy types, so revisions import nothing of ours."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


engine = config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch migrations rebuild tables on SQLite; with foreign keys enforced, dropping a
        # referenced table fails. The pragma only works outside a transaction, so it goes
        # to the driver connection before SQLAlchemy begins one.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=sqlite,
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        connection.commit()
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
