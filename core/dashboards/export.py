"""The overview as a CSV file that Excel opens as it is, in Flanders too.

UTF-8 with a byte-order mark (else Excel reads Latin-1), semicolons (the list separator
of Dutch and Belgian Excel; commas would land everything in one column), ISO dates (read
as dates in every locale) and headers in the reader's language. A school's file has no
student number or home postcode: the columns follow :func:`student_fields_for`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from core.access.policy import Actor, student_fields_for
from core.dashboards.queries import OverviewFilters, overview_rows
from core.placements.forms import KIND_LABELS
from core.placements.models import STATUS_LABELS, PlacementRequest

BOM = "\ufeff"
#: Cells Excel would read as a formula; such values get a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: object
    value: Callable[[PlacementRequest, str], object]
    #: The student field this column shows (None: not personal data of the student).
    student_field: str | None = None


def _date(day) -> str:
    return day.isoformat() if day else ""


COLUMNS = (
    Column(_l("Aanvraag"), lambda r, _: r.id),
    Column(_l("Student"), lambda r, _: r.student.full_name, "full_name"),
    Column(_l("E-mailadres student"), lambda r, _: r.student.email, "email"),
    Column(_l("Studentennummer"), lambda r, _: r.student.student_number, "student_number"),
    Column(_l("Postcode woonplaats"), lambda r, _: r.student.home_postcode, "home_postcode"),
    Column(_l("Lerarenopleiding"), lambda r, _: r.programme.name),
    Column(_l("School"), lambda r, _: r.school.name),
    Column(_l("Onderwijsniveau"), lambda r, locale: r.level.name_in(locale)),
    Column(_l("Vak"), lambda r, locale: r.subject.name_in(locale)),
    Column(_l("Soort stage"), lambda r, _: KIND_LABELS[r.kind]),
    Column(_l("Uren"), lambda r, _: r.hours),
    Column(_l("Begindatum"), lambda r, _: _date(r.period_start)),
    Column(_l("Einddatum"), lambda r, _: _date(r.period_end)),
    Column(_l("Status"), lambda r, _: STATUS_LABELS[r.status]),
    Column(_l("Antwoord verwacht tegen"), lambda r, _: _date(r.answer_deadline)),
    Column(_l("Stagebegeleider"), lambda r, _: r.supervisor.name if r.supervisor else ""),
    Column(_l("Mentor"), lambda r, _: r.mentor.name if r.mentor else ""),
    Column(_l("Laatst gewijzigd"), lambda r, _: format_datetime(r.updated_at, "yyyy-MM-dd HH:mm")),
)


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def requests_csv(actor: Actor, requests: Iterable[PlacementRequest], locale: str) -> str:
    """The CSV text (with BOM) of ``requests`` as ``actor`` may see them."""
    # The header follows the actor's role; each row is checked again on its own request.
    allowed = set(student_fields_for(actor, None))
    columns = [c for c in COLUMNS if c.student_field is None or c.student_field in allowed]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(column.header) for column in columns])
    for request in requests:
        per_request = set(student_fields_for(actor, request))
        writer.writerow(
            [
                _cell(column.value(request, locale))
                if column.student_field is None or column.student_field in per_request
                else ""
                for column in columns
            ]
        )
    return BOM + out.getvalue()


def overview_export(
    session: Session, actor: Actor, filters: OverviewFilters, locale: str, today: date
) -> tuple[str, str]:
    """The overview's filtered requests as a CSV file: its text and its name."""
    text = requests_csv(actor, overview_rows(session, actor, filters), locale)
    return text, f"stageaanvragen-{today.isoformat()}.csv"
