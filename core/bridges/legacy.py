"""Importing historical institutions, offers and requests from CSV exports of the systems
used before Stagebank (column mappings in docs/legacy-import.md).

A file becomes :class:`~core.plugins.types.BridgeRecord` objects of system
``legacy-<format>`` and runs through the same engine as a bridge: the same checks, all or
nothing unless ``partial``, every bad row reported with its line, ids kept in the mapping
table so a second import of the same file changes nothing. Historical requests are created
through ``import_request`` with reason ``import <format>``; nobody is notified.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.bridges.models import BridgeRun
from core.bridges.runner import execute
from core.plugins.types import BridgeRecord, BridgeUnavailable

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M")
LEVELS = {
    "secundair": "secondary",
    "lager": "primary",
    "secondary": "secondary",
    "primary": "primary",
}
OFFER_STATUSES = {"open": "published", "gesloten": "closed", "concept": "draft"}
REQUEST_STATUSES = {
    "verstuurd": "submitted",
    "aanvaard": "accepted",
    "geweigerd": "declined",
    "verlopen": "expired",
    "ingetrokken": "withdrawn",
    "geannuleerd": "cancelled",
    "afgerond": "completed",
}
KINDS = {"observatie": "observation", "onderwijs": "teaching", "lio": "long_term"}
SEMESTERS = {"1": "1", "2": "2", "jaar": "year", "year": "year"}
#: Level fields that the old exports carry as their own columns.
ATTRIBUTE_COLUMNS = ("graad", "finaliteit", "onderwijsvorm", "klas")


class FileUnreadable(BridgeUnavailable):
    """The file as a whole cannot be read (encoding, columns, size); one sentence."""


class Row:
    """One data row: values by lower-case column name, and the problems found reading it."""

    def __init__(self, line: int, cells: dict[str, str]):
        self.line, self.cells, self.problems = line, cells, []

    def text(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()

    def optional(self, column: str) -> str | None:
        return self.text(column) or None

    def parsed(self, column: str, parse: Callable[[str], Any]) -> Any:
        raw = self.text(column)
        if not raw:
            return None
        try:
            return parse(raw)
        except (ValueError, KeyError):
            self.problems.append(
                str(_l("Kolom %(column)s: ongeldige waarde %(value)s.", column=column, value=raw))
            )
            return None

    def date(self, column: str) -> date | None:
        return self.parsed(column, lambda raw: _first_format(raw, DATE_FORMATS).date())

    def integer(self, column: str) -> int | None:
        return self.parsed(column, int)

    def word(self, column: str, words: dict[str, str]) -> str | None:
        return self.parsed(column, lambda raw: words[raw.lower()])

    def updated_at(self, column: str) -> datetime | None:
        def parse(raw: str) -> datetime:
            moment = _first_format(raw, DATETIME_FORMATS + DATE_FORMATS)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

        return self.parsed(column, parse)

    def attributes(self, prefix: str = "") -> dict[str, str]:
        if prefix:
            return {
                name[len(prefix) :]: value.strip()
                for name, value in self.cells.items()
                if name.startswith(prefix) and (value or "").strip()
            }
        return {name: self.text(name) for name in ATTRIBUTE_COLUMNS if self.text(name)}


def _first_format(raw: str, formats: tuple[str, ...]) -> datetime:
    for pattern in formats:
        try:
            return datetime.strptime(raw, pattern)
        except ValueError:
            continue
    raise ValueError(raw)


@dataclass
class Collector:
    """Records by (kind, id). Repeated copies of one record (a school on every row of its
    offers) become one, with the union of their ``levels``; copies that disagree all stay,
    so the core refuses them as duplicates."""

    records: dict[tuple[str, str], list[BridgeRecord]] = field(default_factory=dict)

    def add(self, record: BridgeRecord) -> None:
        copies = self.records.setdefault((record.kind, record.external_id), [])
        for index, copy in enumerate(copies):
            if _without_levels(copy) == _without_levels(record):
                copies[index] = _merged(copy, record)
                return
        copies.append(record)

    def all(self) -> list[BridgeRecord]:
        return [record for copies in self.records.values() for record in copies]


def _without_levels(record: BridgeRecord) -> tuple:
    return record.problems, {k: v for k, v in record.values.items() if k != "levels"}


def _merged(first: BridgeRecord, second: BridgeRecord) -> BridgeRecord:
    values = dict(first.values)
    if "levels" in values:
        values["levels"] = sorted(set(values["levels"]) | set(second.values.get("levels", ())))
    moments = [moment for moment in (first.updated_at, second.updated_at) if moment]
    return BridgeRecord(
        first.kind,
        first.external_id,
        values,
        max(moments) if moments else None,
        first.problems,
        first.position,
    )


# ----------------------------------------------------------------------------- formats


def _school(row: Row, id_column: str) -> BridgeRecord:
    level = LEVELS.get(row.text("niveau").lower())
    return BridgeRecord(
        "school",
        row.text(id_column),
        {
            "name": row.text("schoolnaam"),
            "institution_number": row.optional("instellingsnummer"),
            "network_code": row.optional("net"),
            "region_code": row.optional("regio"),
            "street": row.text("straat"),
            "postcode": row.text("postcode"),
            "levels": [level] if level else [],
        },
        position=row.line,
    )


def mentorant(row: Row) -> Iterator[BridgeRecord]:
    """One row per place offered (``PlaatsID``; empty: only the school)."""
    yield _school(row, "schoolid")
    if not row.text("plaatsid"):
        return
    values = {
        "school": row.text("schoolid"),
        "school_year": row.text("schooljaar"),
        "level_code": row.word("niveau", LEVELS),
        "subject_code": row.text("vak"),
        "places": row.integer("plaatsen"),
        "attributes": row.attributes(),
        "period_start": row.date("van"),
        "period_end": row.date("tot"),
        "semester": row.word("semester", SEMESTERS),
        "status": row.word("status", OFFER_STATUSES) or "published",
        "mentor_name": row.text("mentor"),
        "notes": row.text("opmerking"),
    }
    yield BridgeRecord(
        "offer",
        row.text("plaatsid"),
        values,
        row.updated_at("gewijzigd"),
        tuple(row.problems),
        row.line,
    )


def stageaanvraag(row: Row) -> Iterator[BridgeRecord]:
    """One row per request, with its programme, student and school."""
    yield BridgeRecord(
        "programme",
        row.text("opleidingid"),
        {
            "name": row.text("opleiding"),
            "institution_number": row.optional("opleidingnummer"),
            "organisation": row.optional("hogeschool"),
        },
        position=row.line,
    )
    yield BridgeRecord(
        "student",
        row.text("studentid"),
        {
            "programme": row.text("opleidingid"),
            "first_name": row.text("voornaam"),
            "last_name": row.text("familienaam"),
            "email": row.text("email"),
            "student_number": row.text("studentennummer"),
        },
        position=row.line,
    )
    yield _school(row, "schoolid")
    values = {
        "programme": row.text("opleidingid"),
        "school": row.text("schoolid"),
        "student": row.text("studentid"),
        "offer": None,
        "level_code": row.word("niveau", LEVELS),
        "subject_code": row.text("vak"),
        "attributes": row.attributes(),
        "period_start": row.date("van"),
        "period_end": row.date("tot"),
        "kind": row.word("soort", KINDS),
        "hours": row.integer("uren") or 0,
        "status": row.word("status", REQUEST_STATUSES),
        "reason": row.text("reden"),
        "message": row.text("bericht"),
    }
    yield BridgeRecord(
        "request",
        row.text("aanvraagid"),
        values,
        row.updated_at("gewijzigd"),
        tuple(row.problems),
        row.line,
    )


#: Columns of Stagebank's own CSV that hold dates, whole numbers or lists.
CSV_DATES = ("period_start", "period_end", "answer_deadline")
CSV_INTEGERS = ("places", "hours")
CSV_REFERENCES = ("programme", "school", "student", "offer")
CSV_FIELDS = {
    "school": (
        "name",
        "institution_number",
        "network_code",
        "region_code",
        "organisation",
        "campus_name",
        "street",
        "postcode",
        "levels",
    ),
    "programme": (
        "name",
        "institution_number",
        "network_code",
        "region_code",
        "organisation",
        "levels",
    ),
    "student": ("programme", "first_name", "last_name", "email", "student_number"),
    "offer": (
        "school",
        "school_year",
        "level_code",
        "subject_code",
        "places",
        "attributes",
        "period_start",
        "period_end",
        "semester",
        "notes",
        "mentor_name",
        "status",
    ),
    "request": (
        "programme",
        "school",
        "student",
        "offer",
        "level_code",
        "subject_code",
        "attributes",
        "period_start",
        "period_end",
        "kind",
        "hours",
        "message",
        "answer_deadline",
        "status",
        "reason",
    ),
}


def stagebank_csv(row: Row) -> Iterator[BridgeRecord]:
    """One row per record, in the core's own vocabulary (``record`` names the kind)."""
    kind = row.text("record").lower()
    if kind not in CSV_FIELDS:
        row.problems.append(
            str(_l("Kolom record: kies uit %(kinds)s.", kinds=", ".join(CSV_FIELDS)))
        )
        yield BridgeRecord(kind, row.text("id"), problems=tuple(row.problems), position=row.line)
        return
    values: dict[str, Any] = {}
    for name in CSV_FIELDS[kind]:
        if name in CSV_DATES:
            values[name] = row.date(name)
        elif name in CSV_INTEGERS:
            values[name] = row.integer(name)
        elif name == "levels":
            values[name] = sorted(row.text(name).split())
        elif name == "attributes":
            values[name] = row.attributes("attr.")
        else:
            values[name] = row.text(name) or None
    yield BridgeRecord(
        kind, row.text("id"), values, row.updated_at("updated_at"), tuple(row.problems), row.line
    )


