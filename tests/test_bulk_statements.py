"""A bulk upload costs a number of SQL statements that does not grow with its rows: what the
rows refer to is loaded for the whole file, and students, requests, events and mail are
written together (timings are for ``make bench``; here the statements are counted). The one
exception left is the bridges' lookup per status change (``BRIDGE_LOOKUP``)."""

from __future__ import annotations

from collections import Counter

from core.database import database
from core.placements.models import BulkUpload, UploadStatus
from tests.test_bulk import COLUMNS, csv_bytes, fresh, new_row, upload
from tests.world import captured_statements, sign_in

#: The bridges' outbox looks up, per status change, whether the request came from a bridge
#: (one SELECT per new request, from the core's ``stagebank_request_status_changed`` hook).
BRIDGE_LOOKUP = "SELECT bridge_mappings"


def _statements(app, client, world, first: int, rows: int) -> Counter:
    """Upload ``rows`` new students' requests; the statements run, by their first word
    (and the table of an INSERT)."""
    data = csv_bytes([new_row(world, n) for n in range(first, first + rows)], columns=COLUMNS)
    with captured_statements(app) as sent:
        upload(client, data)
    seen: Counter = Counter()
    for statement, _parameters in sent:
        words = statement.split()
        if words[0].upper() == "INSERT":
            seen[" ".join(words[:3])] += 1
        elif "FROM bridge_mappings" in statement:
            seen[BRIDGE_LOOKUP] += 1
        else:
            seen[words[0].upper()] += 1
    return seen


def test_ten_and_forty_rows_cost_the_same_statements(app, client, db, world):
    sign_in(
        client,
        world.users["programme_coordinator_a"],
        world.memberships["programme_coordinator_a"],
    )
    _statements(app, client, world, 500, 3)  # warm up: first-use lookups and caches
    ten = _statements(app, client, world, 1000, 10)
    forty = _statements(app, client, world, 2000, 40)

    uploads = fresh(db).query(BulkUpload).order_by(BulkUpload.id).all()
    assert [u.status for u in uploads] == [UploadStatus.DONE] * 3
    assert [u.processed_rows for u in uploads] == [3, 10, 40]
    assert forty.pop(BRIDGE_LOOKUP) - ten.pop(BRIDGE_LOOKUP) == 30
    if database(app).engine.dialect.name == "postgresql":
        assert forty == ten
    else:
        # SQLite cannot say in which order a multi-row INSERT returns its new ids, so the
        # ORM inserts rows that need their id one at a time; everything else is the same.
        inserts = {key for key in ten | forty if key.startswith("INSERT")}
        assert {k: v for k, v in forty.items() if k not in inserts} == {
            k: v for k, v in ten.items() if k not in inserts
        }
        for key in inserts:
            assert forty[key] - ten[key] in (0, 30, 60)  # one per row: student, request, events
