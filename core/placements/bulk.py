"""Requests for many students at once: shared values for a selection of students, or a
CSV or XLSX file that is validated as a whole before anything is created.

Both paths create every request through :func:`~core.placements.services.create_request`
in one transaction, so the rules are those of a single request, and one refused request
means that none is created.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

import openpyxl
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.access.policy import Action, Actor, Denied, require
from core.catalogue.level_fields import level_fields
from core.catalogue.models import EducationLevel, Subject
from core.database import Database, utcnow
from core.institutions.models import Institution, InstitutionKind
from core.notifications.services import notifications_batched
from core.placements.models import (
    BulkUpload,
    InternshipKind,
    PlacementRequest,
    Student,
    UploadStatus,
)
from core.placements.services import (
    RequestBatch,
    RequestsRefused,
    RequestValues,
    check_request,
    create_requests,
    programme_of,
    supervisors_of,
)
from core.placements.students import (
    StudentsRefused,
    StudentValues,
    add_students,
    check_student,
    students_by_number,
)
from core.plugins.manager import Plugins
from core.plugins.types import LevelField

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_ROWS = 5000
#: Cells read per spreadsheet row; the template has far fewer columns.
MAX_COLUMNS = 100
#: Rows between two progress records.
CHUNK_ROWS = 100
MAX_REPORTED_ERRORS = 1000

KINDS = {
    "observatie": InternshipKind.OBSERVATION,
    "onderwijs": InternshipKind.TEACHING,
    "lio": InternshipKind.LONG_TERM,
}
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")

#: The core columns of an upload, in template order, with their meaning.
CORE_COLUMNS = {
    "studentennummer": _l("Studentennummer binnen je opleiding."),
    "voornaam": _l("Voornaam: alleen nodig voor een student die nog niet bestaat."),
    "familienaam": _l("Familienaam: alleen nodig voor een student die nog niet bestaat."),
    "e-mail": _l("E-mailadres: alleen nodig voor een student die nog niet bestaat."),
    "instellingsnummer": _l("Instellingsnummer van de school (6 cijfers)."),
    "aanbod": _l("Nummer van een aanbod van die school (optioneel)."),
    "niveau": _l("Code van het onderwijsniveau, bijvoorbeeld secondary."),
    "vak": _l("Vakcode binnen dat niveau, bijvoorbeeld WIS (zie de lijst hieronder)."),
    "begindatum": _l("Eerste stagedag: dd/mm/jjjj of jjjj-mm-dd."),
    "einddatum": _l("Laatste stagedag: dd/mm/jjjj of jjjj-mm-dd."),
    "soort": _l("observatie, onderwijs of lio."),
    "uren": _l("Aantal lesuren (leeg is 0)."),
    "begeleider": _l("E-mailadres van een stagebegeleider van je opleiding (optioneel)."),
    "bericht": _l("Bericht aan de school (optioneel)."),
}
REQUIRED_COLUMNS = (
    "studentennummer",
    "instellingsnummer",
    "niveau",
    "vak",
    "begindatum",
    "einddatum",
    "soort",
)
#: The file column that each field of a refusal (request or student) is about.
COLUMN_OF = {
    "student_id": "studentennummer",
    "student_number": "studentennummer",
    "first_name": "voornaam",
    "last_name": "familienaam",
    "email": "e-mail",
    "school_id": "instellingsnummer",
    "offer_id": "aanbod",
    "level_code": "niveau",
    "subject_id": "vak",
    "period_start": "begindatum",
    "period_end": "einddatum",
    "kind": "soort",
    "hours": "uren",
    "supervisor_id": "begeleider",
    "message": "bericht",
}
UPLOAD_STATUS_LABELS = {
    UploadStatus.VALIDATING: _l("Wordt gecontroleerd"),
    UploadStatus.REFUSED: _l("Geweigerd: er is niets aangemaakt"),
    UploadStatus.CREATING: _l("Aanvragen worden aangemaakt"),
    UploadStatus.DONE: _l("Klaar: alle aanvragen zijn verstuurd"),
}
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls format


# --------------------------------------------------------------------- by selection


class BulkRefused(ValueError):
    """Nothing was created; ``errors`` maps each refused student's id to its
    ``{field: [message]}``."""

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        super().__init__(errors)
        self.errors = errors


def create_for_students(
    session: Session,
    plugins: Plugins,
    actor: Actor,
    students: Iterable[Student],
    shared: RequestValues,
) -> list[PlacementRequest]:
    """One submitted request per student with the ``shared`` values, all or none.

    Every student is tried, so the refusal lists them all. The caller commits; on
    :class:`BulkRefused` it must roll back.
    """
    students = list(students)
    try:
        with notifications_batched(session):
            return create_requests(
                session, plugins, actor, [replace(shared, student_id=s.id) for s in students]
            )
    except RequestsRefused as refused:
        raise BulkRefused(
            {students[index].id: errors for index, errors in refused.errors.items()}
        ) from None


def school_by_number(session: Session, number: str) -> Institution | None:
    """The school with this instellingsnummer, or None."""
    return next(iter(schools_by_number(session, [number]).values()), None)


def schools_by_number(session: Session, numbers: Iterable[str]) -> dict[str, Institution]:
    """Schools by instellingsnummer; a number that lost its leading zeros still matches."""
    wanted = sorted({number.strip().zfill(6) for number in numbers if number.strip().isdigit()})
    found: dict[str, Institution] = {}
    for start in range(0, len(wanted), 500):
        found |= {
            school.institution_number: school
            for school in session.scalars(
                select(Institution).where(
                    Institution.kind == InstitutionKind.SCHOOL,
                    Institution.institution_number.in_(wanted[start : start + 500]),
                )
            )
        }
    return found


# ------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class LevelColumn:
    """A level-specific column: per level, whether it is required and what it accepts."""

    name: str
    levels: tuple[tuple[EducationLevel, LevelField], ...]


def _active_levels(session: Session) -> list[EducationLevel]:
    return list(
        session.scalars(
            select(EducationLevel).where(EducationLevel.active).order_by(EducationLevel.position)
        )
    )


def level_columns(session: Session, plugins: Plugins) -> list[LevelColumn]:
    """One column per level-specific request field of the plugins (by field name)."""
    by_name: dict[str, list[tuple[EducationLevel, LevelField]]] = {}
    for level in _active_levels(session):
        for _, level_field in level_fields(plugins, level.code, "request"):
            by_name.setdefault(level_field.name, []).append((level, level_field))
    return [LevelColumn(name, tuple(levels)) for name, levels in by_name.items()]


def column_names(session: Session, plugins: Plugins) -> list[str]:
    """Every column an upload may have, in template order."""
    extra = [c.name for c in level_columns(session, plugins) if c.name not in CORE_COLUMNS]
    return [*CORE_COLUMNS, *extra]


def subject_codes(session: Session) -> list[tuple[EducationLevel, list[Subject]]]:
    """Per active level, its active subjects by code (for the upload page)."""
    return [
        (
            level,
            list(
                session.scalars(
                    select(Subject)
                    .where(Subject.level_code == level.code, Subject.active)
                    .order_by(Subject.code)
                )
            ),
        )
        for level in _active_levels(session)
    ]


def template_file(session: Session, plugins: Plugins, kind: str) -> tuple[bytes, str, str]:
    """An empty upload file with the header row: ``(content, mimetype, filename)``.

    The CSV uses ``;`` and a UTF-8 BOM, which is how Excel in Flanders opens it correctly.
    """
    names = column_names(session, plugins)
    if kind == "xlsx":
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "aanvragen"
        sheet.append(names)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return (
            buffer.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "stagebank-aanvragen.xlsx",
        )
    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerow(names)
    return codecs.BOM_UTF8 + text.getvalue().encode(), "text/csv", "stagebank-aanvragen.csv"


# -------------------------------------------------------------------- reading a file


class UnreadableFile(ValueError):
    """A file that cannot be read as a table of requests; ``message`` says why (Dutch)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """The rows of a file under its header: ``(row number as Excel shows it, cells)``."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    errors: list[dict[str, Any]] = field(default_factory=list)


def read_table(filename: str, data: bytes, known_columns: Iterable[str]) -> Table:
    """Read a CSV (``,`` ``;`` or tab; UTF-8 with or without BOM, UTF-16, Windows-1252) or
    an XLSX file (its first sheet); :class:`UnreadableFile` when it is none of those."""
    if not data:
        raise UnreadableFile(_l("Het bestand is leeg."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnreadableFile(
            _l(
                "Het bestand is groter dan %(mb)d MB. Verdeel de aanvragen over meer bestanden.",
                mb=MAX_UPLOAD_BYTES // (1024 * 1024),
            )
        )
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xls" or data.startswith(OLE_MAGIC):
        raise UnreadableFile(
            _l(
                "Oude Excel-bestanden (.xls) en bestanden met een wachtwoord kunnen niet gelezen "
                "worden. Bewaar als .xlsx zonder wachtwoord of als CSV."
            )
        )
    if extension == "xlsx" or data.startswith(XLSX_MAGIC):
        grid = _xlsx_grid(data)
    elif extension in ("csv", "txt", ""):
        grid = _csv_grid(data)
    else:
        raise UnreadableFile(_l("Kies een CSV-bestand of een Excel-bestand (.xlsx)."))
    return _table(grid, set(known_columns))


def _xlsx_grid(data: bytes) -> Iterator[list[str]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # any broken or foreign zip file
        raise UnreadableFile(_l("Dit is geen geldig Excel-bestand (.xlsx).")) from error
    try:
        for row in workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield [_cell_text(value) for value in row]
    except Exception as error:  # a damaged sheet inside a valid zip
        raise UnreadableFile(_l("Dit is geen geldig Excel-bestand (.xlsx).")) from error
    finally:
        workbook.close()


def _cell_text(value) -> str:
    """A spreadsheet cell as text: dates as jjjj-mm-dd, 40.0 as 40."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    elif b"\x00" in data:
        raise UnreadableFile(_l("Dit bestand is geen CSV-bestand of Excel-bestand (.xlsx)."))
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(ord(char) < 32 and char not in "\t\r\n" for char in text):
            break
        return text
    raise UnreadableFile(
        _l(
            "De tekens in dit bestand kunnen niet gelezen worden. Bewaar het als "
            "'CSV UTF-8 (door komma's gescheiden)' of als Excel-bestand (.xlsx)."
        )
    )


