"""Thin views of institutions' public pages."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template
from flask_babel import get_locale

from core.access.routes import Access, access
from core.database import db_session
from core.institutions.profile import school_profile
from core.plugins.manager import plugins_of
from core.search.services import HOSTING_LABELS, NO_ANSWER_LABEL

bp = Blueprint("institutions", __name__, template_folder="templates")


@bp.get("/scholen/<int:school_id>")
@access(Access.PUBLIC)
def school(school_id: int):
    """A school's public page: only approved schools have one."""
    locale = str(get_locale() or "nl")
    profile = school_profile(db_session(), plugins_of(), school_id, date.today(), locale)
    if profile is None:
        abort(404)
    return render_template(
        "institutions/school.html",
        profile=profile,
        hosting_labels=HOSTING_LABELS,
        no_answer_label=NO_ANSWER_LABEL,
    )
