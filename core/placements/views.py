"""The dashboard view of the placements blueprint (request pages: request_views.py)."""

from __future__ import annotations

from flask import Blueprint, render_template

from core.access.current import current_actor
from core.access.routes import Access, access
from core.accounts.models import ROLE_LABELS
from core.database import db_session
from core.placements.services import requests_for

bp = Blueprint("placements", __name__, template_folder="templates")


@bp.get("/dashboard")
@access(Access.MEMBER)
def dashboard():
    actor = current_actor()
    return render_template(
        "placements/dashboard.html",
        actor=actor,
        requests=requests_for(db_session(), actor),
        role_labels=ROLE_LABELS,
    )


# The request pages live in core/placements/request_views.py on this same blueprint.
from core.placements import request_views  # noqa: E402, F401
