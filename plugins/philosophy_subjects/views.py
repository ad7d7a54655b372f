"""The school's page for declaring which philosophical subjects it teaches."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.access.current import current_actor
from core.access.policy import Action, Denied, require
from core.access.routes import Access, access
from core.accounts.forms import EmptyForm
from core.database import db_session
from plugins.philosophy_subjects.hooks import SUBJECTS
from plugins.philosophy_subjects.teaching import codes_taught, declare

bp = Blueprint(
    "plugin_philosophy_subjects",
    __name__,
    url_prefix="/plugin/levensbeschouwing",
    template_folder="templates",
)


def _own_school():
    actor = current_actor()
    school = actor.membership.institution if actor.membership else None
    if school is None:
        raise Denied(not_found=False)
    require(actor, Action.MANAGE_OFFERS, school)
    return school


@bp.route("", methods=["GET", "POST"])
@access(Access.MEMBER)
def declaration():
    school = _own_school()
    db = db_session()
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        chosen = {
            code for code in request.form.getlist("subjects") if code in {s.code for s in SUBJECTS}
        }
        declare(db, school, chosen)
        db.commit()
        flash(_("De levensbeschouwelijke vakken van je school zijn opgeslagen."), "info")
        return redirect(url_for("plugin_philosophy_subjects.declaration"))
    return render_template(
        "philosophy_subjects/declaration.html",
        school=school,
        subjects=SUBJECTS,
        taught=codes_taught(db, school),
        form=form,
    )
