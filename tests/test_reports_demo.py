"""On the small demo, the report page, the CLI (JSON and CSV) and the XLSX file show the
same numbers: they all render the one computed report."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from html.parser import HTMLParser
from numbers import Number

from babel.numbers import parse_decimal
from openpyxl import load_workbook
from sqlalchemy import select

from core.accounts.models import User
from core.demo.generator import load_demo
from core.helpdesk.models import Ticket, TicketCategory
from tests.world import sign_in

TODAY = dt.date(2026, 12, 4)
START, END = "2025-09-01", "2026-12-03"


class _Tables(HTMLParser):
    """The cell texts of every ``<table data-section>`` of the report page."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.section = self.row = self.cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-section" in attrs:
            self.section = attrs["data-section"]
            self.tables[self.section] = []
        elif self.section and tag == "tr":
            self.row = []
        elif self.row is not None and tag == "td":
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.section = None
        elif tag == "tr" and self.row is not None:
            if self.row:
                self.tables[self.section].append(self.row)
            self.row = None
        elif tag == "td" and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def _number(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _at_figures(row, cells) -> list:
    """The ``cells`` where ``row`` holds a figure (a number, or None for an empty one)."""
    return [
        cell
        for value, cell in zip(row, cells, strict=True)
        if value is None or isinstance(value, Number)
    ]


def _figures(row, cells=None) -> list[Decimal | None]:
    return [_number(cell) for cell in _at_figures(row, row if cells is None else cells)]


def _csv_sections(text: str) -> dict[str, list[list[str]]]:
    sections, lines = {}, list(csv.reader(io.StringIO(text)))
    index = 0
    while index < len(lines):
        _marker, key, _title = lines[index]
        end = lines.index([], index)
        sections[key] = lines[index + 2 : end]
        index = end + 1
    return sections


def test_page_cli_csv_and_xlsx_show_the_same_numbers(app, db, cli, tmp_path):
    load_demo(app, scale="small", seed=2017, today=TODAY)
    admin = db.scalar(select(User).where(User.is_admin))
    db.add(Ticket(user=admin, category=TicketCategory.TECHNICAL, subject="?", body="?"))
    db.commit()

    as_json = cli.invoke(args=["report", "--from", START, "--to", END, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    report = json.loads(as_json.stdout)
    sections = {section["key"]: section for section in report["sections"]}
    assert len(sections) >= 18
    # The demo fills the figures: these are not tables of zeros.
    requests = dict(sections["requests_by_status"]["rows"])
    assert sum(requests.values()) > 100 and requests["accepted"] > 10
    answers = dict(sections["request_answers"]["rows"])
    assert 0 < answers["aanvaardingsgraad_pct"] < 100 and answers["mediaan_antwoordtijd_dagen"] > 0
    assert sum(row[1] for row in sections["requests_by_region"]["rows"]) > 100
    assert any(row[-1] > 0 for row in sections["supply_and_demand"]["rows"])

    as_csv = cli.invoke(args=["report", "--from", START, "--to", END, "--format", "csv"])
    workbook_path = tmp_path / "rapport.xlsx"
    as_xlsx = cli.invoke(
        args=["report", "--from", START, "--to", END, "--format", "xlsx"]
        + ["--output", str(workbook_path)]
    )
    assert as_csv.exit_code == 0 and as_xlsx.exit_code == 0, as_xlsx.output
    csv_sections = _csv_sections(as_csv.stdout)
    workbook = load_workbook(workbook_path)
    names = {row[1].value: row[0].value for row in workbook["rapport"].iter_rows(min_row=7)}

    client = app.test_client()
    sign_in(client, admin)
    page = client.get(f"/beheer/rapporten?van={START}&tot={END}")
    assert page.status_code == 200
    parser = _Tables()
    parser.feed(page.get_data(as_text=True))

    for key, section in sections.items():
        rows, columns = section["rows"], section["columns"]
        # CSV: the same cells as text, in the same order.
        assert csv_sections[key] == [["" if v is None else str(v) for v in r] for r in rows], key
        # XLSX: the section's sheet, after the title, header and column key lines.
        sheet = workbook[names[key]]
        assert [cell.value for cell in sheet[3]] == columns, key
        cells = [[cell.value for cell in line] for line in sheet.iter_rows(min_row=4)]
        assert len(cells) == len(rows), key
        for row, line in zip(rows, cells, strict=True):
            assert _figures(row, line) == _figures(row), (key, row, line)
        # The page: every row of the table, numbers written the Flemish way.
        shown = parser.tables.get(key, [])
        assert len(shown) == len(rows), key
        for row, texts in zip(rows, shown, strict=True):
            shown_figures = [
                None if text == "—" else parse_decimal(text, locale="nl_BE")
                for text in _at_figures(row, texts)
            ]
            assert shown_figures == _figures(row), (key, row, texts)

    # The page's own downloads are the very same files.
    query = f"van={START}&tot={END}"
    downloaded = client.get(f"/beheer/rapporten/download?formaat=csv&{query}")
    assert downloaded.get_data(as_text=True).replace("\r\n", "\n") == as_csv.stdout
    assert client.get(f"/beheer/rapporten/download?formaat=json&{query}").get_json() == report
