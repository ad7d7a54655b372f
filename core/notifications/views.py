"""Thin views: one's own notification preferences."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from core.access.current import current_actor
from core.access.routes import Access, access
from core.database import db_session
from core.notifications import services
from core.notifications.forms import PreferencesForm
from core.notifications.models import NotificationKind

bp = Blueprint("notifications", __name__, template_folder="templates")


@bp.route("/account/meldingen", methods=["GET", "POST"])
@access(Access.SIGNED_IN)
def preferences():
    db = db_session()
    user = current_actor().user
    current = services.preferences_of(db, user)
    form = PreferencesForm(data={kind.value: mode.value for kind, mode in current.items()})
    if form.validate_on_submit():
        services.set_preferences(db, user, form.choices())
        db.commit()
        flash(_("Je keuzes voor meldingen zijn bewaard."), "info")
        return redirect(url_for("notifications.preferences"))
    return render_template(
        "notifications/preferences.html", form=form, kinds=list(NotificationKind)
    )
