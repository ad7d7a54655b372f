"""The report: one computation, rendered alike by the web page, the exports and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.plugins.manager import Plugins
from core.plugins.types import ReportSection
from core.reports.periods import Period
from core.reports.sections import report_sections


@dataclass(frozen=True)
class Report:
    """Every section (the core's first, then the plugins') for one period."""

    period: Period
    sections: tuple[ReportSection, ...]

    def section(self, key: str) -> ReportSection | None:
        return next((section for section in self.sections if section.key == key), None)


def compute_report(session: Session, plugins: Plugins, period: Period) -> Report:
    """Compute the report for ``period``: the only place figures are computed."""
    start, end = period.moments
    return Report(period, tuple(report_sections(session, plugins, start, end)))
