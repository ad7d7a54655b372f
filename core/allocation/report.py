"""The shortage of places for the students with wishes, as a section of the government
reports (registered with the core's ``stagebank_report_sections``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.allocation.services import shortage
from core.offers.school_years import school_year_of
from core.plugins.types import Name, ReportChart, ReportSection
from core.reports.figures import COLUMN_NAMES, UNKNOWN

COLUMNS = ("regio", "niveau", "vak_code", "vak", "nodig", "vrij", "tekort")
HEADERS = {
    "nodig": Name("Nodig", "Needed"),
    "vrij": Name("Vrije plaatsen", "Free places"),
}


def shortage_section(session: Session, end: datetime) -> ReportSection:
    """Per home province and subject: places the students with wishes need, free places
    in published offers of the school year there, and what is lacking."""
    school_year = school_year_of((end - timedelta(microseconds=1)).date())
    rows = [
        (
            row.region_code or UNKNOWN,
            row.level_code,
            row.subject.code,
            row.subject.name_nl,
            row.needs,
            row.places,
            row.lacking,
        )
        for row in shortage(session, None, school_year)
        if row.lacking
    ]
    return ReportSection(
        key="allocation_shortage",
        title=Name(
            "Tekort aan stageplaatsen voor studenten met wensen",
            "Shortage of places for students with wishes",
        ),
        columns=COLUMNS,
        rows=tuple(rows),
        headers=tuple(HEADERS.get(c) or COLUMN_NAMES.get(c, Name(c, c)) for c in COLUMNS),
        note=Name(
            f"Nodig: vakken van studenten met wensen (volgens hun woonplaats). Vrij: vrije "
            f"plaatsen in gepubliceerd aanbod voor {school_year} in die provincie.",
            f"Needed: subjects of students with wishes (by their home). Free: free places in "
            f"published offers for {school_year} in that province.",
        ),
        chart=ReportChart("tekort", ("vak", "regio")),
    )
