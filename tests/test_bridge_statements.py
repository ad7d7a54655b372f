"""A sync reads and updates in a number of statements that does not grow with the number of
records: everything is looked up per batch, never per record (no N+1)."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime

from bench import data
from core.bridges.legacy import import_legacy
from core.bridges.models import RunStatus
from core.bridges.runner import sync_bridge
from core.database import database
from plugins.sintgorik_bridge.testing import SintGorik
from tests.world import captured_statements

SCHOOL_YEAR = "2026-2027"


@contextmanager
def statements(app):
    """Count the statements sent to the database, by their first word (SELECT, ...); the
    counts are there when the block has run."""
    counted: Counter = Counter()
    with captured_statements(app) as sent:
        yield counted
    for statement, _parameters in sent:
        if "INSERT INTO bridge_run_issues" not in statement:  # the run's report, not the work
            counted[statement.split(None, 1)[0].upper()] += 1


def _sync(app, side: SintGorik, tag: str, records: int) -> tuple[Counter, Counter]:
    """A sync with ``records`` new records, then one with nothing new."""
    lists = data.sintgorik_lists(
        tag, records, SCHOOL_YEAR, datetime(2026, 9, 1, tzinfo=UTC).isoformat()
    )
    for request in lists["requests"]:  # one school and one programme, whatever the size
        request["programme"] = {"id": f"{tag}-P", "name": f"Opleiding {tag}"}
    side.items.update(lists)
    counts = []
    for counted_as in ("created", "unchanged"):
        with statements(app) as counted:
            run = sync_bridge(app, "sintgorik", locale="en")
        assert run.status is RunStatus.SUCCEEDED, [i.reason for i in run.issues[:3]]
        assert getattr(run, counted_as) > 0
        counts.append(counted)
    return counts[0], counts[1]


def _without_inserts(counted: Counter) -> Counter:
    return Counter({word: n for word, n in counted.items() if word != "INSERT"})


def test_a_sync_reads_and_writes_in_a_number_of_statements_independent_of_its_size(app):
    side = SintGorik("t")
    app.config.update({"sintgorik_bridge.url": side.url, "sintgorik_bridge.token": "t"})
    try:
        small, small_again = _sync(app, side, "a", 20)
        # The first records disappear (a warning each), so both runs start alike.
        large, large_again = _sync(app, side, "b", 60)
    finally:
        side.stop()
    # Everything but new rows: the same count for 20 and for 60 new records.
    assert _without_inserts(large) == _without_inserts(small)
    assert _without_inserts(large_again) == _without_inserts(small_again)
    if database(app).engine.dialect.name == "postgresql":
        # New rows too: one INSERT per table and flush (SQLite inserts them one by one).
        assert (large, large_again) == (small, small_again)


def test_a_legacy_import_checks_its_rows_without_a_query_per_row(app):
    counts = []
    for tag, rows in (("a", 20), ("b", 60)):
        file = data.stageaanvraag_csv(tag, rows, datetime(2026, 2, 2).date())
        with statements(app) as counted:
            run = import_legacy(app, file, "stageaanvraag", locale="en")
        assert run.status is RunStatus.SUCCEEDED, [i.reason for i in run.issues[:3]]
        counts.append(counted)
    assert _without_inserts(counts[1]) == _without_inserts(counts[0])