def _csv_grid(data: bytes) -> Iterator[list[str]]:
    text = _decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count) if first else ","
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            yield [cell.strip() for cell in row[:MAX_COLUMNS]]
    except csv.Error as error:
        raise UnreadableFile(
            _l("Dit CSV-bestand kan niet gelezen worden: een cel is te lang of onvolledig.")
        ) from error


def _column_name(cell: str) -> str:
    name = " ".join(cell.replace("\ufeff", "").split()).lower()
    return "e-mail" if name == "email" else name


def _table(grid: Iterable[list[str]], known: set[str]) -> Table:
    rows = iter(grid)
    number, header = 0, None
    for cells in rows:
        number += 1
        if any(cells):
            header = [_column_name(cell) for cell in cells]
            break
    if header is None:
        raise UnreadableFile(_l("Het bestand is leeg."))
    while header and not header[-1]:
        header.pop()
    _check_header(header, known)
    table = Table(header, [])
    for cells in rows:
        number += 1
        if not any(cells):
            continue
        if len(table.rows) == MAX_UPLOAD_ROWS:
            raise UnreadableFile(
                _l(
                    "Het bestand heeft meer dan %(n)d rijen. Verdeel de aanvragen over meer "
                    "bestanden.",
                    n=MAX_UPLOAD_ROWS,
                )
            )
        if any(cells[len(header) :]):
            table.errors.append(
                _error(number, None, _l("deze rij heeft meer cellen dan er kolommen zijn"))
            )
        padded = [*cells, *[""] * (len(header) - len(cells))]
        table.rows.append((number, dict(zip(header, padded, strict=False))))
    if not table.rows:
        raise UnreadableFile(_l("Het bestand heeft een kopregel maar geen aanvragen."))
    return table


