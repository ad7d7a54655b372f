"""Collect report sections from the core and every plugin."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.plugins.manager import Plugins
from core.plugins.types import ReportSection


def report_sections(
    session: Session, plugins: Plugins, start: datetime, end: datetime
) -> list[ReportSection]:
    """Every section for the period ``[start, end)``, the core's first."""
    pairs = plugins.results_by_plugin(
        "stagebank_report_sections", session=session, start=start, end=end
    )
    return [section for _, sections in pairs for section in sections]
