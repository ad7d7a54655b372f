"""Alembic environment: runs on the engine that :mod:`core.schema` hands over."""

from alembic import context

import core.models  # noqa: F401 - registers every core table on the metadata
from core.database import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
