"""Thin views of the admin console."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core.access.current import current_actor
from core.access.routes import Access, access
from core.accounts import forms
from core.accounts.mails import send_registration_decision
from core.accounts.models import ROLE_LABELS, Membership
from core.accounts.services import AccountError, decide_registration
from core.audit.models import AuditEntry
from core.audit.services import record
from core.database import db_session
from core.institutions.models import Institution, RegistrationStatus
from core.offers import school_years
from core.offers import services as offer_services
from core.plugins.manager import plugins_of
from core.plugins.regions import enablement, set_enabled
from core.reference.models import Region

bp = Blueprint("admin", __name__, url_prefix="/beheer", template_folder="templates")

AUDIT_PAGE_SIZE = 100


@bp.get("/aanmeldingen")
@access(Access.ADMIN)
def registrations():
    db = db_session()
    pending = db.scalars(
        select(Institution)
        .where(Institution.status == RegistrationStatus.PENDING)
        .order_by(Institution.created_at)
    ).all()
    coordinators = {
        m.institution_id: m.user
        for m in db.scalars(
            select(Membership).where(Membership.institution_id.in_([i.id for i in pending]))
        )
    }
    return render_template(
        "admin/registrations.html",
        pending=pending,
        coordinators=coordinators,
        form=forms.DecisionForm(),
        role_labels=ROLE_LABELS,
    )


@bp.post("/aanmeldingen/<int:institution_id>")
@access(Access.ADMIN)
def decide(institution_id: int):
    db = db_session()
    institution = db.get(Institution, institution_id)
    if institution is None:
        abort(404)
    form = forms.DecisionForm()
    if not form.validate_on_submit():
        flash(_("Kies goedkeuren of weigeren."), "error")
        return redirect(url_for("admin.registrations"))
    approve, reason = form.decision.data == "approve", form.reason.data or ""
    try:
        decide_registration(db, current_actor(), institution, approve, reason)
        send_registration_decision(db, institution, approve, reason)
    except AccountError as error:
        db.rollback()
        flash(str(error.message), "error")
    else:
        db.commit()
        flash(_("De aanmelding van %(name)s is behandeld.", name=institution.name), "info")
    return redirect(url_for("admin.registrations"))


@bp.get("/audit")
@access(Access.ADMIN)
def audit_log():
    entries = (
        db_session()
        .scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE_SIZE))
        .all()
    )
    return render_template("admin/audit.html", entries=entries)


@bp.get("/scholen-zonder-aanbod")
@access(Access.ADMIN)
def schools_without_offer():
    chosen = request.args.get("schooljaar", "")
    school_year = (
        chosen if school_years.is_school_year(chosen) else school_years.school_year_of(date.today())
    )
    return render_template(
        "admin/schools_without_offer.html",
        school_year=school_year,
        years=school_years.upcoming(date.today() - timedelta(days=365), 3),
        schools=offer_services.schools_without_offer(db_session(), school_year),
    )


@bp.get("/plugins")
@access(Access.ADMIN)
def plugin_regions():
    db, plugins = db_session(), plugins_of()
    return render_template(
        "admin/plugins.html",
        plugins=plugins,
        regions=list(db.scalars(select(Region).order_by(Region.position))),
        enabled=enablement(db, plugins),
        form=forms.EmptyForm(),
    )


@bp.post("/plugins/<name>")
@access(Access.ADMIN)
def save_plugin_regions(name: str):
    db, plugins = db_session(), plugins_of()
    if name not in plugins.plugin_names:
        abort(404)
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    chosen = set(request.form.getlist("regions"))
    before = enablement(db, plugins)[name]
    for region in db.scalars(select(Region.code)):
        if (region in chosen) != (region in before):
            set_enabled(db, plugins, name, region, region in chosen)
            record(
                db,
                "plugin_region_changed",
                current_actor().user,
                None,
                plugin=name,
                region=region,
                enabled=region in chosen,
            )
    db.commit()
    flash(_("De regio's van %(name)s zijn opgeslagen.", name=name), "info")
    return redirect(url_for("admin.plugin_regions"))
