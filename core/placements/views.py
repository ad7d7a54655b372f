"""The dashboard view of the placements blueprint (request pages: request_views.py)."""

from __future__ import annotations

from flask import Blueprint

from core.access.routes import Access, access
from core.web.page_cache import cached_page

bp = Blueprint("placements", __name__, template_folder="templates")


@bp.get("/dashboard")
@access(Access.MEMBER)
@cached_page
def dashboard():
    """Each role's dashboard; it lives in core/dashboards (this keeps the endpoint)."""
    from core.dashboards.views import render_dashboard

    return render_dashboard()


# The request pages live in core/placements/request_views.py on this same blueprint.
from core.placements import request_views  # noqa: E402, F401
