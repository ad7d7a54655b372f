"""The floor of a search: the SQL that ``OfferSearch`` sends for one results page (the
rows and their count), captured from SQLAlchemy exactly as it reaches the driver, then
run again and again straight through the DB-API driver (sqlite3 or psycopg)."""

from __future__ import annotations

import time
from datetime import date

from flask import Flask, request
from flask_babel import get_locale
from sqlalchemy import event

from bench.databases import driver_connect
from core.database import database, db_session
from core.plugins.manager import plugins_of
from core.search.forms import OfferSearchForm
from core.search.services import fill_choices, search_from_form


def search_statements(app: Flask, query_string: str) -> list[tuple[str, object]]:
    """``(sql, parameters)`` of every statement the search page ``/aanbod?<query_string>``
    runs for its results, as handed to the driver."""
    captured: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _executemany):
        captured.append((statement, parameters))

    with app.test_request_context(f"/aanbod?{query_string}"):
        session, plugins = db_session(), plugins_of()
        form = OfferSearchForm(request.args)
        fill_choices(form, session, plugins, date.today(), str(get_locale() or "nl"))
        search = search_from_form(form, session, date.today())
        if search is None:
            raise ValueError(f"the search form refuses {query_string}: {form.errors}")
        engine = database(app).engine
        event.listen(engine, "before_cursor_execute", capture)
        try:
            search.page(session, plugins, 1)
        finally:
            event.remove(engine, "before_cursor_execute", capture)
    return captured


def time_statements(
    database_url: str, statements: list[tuple[str, object]], repeat: int
) -> tuple[list[float], list[int]]:
    """Milliseconds per run of all ``statements`` (rows fetched), ``repeat`` times, on one
    plain driver connection; and the number of rows each statement returned."""
    connection = driver_connect(database_url)
    try:
        cursor = connection.cursor()
        timings, rows = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            for sql, parameters in statements:
                cursor.execute(sql, parameters)
                rows.append(len(cursor.fetchall()))
            timings.append((time.perf_counter() - started) * 1000)
        connection.rollback()
        return timings, rows[-len(statements) :]
    finally:
        connection.close()
