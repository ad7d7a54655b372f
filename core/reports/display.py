"""How the report page shows a cell: codes as names in the reader's language, numbers the
Flemish way. Exports keep the codes and plain numbers."""

from __future__ import annotations

from numbers import Number

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.models import ROLE_LABELS, Role
from core.catalogue.models import EducationLevel
from core.helpdesk.models import CATEGORY_LABELS, TicketCategory
from core.offers.forms import HOSTING_LABELS, NO_REASON_LABELS
from core.offers.models import HostingAnswer, NoHostingReason
from core.placements.forms import KIND_LABELS
from core.placements.models import STATUS_LABELS, InternshipKind, RequestStatus
from core.reference.models import Region
from core.reports.figures import ADMIN_ROLE, TOTAL, UNKNOWN

MEASURE_LABELS = {
    "verstuurd": _l("Verstuurd"),
    "beantwoord": _l("Beantwoord (aanvaard of geweigerd)"),
    "aanvaard": _l("Aanvaard"),
    "geweigerd": _l("Geweigerd"),
    "verlopen": _l("Verlopen zonder antwoord"),
    "aanvaardingsgraad_pct": _l("Aanvaardingsgraad (%)"),
    "mediaan_antwoordtijd_dagen": _l("Mediaan antwoordtijd (dagen)"),
}
SPECIAL = {UNKNOWN: _l("onbekend"), TOTAL: _l("Totaal"), ADMIN_ROLE: _l("Platformbeheerder")}


def _enum_labels(enum_class, labels):
    return {member.value: label for member, label in labels.items() if member in enum_class}


class CellLabels:
    """Turns report values into text for the page; built once per page."""

    def __init__(self, session: Session, locale: str):
        self.locale = locale
        self.by_column = {
            "status": _enum_labels(RequestStatus, STATUS_LABELS),
            "soort": _enum_labels(InternshipKind, KIND_LABELS),
            "rol": _enum_labels(Role, ROLE_LABELS),
            "categorie": _enum_labels(TicketCategory, CATEGORY_LABELS),
            "antwoord": _enum_labels(HostingAnswer, HOSTING_LABELS),
            "reden": _enum_labels(NoHostingReason, NO_REASON_LABELS),
            "kengetal": MEASURE_LABELS,
            "regio": dict(session.execute(select(Region.code, Region.name_nl)).all()),
            "niveau": {
                level.code: level.name_in(locale)
                for level in session.scalars(select(EducationLevel))
            },
        }

    def label(self, column: str, value) -> str:
        """A code as its name (unknown codes as they are)."""
        if value is None:
            return "—"
        if isinstance(value, str):
            if value in SPECIAL:
                return str(SPECIAL[value])
            return str(self.by_column.get(column, {}).get(value, value))
        return self.number(value)

    @staticmethod
    def number(value) -> str:
        if value is None:
            return "—"
        if isinstance(value, Number) and not isinstance(value, bool):
            return format_decimal(value)
        return str(value)