def _check_header(header: list[str], known: set[str]) -> None:
    if not known & set(header):
        raise UnreadableFile(
            _l(
                "De eerste rij moet de kolomnamen bevatten (studentennummer, "
                "instellingsnummer, niveau, vak, ...). Vertrek van het sjabloon."
            )
        )
    if "" in header:
        raise UnreadableFile(
            _l("Kolom %(n)d heeft geen naam in de kopregel.", n=header.index("") + 1)
        )
    if doubles := sorted({name for name in header if header.count(name) > 1}):
        raise UnreadableFile(
            _l("Deze kolommen komen meer dan eens voor: %(names)s.", names=", ".join(doubles))
        )
    if unknown := [name for name in header if name not in known]:
        raise UnreadableFile(
            _l(
                "Onbekende kolommen: %(names)s. Gebruik de kolomnamen van het sjabloon.",
                names=", ".join(f"'{_shown(name)}'" for name in unknown),
            )
        )
    if missing := [name for name in REQUIRED_COLUMNS if name not in header]:
        raise UnreadableFile(
            _l("Deze verplichte kolommen ontbreken: %(names)s.", names=", ".join(missing))
        )


def _error(row: int | None, column: str | None, message) -> dict[str, Any]:
    return {"row": row, "column": column, "message": str(message)}


