"""Write a graph of new ORM objects with one multi-row INSERT per table.

The ORM's unit of work costs tens of microseconds per object; the Flanders-scale demo has
about a million rows. :func:`write_objects` takes transient objects (never added to a
session) and their new children (``save-update`` one-to-many collections), numbers them
from the table's highest id, fills foreign keys from the related objects and column
defaults, and inserts table by table in dependency order through SQLAlchemy Core.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import Table, func, inspect, select, text
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.interfaces import MANYTOONE, ONETOMANY

from core.database import Base


def write_objects(session: Session, objects: Iterable[Any]) -> None:
    """Insert ``objects`` and everything they cascade to that is not in the database yet."""
    by_table = _collect(objects)
    plans = {table: _Plan(mapper) for table, (mapper, _) in by_table.items()}
    for table, (_, rows) in by_table.items():
        _number(session, table, rows)
    secondary: dict[Table, list[dict]] = defaultdict(list)
    for table in Base.metadata.sorted_tables:
        if table in by_table:
            plan = plans[table]
            values = [plan.row(obj) for obj in by_table[table][1]]
            for obj in by_table[table][1]:
                for link_table, link in plan.links(obj):
                    secondary[link_table].append(link)
            insert_rows(session, table, values)
    for table in Base.metadata.sorted_tables:
        insert_rows(session, table, secondary.get(table, []))
    if session.get_bind().dialect.name == "postgresql":
        for table in by_table:
            _advance_sequence(session, table)


def fill_defaults(obj: Any) -> None:
    """Set the plain column defaults (``accepted_count`` 0 and so on) that an INSERT would."""
    for attribute, value in _scalar_defaults(type(obj)):
        if getattr(obj, attribute) is None:
            setattr(obj, attribute, value)


@cache
def _scalar_defaults(cls: type) -> list[tuple[str, Any]]:
    mapper = inspect(cls)
    return [
        (mapper.get_property_by_column(column).key, column.default.arg)
        for column in mapper.local_table.c
        if column.default is not None and column.default.is_scalar and not column.primary_key
    ]


def _collect(objects: Iterable[Any]) -> dict[Table, tuple[Mapper, list[Any]]]:
    """The new objects and their new children (campuses of an institution...), per table,
    in order of appearance. Parents must be in ``objects`` themselves."""
    seen: set[int] = set()
    by_table: dict[Table, tuple[Mapper, list[Any]]] = {}

    def take(obj: Any) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        mapper = inspect(type(obj))
        by_table.setdefault(mapper.local_table, (mapper, []))[1].append(obj)

    for obj in objects:
        take(obj)
        values = vars(obj)
        for key in _child_collections(type(obj)):
            for child in values.get(key) or ():
                take(child)
    return by_table


@cache
def _child_collections(cls: type) -> list[str]:
    """The one-to-many relationships whose children are saved with their parent."""
    return [
        relationship.key
        for relationship in inspect(cls).relationships
        if relationship.direction is ONETOMANY
        and not relationship.viewonly
        and "save-update" in relationship.cascade
    ]


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert plain rows (all with the keys of the first) straight through the driver:
    ``COPY`` on PostgreSQL, ``executemany`` on SQLite, in the session's transaction.

    The column types' bind processors turn the values into what the driver takes, as an
    ORM or Core INSERT would, without their per-row bookkeeping.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    ]
    values = [
        tuple(
            value if process is None or value is None else process(value)
            for value, process in zip(map(row.__getitem__, names), processors, strict=True)
        )
        for row in rows
    ]
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        if dialect.name == "postgresql":
            with cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
        else:
            marks = ", ".join("?" for _ in names)
            statement = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})"
            cursor.executemany(statement, values)
    finally:
        cursor.close()


def _number(session: Session, table: Table, rows: list[Any]) -> None:
    """Give rows without an id the next ids of their table."""
    if "id" not in table.c or not table.c.id.primary_key:
        return
    next_id = (session.scalar(select(func.max(table.c.id))) or 0) + 1
    for obj in rows:
        if obj.id is None:
            obj.id = next_id
            next_id += 1


class _Plan:
    """How one mapped class becomes a row: its columns, defaults and foreign keys."""

    def __init__(self, mapper: Mapper):
        table = mapper.local_table
        self.columns = [
            (column.key, mapper.get_property_by_column(column).key) for column in table.c
        ]
        self.defaults = {
            column.key: column.default
            for column in table.c
            if column.default is not None and not column.primary_key
        }
        # Many-to-one: the foreign key comes from the related object's (new) id.
        self.parents = []
        self.secondaries = []
        for relationship in mapper.relationships:
            if relationship.viewonly:
                continue
            if relationship.secondary is not None:
                self.secondaries.append(
                    (
                        relationship.key,
                        relationship.secondary,
                        [(s.key, mapper.get_property_by_column(p).key)
                         for p, s in relationship.synchronize_pairs],
                        [(s.key, relationship.mapper.get_property_by_column(p).key)
                         for p, s in relationship.secondary_synchronize_pairs],
                    )
                )  # fmt: skip
            elif relationship.direction is MANYTOONE:
                pairs = [
                    (local.key, relationship.mapper.get_property_by_column(remote).key)
                    for local, remote in relationship.local_remote_pairs
                ]
                self.parents.append((relationship.key, pairs))

    def row(self, obj: Any) -> dict[str, Any]:
        values = vars(obj)
        row = {column: values.get(attribute) for column, attribute in self.columns}
        for key, pairs in self.parents:
            parent = values.get(key)
            if parent is not None:
                for column, attribute in pairs:
                    row[column] = getattr(parent, attribute)
        for column, default in self.defaults.items():
            if row[column] is None:
                row[column] = default.arg(None) if default.is_callable else default.arg
        return row

    def links(self, obj: Any) -> Iterable[tuple[Table, dict[str, Any]]]:
        values = vars(obj)
        for key, table, own, others in self.secondaries:
            for other in values.get(key) or ():
                link = {column: getattr(obj, attribute) for column, attribute in own}
                link.update({column: getattr(other, attribute) for column, attribute in others})
                yield table, link


def _advance_sequence(session: Session, table: Table) -> None:
    """PostgreSQL hands out ids from a sequence: move it past the ids given here."""
    if "id" not in table.c or not table.c.id.primary_key:
        return
    session.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
        )
    )
