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
from core.database import db_session
from core.institutions.models import Institution, RegistrationStatus
from core.offers import school_years
from core.offers import services as offer_services

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