def _shown(value: str) -> str:
    """A cell value quoted in a message, cut short."""
    return value if len(value) <= 40 else value[:39] + "…"


# ------------------------------------------------------------------ validating rows


@dataclass
class _Lookups:
    """Everything rows refer to, fetched once per file."""

    schools: dict[str, Institution]
    students: dict[str, Student]
    subjects: dict[tuple[str, str], Subject]
    fields: dict[str, dict[str, LevelField]]
    supervisors: dict[str, int]
    level_columns: list[str]


@dataclass
class _Plan:
    """A valid row: the request it becomes, and the student to add first if new."""

    row: int
    student_number: str
    values: RequestValues
    new_student: StudentValues | None


class _Row:
    """One data row being read: typed values, and the problems found on the way."""

    def __init__(self, number: int, cells: dict[str, str]):
        self.number, self.cells = number, cells
        self.errors: list[dict[str, Any]] = []

    def refuse(self, column: str | None, message) -> None:
        self.errors.append(_error(self.number, column, message))

    def text(self, column: str) -> str:
        return self.cells.get(column, "").strip()

    def required(self, column: str) -> str | None:
        if value := self.text(column):
            return value
        self.refuse(column, _l("vul dit in"))
        return None

    def date(self, column: str) -> date | None:
        value = self.required(column)
        for pattern in DATE_FORMATS if value else ():
            try:
                return datetime.strptime(value, pattern).date()
            except ValueError:
                continue
        if value:
            self.refuse(
                column,
                _l(
                    "ongeldige datum '%(value)s' (gebruik dd/mm/jjjj of jjjj-mm-dd)",
                    value=_shown(value),
                ),
            )
        return None

    def integer(self, column: str) -> int | None:
        value = self.text(column)
        try:
            return int(value) if value else None
        except ValueError:
            self.refuse(column, _l("'%(value)s' is geen geheel getal", value=_shown(value)))
            return None


def _lookups(session: Session, plugins: Plugins, programme: Institution, table: Table):
    cells = [cells for _, cells in table.rows]
    fields = {
        level.code: {f.name: f for _, f in level_fields(plugins, level.code, "request")}
        for level in _active_levels(session)
    }
    return _Lookups(
        schools=schools_by_number(session, (c.get("instellingsnummer", "") for c in cells)),
        students=students_by_number(
            session, programme, (c.get("studentennummer", "").strip() for c in cells)
        ),
        subjects={
            (subject.level_code, subject.code.upper()): subject
            for subject in session.scalars(select(Subject).where(Subject.active))
        },
        fields=fields,
        supervisors={user.email.lower(): user.id for user in supervisors_of(session, programme)},
        level_columns=[name for name in table.columns if name not in CORE_COLUMNS],
    )