@dataclass(frozen=True)
class LegacyFormat:
    name: str
    required: tuple[str, ...]
    convert: Callable[[Row], Iterator[BridgeRecord]]


FORMATS = {
    "mentorant": LegacyFormat(
        "mentorant",
        (
            "schoolid",
            "schoolnaam",
            "straat",
            "postcode",
            "regio",
            "plaatsid",
            "schooljaar",
            "niveau",
            "vak",
            "plaatsen",
        ),
        mentorant,
    ),
    "stageaanvraag": LegacyFormat(
        "stageaanvraag",
        (
            "aanvraagid",
            "opleidingid",
            "opleiding",
            "studentid",
            "studentennummer",
            "voornaam",
            "familienaam",
            "email",
            "schoolid",
            "schoolnaam",
            "straat",
            "postcode",
            "regio",
            "niveau",
            "vak",
            "van",
            "tot",
            "soort",
            "status",
        ),
        stageaanvraag,
    ),
    "csv": LegacyFormat("csv", ("record", "id"), stagebank_csv),
}


# ------------------------------------------------------------------------------ reading


def read_records(data: bytes, format_name: str) -> list[BridgeRecord]:
    """The file's records; :class:`FileUnreadable` when the file as a whole cannot be used."""
    legacy = FORMATS[format_name]
    if len(data) > MAX_BYTES:
        raise FileUnreadable(str(_l("Het bestand is groter dan 10 MB.")))
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in legacy.required if name not in header]
    if missing:
        raise FileUnreadable(
            str(
                _l(
                    "Dit is geen %(format)s-export: de kolommen %(columns)s ontbreken.",
                    format=legacy.name,
                    columns=", ".join(missing),
                )
            )
        )
    reader.fieldnames = header
    collector = Collector()
    for number, cells in enumerate(reader, start=1):
        if number > MAX_ROWS:
            raise FileUnreadable(str(_l("Het bestand heeft meer dan %(n)d rijen.", n=MAX_ROWS)))
        row = Row(reader.line_num, {k: v for k, v in cells.items() if isinstance(v, str)})
        if not any(row.cells.values()):
            continue
        for record in legacy.convert(row):
            collector.add(record)
    return collector.all()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileUnreadable(str(_l("Het bestand is geen tekst (UTF-8 of Windows-1252).")))


def import_legacy(
    app: Flask,
    data: bytes,
    format_name: str,
    dry_run: bool = False,
    partial: bool = False,
    *,
    source: str = "cli",
    user_id: int | None = None,
    locale: str = "nl",
) -> BridgeRun:
    """Import one legacy export and return the recorded run (like a bridge sync)."""
    if format_name not in FORMATS:
        raise ValueError(f"Unknown format {format_name!r}; formats: {', '.join(FORMATS)}.")
    return execute(
        app,
        f"legacy-{format_name}",
        lambda: read_records(data, format_name),
        dry_run=dry_run,
        partial=partial,
        reason=f"import {format_name}",
        source=source,
        user_id=user_id,
        locale=locale,
        silent=True,
    )
