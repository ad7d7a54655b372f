"""The report as JSON, CSV and XLSX: the same sections, values and order.

* JSON: ``{"from", "to", "school_year", "sections": [{"key", "title", "columns",
  "headers", "rows"}]}``, the API's shape plus the column names for people.
* CSV (RFC 4180, comma, UTF-8, for programs; Excel users take the XLSX): per section a
  line ``section,<key>,<title>``, the line of column keys, the rows and an empty line.
* XLSX: a sheet ``rapport`` with the period and the list of sections, then one sheet per
  section: its title, the column names for people, the column keys, the rows.

Numbers stay numbers (``62.5``, never ``62,5``); an empty figure (no answers, so no
median) is empty in CSV and XLSX and ``null`` in JSON.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from core.dashboards.export import FORMULA_STARTS
from core.reports.services import Report

FORMATS = ("csv", "xlsx", "json")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
#: Excel's limit on a sheet name.
SHEET_NAME_LENGTH = 31


def plain(value: Any) -> Any:
    """A JSON-friendly value: numbers, text, booleans and None stay; dates become ISO."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def report_json(report: Report, locale: str) -> dict:
    return {
        "from": report.period.start.isoformat(),
        "to": report.period.end.isoformat(),
        "school_year": report.period.school_year,
        "sections": [
            {
                "key": section.key,
                "title": section.title.in_locale(locale),
                "columns": list(section.columns),
                "headers": [name.in_locale(locale) for name in section.headers],
                "rows": [[plain(value) for value in row] for row in section.rows],
            }
            for section in report.sections
        ],
    }


def _text(value: Any) -> str:
    """A CSV cell: empty for None; text that a spreadsheet would run as a formula gets a
    leading apostrophe (numbers never do)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return str(plain(value))


def report_csv(report: Report, locale: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for section in report.sections:
        writer.writerow(["section", section.key, section.title.in_locale(locale)])
        writer.writerow(section.columns)
        writer.writerows([_text(value) for value in row] for row in section.rows)
        writer.writerow([])
    return out.getvalue()


def _cell(value: Any) -> Any:
    value = plain(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def report_xlsx(report: Report, locale: str) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    summary.title = "rapport"
    bold = Font(bold=True)
    summary.append(["Stagebank"])
    summary.append(["from", report.period.start.isoformat()])
    summary.append(["to", report.period.end.isoformat()])
    summary.append(["school_year", report.period.school_year])
    summary.append([])
    summary.append(["sheet", "section", "title"])
    summary["A1"].font = bold
    for name, section in zip(sheet_names(report), report.sections, strict=True):
        summary.append([name, section.key, section.title.in_locale(locale)])
        sheet = workbook.create_sheet(name)
        sheet.append([section.title.in_locale(locale)])
        sheet["A1"].font = bold
        sheet.append([header.in_locale(locale) for header in section.headers] or section.columns)
        sheet.append(list(section.columns))
        for row in section.rows:
            sheet.append([_cell(value) for value in row])
        for cell in sheet[2]:
            cell.font = bold
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def render(report: Report, fmt: str, locale: str) -> str | bytes:
    """The report in ``fmt`` (one of :data:`FORMATS`): text for CSV and JSON, bytes for XLSX."""
    if fmt == "json":
        return json.dumps(report_json(report, locale), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return report_csv(report, locale)
    if fmt == "xlsx":
        return report_xlsx(report, locale)
    raise ValueError(f"Unknown report format {fmt!r}.")


def sheet_names(report: Report) -> list[str]:
    """One unique sheet name per section, from its key (Excel allows 31 characters)."""
    names: list[str] = []
    for section in report.sections:
        name = section.key[:SHEET_NAME_LENGTH]
        number = 2
        while name in names or name == "rapport":
            suffix = f"_{number}"
            name = section.key[: SHEET_NAME_LENGTH - len(suffix)] + suffix
            number += 1
        names.append(name)
    return names


def filename(report: Report, extension: str) -> str:
    return f"stagebank-rapport-{report.period.start}-{report.period.end}.{extension}"
