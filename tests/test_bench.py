"""The benchmark harness's pure pieces (``bench/``): percentiles, targets and ratios, the
table, the form reader, and the generated input that the uploads and imports accept. No
timings are asserted here; ``make bench`` measures."""

from __future__ import annotations

import io
import math
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bench import data
from bench.client import FormFields
from bench.results import format_table
from bench.stats import Figures, Target, percentile
from core.bridges.legacy import import_legacy
from core.bridges.models import RunStatus
from core.bridges.runner import sync_bridge
from core.placements.models import BulkUpload, UploadStatus
from plugins.sintgorik_bridge.testing import SintGorik
from tests.world import csrf, sign_in


def test_percentiles_interpolate_between_ranks():
    values = [float(n) for n in range(10, 0, -1)]
    assert percentile(values, 50) == 5.5
    assert percentile(values, 95) == pytest.approx(9.55)
    assert percentile([7.0], 95) == 7.0
    assert math.isnan(percentile([], 50))


def test_ratios_and_targets():
    hello = Figures("hello", "sqlite", [1.0] * 10, wall_seconds=0.01)
    page = Figures("page", "sqlite", [4.0] * 10, wall_seconds=0.02, target=Target(50, 1 / 3))
    page.server_ms = [3.0] * 8 + [60.0, 60.0]
    page.compare(hello)
    assert page.hello_throughput_ratio == 0.5 and page.hello_latency_ratio == 4.0
    assert page.met() is False  # the server's p95 (not the client's) is over 50 ms
    page.server_ms = [3.0] * 10
    assert page.met() is True
    upload = Figures("upload", "sqlite", [6000.0], 6.0, target=Target(seconds=5), per_request=False)
    upload.compare(hello)
    assert upload.throughput is None and upload.hello_throughput_ratio is None
    assert upload.met() is False


def test_table_shows_every_row_and_marks_missed_targets():
    rows = [
        Figures("search", "postgresql", [10.0, 20.0], 0.5, target=Target(50)).as_dict(),
        Figures("hello world (baseline)", "postgresql", [1.0, 2.0], 0.1).as_dict(),
        Figures(
            "report", "sqlite", [2500.0], 2.5, target=Target(seconds=2), per_request=False
        ).as_dict(),
    ]
    lines = format_table(rows).splitlines()
    assert lines[0].split()[:4] == ["operation", "database", "n", "p50"]
    assert len(lines) == 2 + len(rows)
    assert lines[2].endswith("yes") and lines[4].endswith("NO")
    assert " - " in lines[3]  # no target, no figure: a dash
    markdown = format_table(rows, markdown=True).splitlines()
    assert markdown[1].startswith("| ---") and all(line.endswith("|") for line in markdown)
    assert "| 2500.0 |" in markdown[4]


def test_form_fields_are_what_a_browser_would_send():
    page = """
    <form method="post" action="/afmelden"><input name="csrf_token" value="x"></form>
    <form method="post">
      <input type="hidden" name="csrf_token" value="token">
      <select name="student_id"><option value="3">A</option><option value="4">B</option></select>
      <select name="kind"><option value="a">A</option><option value="b" selected>B</option></select>
      <input type="checkbox" name="off"><input type="checkbox" name="on" value="1" checked>
      <input type="date" name="period_start" value="2027-02-01">
      <textarea name="message">
Hallo</textarea>
      <button type="submit" name="go">Versturen</button>
    </form>"""
    assert FormFields.of(page) == [
        ("csrf_token", "token"),
        ("student_id", "3"),
        ("kind", "b"),
        ("on", "1"),
        ("period_start", "2027-02-01"),
        ("message", "Hallo"),
    ]


def test_generated_bulk_upload_is_accepted_whole(client, db, world):
    key = "programme_coordinator_a"
    sign_in(client, world.users[key], world.memberships[key])
    school = world.institutions["school_a"].institution_number
    rows = data.bulk_rows("t", 5, [school], date(2027, 3, 1))
    response = client.post(
        "/aanvragen/upload",
        data={
            "csrf_token": csrf(client, "/aanvragen/upload"),
            "file": (io.BytesIO(data.csv_bytes(data.BULK_COLUMNS, rows)), "aanvragen.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and re.search(r"/aanvragen/upload/\d+$", response.location)
    db.rollback()
    upload = db.scalars(select(BulkUpload)).one()
    assert (upload.status, upload.processed_rows, upload.errors) == (UploadStatus.DONE, 5, [])


def test_generated_legacy_export_passes_every_check(app):
    run = import_legacy(
        app, data.stageaanvraag_csv("t", 12, date(2026, 3, 2)), "stageaanvraag", True
    )
    assert (run.status, run.refused, run.created) == (RunStatus.CHECKED, 0, 12 + 10 + 12 + 1)


def test_generated_sintgorik_lists_pass_every_check(app):
    side = SintGorik("t")
    side.items.update(data.sintgorik_lists("t", 50, "2026-2027", datetime.now(UTC).isoformat()))
    app.config.update({"sintgorik_bridge.url": side.url, "sintgorik_bridge.token": "t"})
    try:
        run = sync_bridge(app, "sintgorik", dry_run=True)
    finally:
        side.stop()
    assert (run.status, run.refused) == (RunStatus.CHECKED, 0)
