"""Thin views of the programmes' side: suggestions of schools for a student (the offer
search itself answers at ``/aanbod``, in :mod:`core.web.views`), and the template helpers
that the result lists share."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from flask_babel import get_locale

from core.access.routes import Access, access
from core.database import db_session
from core.offers.forms import SEMESTER_LABELS
from core.offers.models import Semester
from core.plugins.manager import plugins_of
from core.search import services
from core.search.forms import SuggestionForm

bp = Blueprint("search", __name__, template_folder="templates")
bp.add_app_template_global(services.request_url, "request_url")
bp.add_app_template_filter(services.distance_label, "distance")


@bp.app_template_global()
def semester_label(semester: Semester | str) -> str:
    return SEMESTER_LABELS[Semester(semester)]


@bp.get("/aanbod/suggesties")
@access(Access.MEMBER)
def suggestions():
    session, plugins, today = db_session(), plugins_of(), date.today()
    form = SuggestionForm(request.args)
    services.fill_choices(form, session, plugins, today, str(get_locale() or "nl"))
    need = services.need_from_form(form, session) if request.args else None
    return render_template(
        "search/suggestions.html",
        form=form,
        suggestions=services.suggest_schools(session, plugins, need) if need else None,
    )
