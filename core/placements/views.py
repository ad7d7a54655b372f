"""Thin views of placement requests: the dashboard list and a request's page."""

from __future__ import annotations

from flask import Blueprint, render_template

from core.access.current import current_actor
from core.access.policy import student_fields_for
from core.access.routes import Access, access
from core.accounts.models import ROLE_LABELS
from core.database import db_session
from core.placements.services import request_for, requests_for

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


@bp.get("/aanvragen/<int:request_id>")
@access(Access.MEMBER)
def request_page(request_id: int):
    actor = current_actor()
    placement_request = request_for(db_session(), actor, request_id)
    return render_template(
        "placements/request.html",
        request_=placement_request,
        student_fields=student_fields_for(actor, placement_request),
    )