class _FileCheck:
    """Checks the rows of one file, against the database and against each other.

    Every row is read first (:meth:`read`); then what the rows refer to is loaded at once
    and each read row is judged by the request rules (:meth:`judge`).
    """

    def __init__(self, session: Session, plugins: Plugins, programme: Institution, table: Table):
        self.session, self.plugins, self.programme = session, plugins, programme
        self.lookups = _lookups(session, plugins, programme, table)
        self.known = RequestBatch(session, plugins)
        self.periods: dict[tuple[str, int], list[tuple[date, date, int]]] = {}
        self.new_students: dict[str, tuple[tuple[str, str, str], int]] = {}

    def read(self, number: int, cells: dict[str, str]) -> tuple[_Row, _Plan | None]:
        """One row read into a plan (``None`` when it cannot be read)."""
        row = _Row(number, cells)
        return row, self._read(row)

    def preload(self, read: list[tuple[_Row, _Plan | None]]) -> None:
        """Load what the read rows refer to, for :meth:`judge`."""
        self.known.preload([plan.values for _, plan in read if plan is not None])

    def judge(self, row: _Row, plan: _Plan | None) -> tuple[_Plan | None, list[dict]]:
        """The plan of one read row, or ``None`` and the row's problems."""
        if plan is not None:
            self._judge(row, plan)
        return (None if row.errors else plan), row.errors

    def plan(self, number: int, cells: dict[str, str]) -> tuple[_Plan | None, list[dict]]:
        """The plan of one row, or ``None`` and the row's problems."""
        return self.judge(*self.read(number, cells))

    def _judge(self, row: _Row, plan: _Plan) -> None:
        for name, messages in check_request(
            self.session, self.plugins, self.programme, plan.values, self.known
        ).items():
            if name == "student_id" and plan.new_student is not None:
                continue  # the student is added just before the request
            for message in messages:
                row.refuse(_column(name), message)
        self._not_repeated(row, plan.student_number, plan.values)

    def _read(self, row: _Row) -> _Plan | None:
        number = row.required("studentennummer")
        student = self.lookups.students.get(number) if number else None
        new_student = self._new_student(row, number) if number and student is None else None
        if student is not None:
            self._same_student(row, student)
        school = self._school(row)
        level_code = self._level(row)
        subject = self._subject(row, level_code)
        values = RequestValues(
            student_id=student.id if student else 0,
            school_id=school.id if school else 0,
            offer_id=row.integer("aanbod"),
            level_code=level_code or "",
            subject_id=subject.id if subject else 0,
            period_start=row.date("begindatum"),
            period_end=row.date("einddatum"),
            kind=self._kind(row),
            hours=row.integer("uren") or 0,
            supervisor_id=self._supervisor(row),
            message=row.text("bericht"),
            attributes=self._attributes(row, level_code),
        )
        if row.errors:
            return None
        return _Plan(row.number, number, values, new_student)

    def _new_student(self, row: _Row, number: str) -> StudentValues | None:
        values = StudentValues(
            row.text("voornaam"), row.text("familienaam"), row.text("e-mail"), number
        )
        if not (values.first_name or values.last_name or values.email):
            row.refuse(
                "studentennummer",
                _l(
                    "onbekend studentennummer '%(value)s': vul voornaam, familienaam en e-mail "
                    "in om de student toe te voegen",
                    value=_shown(number),
                ),
            )
            return None
        identity = (values.first_name.casefold(), values.last_name.casefold(), values.email.lower())
        earlier = self.new_students.get(number)
        if earlier is None:
            self.new_students[number] = (identity, row.number)
            for name, messages in check_student(
                self.session, self.programme, values, self.lookups.students
            ).items():
                for message in messages:
                    row.refuse(_column(name), message)
        elif earlier[0] != identity:
            row.refuse(
                "studentennummer",
                _l(
                    "andere voornaam, familienaam of e-mail dan in rij %(row)d voor dit "
                    "studentennummer",
                    row=earlier[1],
                ),
            )
        return values

    @staticmethod
    def _same_student(row: _Row, student: Student) -> None:
        for column, known in (("voornaam", student.first_name), ("familienaam", student.last_name)):
            given = row.text(column)
            if given and given.casefold() != known.casefold():
                row.refuse(
                    column,
                    _l(
                        "studentennummer %(number)s hoort bij %(name)s",
                        number=student.student_number,
                        name=student.full_name,
                    ),
                )

    def _school(self, row: _Row) -> Institution | None:
        value = row.required("instellingsnummer")
        if not value:
            return None
        if not value.isdigit() or len(value) > 6:
            row.refuse(
                "instellingsnummer",
                _l("een instellingsnummer heeft 6 cijfers, niet '%(value)s'", value=_shown(value)),
            )
            return None
        school = self.lookups.schools.get(value.zfill(6))
        if school is None:
            row.refuse(
                "instellingsnummer",
                _l("onbekend instellingsnummer '%(value)s'", value=_shown(value)),
            )
        return school

    def _level(self, row: _Row) -> str | None:
        code = (row.required("niveau") or "").lower()
        if code and code not in self.lookups.fields:
            row.refuse(
                "niveau",
                _l(
                    "onbekend niveau '%(value)s' (kies uit: %(codes)s)",
                    value=_shown(code),
                    codes=", ".join(self.lookups.fields),
                ),
            )
            return None
        return code or None

    def _subject(self, row: _Row, level_code: str | None) -> Subject | None:
        code = row.required("vak")
        if not code or not level_code:
            return None
        subject = self.lookups.subjects.get((level_code, code.upper()))
        if subject is None:
            row.refuse("vak", _l("onbekende vakcode '%(value)s'", value=_shown(code)))
        return subject

    @staticmethod
    def _kind(row: _Row) -> InternshipKind | str:
        value = (row.required("soort") or "").lower()
        if value and value not in KINDS:
            row.refuse(
                "soort",
                _l("kies observatie, onderwijs of lio, niet '%(value)s'", value=_shown(value)),
            )
        return KINDS.get(value, "")

    def _supervisor(self, row: _Row) -> int | None:
        email = row.text("begeleider").lower()
        if email and email not in self.lookups.supervisors:
            row.refuse(
                "begeleider",
                _l("'%(value)s' is geen stagebegeleider van je opleiding", value=_shown(email)),
            )
        return self.lookups.supervisors.get(email)

    def _attributes(self, row: _Row, level_code: str | None) -> dict[str, Any]:
        """The level columns that are filled in; the request rules judge them."""
        fields = self.lookups.fields.get(level_code or "", {})
        attributes: dict[str, Any] = {}
        for column in self.lookups.level_columns:
            value = row.text(column)
            level_field = fields.get(column)
            if not value:
                continue
            if level_field is None:
                attributes[column] = value  # refused as a field unknown to this level
            elif level_field.kind == "integer":
                attributes[column] = row.integer(column)
            elif level_field.kind == "multichoice":
                parts = [part.strip() for part in value.split(",") if part.strip()]
                attributes[column] = [_choice(level_field, part) for part in parts]
            else:
                attributes[column] = _choice(level_field, value)
        return attributes

    def _not_repeated(self, row: _Row, number: str, values: RequestValues) -> None:
        key = (number, values.school_id)
        for start, end, other in self.periods.get(key, []):
            if start <= values.period_end and values.period_start <= end:
                row.refuse(
                    None,
                    _l(
                        "herhaalt rij %(row)d: dezelfde student bij dezelfde school in een "
                        "overlappende periode",
                        row=other,
                    ),
                )
                return
        self.periods.setdefault(key, []).append(
            (values.period_start, values.period_end, row.number)
        )


