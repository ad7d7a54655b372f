"""The overview of requests (``/overzicht``): counts per status, school year and subject,
one page of the filtered requests, and the CSV export, from the web's own queries
(``core.dashboards``)."""

from __future__ import annotations

from datetime import date

from flask import Response
from flask_babel import get_locale

from core.access.current import current_actor
from core.access.routes import Access, access
from core.api.common import api_blueprint, checked_school_year, envelope
from core.api.resources.requests import present
from core.api.schemas import OverviewArgs, OverviewExportArgs, RequestOverviewSchema
from core.dashboards.export import overview_export
from core.dashboards.queries import OverviewFilters, overview_counts, overview_page
from core.database import db_session
from core.placements.models import RequestStatus

blp = api_blueprint("overview", "The overview of requests: counts, filters, CSV export.")
CSV_RESPONSES = {
    "200": {
        "description": "The filtered requests (semicolons, UTF-8 with BOM), as on the web.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


def _filters(args: dict) -> OverviewFilters:
    year = args.get("school_year")
    return OverviewFilters(
        status=RequestStatus(args["status"]) if args.get("status") else None,
        school_year=checked_school_year(year) if year else None,
        subject_id=args.get("subject_id"),
    )


def _locale() -> str:
    return str(get_locale() or "nl")


@blp.route("/requests/overview")
@access(Access.MEMBER)
@blp.arguments(OverviewArgs, location="query")
@blp.response(200, RequestOverviewSchema)
def get_overview(args):
    """The requests the token may see, filtered on ``status``, ``school_year`` and
    ``subject_id``, latest period first; ``counts`` tells per status, school year and
    subject how many requests the other filters leave."""
    session, actor, filters = db_session(), current_actor(), _filters(args)
    counts = overview_counts(session, actor, filters, _locale())
    rows = overview_page(session, actor, filters, args["page"], args["page_size"])
    return {**envelope([present(r) for r in rows], counts.total, args), "counts": counts}


@blp.route("/requests/overview.csv")
@access(Access.MEMBER)
@blp.arguments(OverviewExportArgs, location="query")
@blp.doc(responses=CSV_RESPONSES)
def export_overview(args):
    """Every filtered request as the web's CSV export (columns in the reader's language;
    a school's file has no student number or home postcode)."""
    text, filename = overview_export(
        db_session(), current_actor(), _filters(args), _locale(), date.today()
    )
    return Response(
        text,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
