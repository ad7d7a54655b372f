"""Reports for the government: the sections of the core and every plugin (administrators)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from flask_smorest import abort

from core.access.routes import Access, access
from core.api.common import api_blueprint
from core.api.schemas import ReportArgs, ReportSchema
from core.database import db_session
from core.plugins.manager import plugins_of
from core.reports.sections import report_sections

blp = api_blueprint("reports", "Reports over a period (administrators).")


@blp.route("/reports")
@access(Access.ADMIN)
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportSchema)
def get_report(args):
    """Every report section for the days ``from`` to ``to`` (both included, UTC)."""
    start, end = args["start"], args["end"]
    if end < start:
        abort(422, errors={"to": [str(_l("De einddatum ligt voor de begindatum."))]})
    after = end + timedelta(days=1) if end < date.max else end
    sections = report_sections(
        db_session(),
        plugins_of(),
        datetime.combine(start, time(), UTC),
        datetime.combine(after, time(), UTC),
    )
    return {"start": start, "end": end, "sections": sections}