def _choice(level_field: LevelField, value: str) -> str:
    """``aso`` for a field with the choice ``ASO`` is that choice."""
    return next((c for c in level_field.choice_values() if c.lower() == value.lower()), value)


def _column(name: str) -> str | None:
    """The file column a refused field is about (None: the row as a whole)."""
    if name.startswith("attributes."):
        return name.removeprefix("attributes.")
    return COLUMN_OF.get(name)


def _capped(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    errors = sorted(errors, key=lambda error: error["row"] or 0)
    if len(errors) <= MAX_REPORTED_ERRORS:
        return errors
    rest = len(errors) - MAX_REPORTED_ERRORS
    return [
        *errors[:MAX_REPORTED_ERRORS],
        _error(None, None, _l("… en nog %(n)d fouten.", n=rest)),
    ]


# ----------------------------------------------------------------- running an upload


class UploadProgress:
    """An upload's status and progress, written in short transactions of their own, so
    that another browser tab sees them while the requests are created in one transaction.

    SQLite takes one writer at a time: while the requests are being written there, progress
    is recorded when creating starts and ends, not in between.
    """

    def __init__(self, database: Database, upload_id: int):
        self.database, self.upload_id = database, upload_id
        self.concurrent_writes = database.engine.dialect.name != "sqlite"
        self.creating = False

    @classmethod
    def start(cls, database: Database, programme: Institution, actor: Actor, filename: str):
        with database.sessionmaker() as session, session.begin():
            upload = BulkUpload(
                programme_id=programme.id,
                uploaded_by_id=actor.user.id if actor.user else None,
                filename=filename[:255],
                status=UploadStatus.VALIDATING,
                errors=[],
            )
            session.add(upload)
            session.flush()
            upload_id = upload.id
        return cls(database, upload_id)

    def record(self, **values) -> None:
        with self.database.sessionmaker() as session, session.begin():
            session.execute(
                update(BulkUpload).where(BulkUpload.id == self.upload_id).values(**values)
            )

    def start_creating(self) -> None:
        self.record(status=UploadStatus.CREATING, processed_rows=0)
        self.creating = True

    def advance(self, processed_rows: int) -> None:
        if self.concurrent_writes or not self.creating:
            self.record(processed_rows=processed_rows)

    def refuse(self, errors: list[dict[str, Any]]) -> None:
        self.creating = False
        self.record(status=UploadStatus.REFUSED, errors=_capped(errors), finished_at=utcnow())


def upload_requests(
    session: Session,
    database: Database,
    plugins: Plugins,
    actor: Actor,
    filename: str,
    data: bytes,
) -> int:
    """Check a whole file, then create all of its requests (submitted) or none; return the
    id of the :class:`BulkUpload` that records it.

    Runs its own transactions: ``session`` is committed after checking and after creating
    (or rolled back), and progress is written apart (:class:`UploadProgress`).
    """
    programme = programme_of(actor)
    progress = UploadProgress.start(database, programme, actor, filename)
    try:
        errors = _run(session, plugins, actor, programme, filename, data, progress)
    except Exception:
        session.rollback()
        progress.refuse([_error(None, None, _l("Er liep iets mis. Er is niets aangemaakt."))])
        raise
    if errors:
        session.rollback()
        progress.refuse(errors)
    return progress.upload_id


def _run(session, plugins, actor, programme, filename, data, progress) -> list[dict]:
    """Both phases of an upload; the problems that stopped it (empty when it is done)."""
    try:
        table = read_table(filename, data, column_names(session, plugins))
    except UnreadableFile as unreadable:
        return [_error(None, None, unreadable.message)]
    progress.record(total_rows=len(table.rows))
    check = _FileCheck(session, plugins, programme, table)
    read = [check.read(number, cells) for number, cells in table.rows]
    check.preload(read)
    plans, errors = [], list(table.errors)
    for index, (row, read_plan) in enumerate(read, 1):
        plan, row_errors = check.judge(row, read_plan)
        errors.extend(row_errors)
        if plan is not None:
            plans.append(plan)
        if index % CHUNK_ROWS == 0:
            progress.advance(index)
    progress.advance(len(table.rows))
    session.commit()  # end the reading transaction: SQLite refuses to write from a stale one
    if errors:
        return errors
    progress.start_creating()
    try:
        errors = _create(session, plugins, actor, plans, progress)
        if not errors:
            session.execute(
                update(BulkUpload)
                .where(BulkUpload.id == progress.upload_id)
                .values(status=UploadStatus.DONE, processed_rows=len(plans), finished_at=utcnow())
            )
            session.commit()
    except IntegrityError:
        errors = [
            _error(
                None, None, _l("Gegevens werden intussen gewijzigd. Laad het bestand opnieuw op.")
            )
        ]
    return errors


def _create(session, plugins, actor, plans: list[_Plan], progress) -> list[dict]:
    """Add the new students and create every request, :data:`CHUNK_ROWS` rows at a time;
    the refusals, row by row. The schools' people get one notification mail each."""
    errors: list[dict] = []
    added: dict[str, int] = {}
    known = RequestBatch(session, plugins).preload([plan.values for plan in plans])
    with notifications_batched(session):
        for start in range(0, len(plans), CHUNK_ROWS):
            chunk = plans[start : start + CHUNK_ROWS]
            refused = _add_new_students(session, actor, chunk, added, known)
            ready = []
            for plan in chunk:
                if plan.row in refused:
                    errors.extend(_row_errors(plan, refused[plan.row]))
                elif plan.new_student is None:
                    ready.append((plan, plan.values))
                else:
                    ready.append(
                        (plan, replace(plan.values, student_id=added[plan.student_number]))
                    )
            try:
                create_requests(session, plugins, actor, [v for _, v in ready], known)
            except RequestsRefused as refusal:
                for index, found in sorted(refusal.errors.items()):
                    errors.extend(_row_errors(ready[index][0], found))
            progress.advance(start + len(chunk))
    return errors


def _add_new_students(session, actor, plans, added: dict[str, int], known) -> dict[int, dict]:
    """Add the students of ``plans`` that are new and not added yet; the refusals by row."""
    first: dict[str, _Plan] = {}
    for plan in plans:
        if plan.new_student is not None and plan.student_number not in added:
            first.setdefault(plan.student_number, plan)
    waiting, refused = list(first.values()), {}
    while waiting:
        try:
            students = add_students(session, actor, [plan.new_student for plan in waiting])
        except StudentsRefused as refusal:
            refused |= {waiting[i].row: found for i, found in refusal.errors.items()}
            waiting = [plan for i, plan in enumerate(waiting) if i not in refusal.errors]
            continue
        added |= {plan.student_number: s.id for plan, s in zip(waiting, students, strict=True)}
        known.new_students(students)
        break
    refused_numbers = {
        plan.student_number: found for plan in first.values() if (found := refused.get(plan.row))
    }
    return {
        plan.row: refused_numbers[plan.student_number]
        for plan in plans
        if plan.new_student is not None and plan.student_number in refused_numbers
    }


def _row_errors(plan: _Plan, found: dict[str, list[str]]) -> list[dict]:
    return [
        _error(plan.row, _column(name), message)
        for name, messages in found.items()
        for message in messages
    ]


# ------------------------------------------------------------------------- reading


def uploads_of(session: Session, actor: Actor, limit: int = 10) -> list[BulkUpload]:
    """The programme's latest uploads, newest first."""
    return list(session.scalars(uploads_statement(actor).limit(limit)))


def uploads_statement(actor: Actor) -> Select:
    """The uploads of the actor's programme, newest first (:class:`Denied` for others)."""
    programme = programme_of(actor)
    return (
        select(BulkUpload)
        .where(BulkUpload.programme_id == programme.id)
        .order_by(BulkUpload.id.desc())
    )


def upload_for(session: Session, actor: Actor, upload_id: int) -> BulkUpload:
    """One upload of the actor's programme, or :class:`Denied` (foreign ids too)."""
    upload = session.get(BulkUpload, upload_id)
    if upload is None:
        raise Denied()
    require(actor, Action.CREATE_REQUEST, session.get(Institution, upload.programme_id))
    return upload
