"""Thin views of the admin console."""

from __future__ import annotations

from datetime import date, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core.access.current import current_actor
from core.access.routes import Access, access
from core.accounts import forms
from core.accounts.mails import send_registration_decision
from core.accounts.models import ROLE_LABELS, Membership, User
from core.accounts.services import AccountError, decide_registration
from core.admin import forms as console_forms
from core.admin import services as console
from core.audit.models import AuditEntry
from core.audit.services import record
from core.database import db_session
from core.institutions.models import Institution, RegistrationStatus
from core.mail.models import MailStatus
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
        .options(joinedload(Institution.region))
        .order_by(Institution.created_at)
    ).all()
    coordinators = {
        m.institution_id: m.user
        for m in db.scalars(
            select(Membership)
            .where(Membership.institution_id.in_([i.id for i in pending]))
            .options(joinedload(Membership.user))
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


# ------------------------------------------------------------------ the console


#: The bridge runs page of the bridges area, under the names it has had (optional).
BRIDGE_PAGES = ("bridges.runs", "bridges.overview")


@bp.get("/")
@access(Access.ADMIN)
def console_index():
    from core.helpdesk.services import waiting_count

    db = db_session()
    outbox = console.outbox_counts(db)
    pending = db.scalar(
        select(func.count(Institution.id)).where(Institution.status == RegistrationStatus.PENDING)
    )
    return render_template(
        "admin/console.html",
        pending=pending,
        waiting_questions=waiting_count(db),
        queued_mail=outbox[MailStatus.QUEUED] + outbox[MailStatus.SENDING],
        failed_mail=outbox[MailStatus.FAILED],
        bridges=next((name for name in BRIDGE_PAGES if name in current_app.view_functions), None),
    )


def _page_number() -> int:
    return request.args.get("pagina", 1, type=int) or 1


@bp.get("/gebruikers")
@access(Access.ADMIN)
def users():
    text = request.args.get("q", "")
    page = console.find_users(db_session(), current_actor(), text, _page_number())
    return render_template("admin/users.html", page=page, text=text, role_labels=ROLE_LABELS)


def _user(user_id: int) -> User:
    user = db_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/gebruikers/<int:user_id>")
@access(Access.ADMIN)
def user_page(user_id: int):
    user = _user(user_id)
    return render_template(
        "admin/user.html",
        user=user,
        role_labels=ROLE_LABELS,
        grant_form=console_forms.GrantForm(),
        form=forms.EmptyForm(),
    )


def _done(user: User, message: str):
    """Commit, say so and return to the person's page."""
    db_session().commit()
    flash(message, "info")
    return redirect(url_for("admin.user_page", user_id=user.id))


def _refused(user: User, error: console.AdminRefused):
    db_session().rollback()
    flash(str(error.message), "error")
    return redirect(url_for("admin.user_page", user_id=user.id))


@bp.post("/gebruikers/<int:user_id>/actief")
@access(Access.ADMIN)
def user_active(user_id: int):
    user, form = _user(user_id), console_forms.ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    active = form.active.data == "1"
    try:
        console.set_user_active(db_session(), current_actor(), user, active)
    except console.AdminRefused as error:
        return _refused(user, error)
    return _done(
        user, _("Het account is actief.") if active else _("Het account is gedeactiveerd.")
    )


@bp.post("/gebruikers/<int:user_id>/rollen")
@access(Access.ADMIN)
def grant_role(user_id: int):
    db, user, form = db_session(), _user(user_id), console_forms.GrantForm()
    if not form.validate_on_submit():
        flash(_("Kies een instelling en een rol."), "error")
        return redirect(url_for("admin.user_page", user_id=user.id))
    institution = console.find_institution(db, form.institution.data)
    if institution is None:
        flash(_("Die instelling bestaat niet."), "error")
        return redirect(url_for("admin.user_page", user_id=user.id))
    try:
        console.grant_role(db, current_actor(), user, institution, form.role.data)
    except console.AdminRefused as error:
        return _refused(user, error)
    return _done(user, _("De rol is toegekend."))


@bp.post("/gebruikers/<int:user_id>/rollen/intrekken")
@access(Access.ADMIN)
def revoke_role(user_id: int):
    db, user, form = db_session(), _user(user_id), console_forms.RevokeForm()
    membership = db.get(Membership, form.membership.data) if form.validate_on_submit() else None
    if membership is None or membership.user_id != user.id:
        abort(400)
    console.revoke_role(db, current_actor(), membership)
    return _done(user, _("De rol is ingetrokken."))


@bp.route("/instellingen/samenvoegen", methods=["GET", "POST"])
@access(Access.ADMIN)
def merge():
    db, actor = db_session(), current_actor()
    form = console_forms.MergeForm()
    if form.validate_on_submit():
        duplicate = console.find_institution(db, form.duplicate.data)
        kept = console.find_institution(db, form.kept.data)
        if duplicate is None or kept is None:
            form.form_errors.append(_("Die instelling bestaat niet."))
        else:
            try:
                result = console.merge_institutions(db, actor, duplicate, kept)
            except console.AdminRefused as error:
                db.rollback()
                form.form_errors.append(error.message)
            else:
                db.commit()
                flash(_("De instellingen zijn samengevoegd."), "info")
                return redirect(url_for("admin.merge", q=result.kept_id))
    text = request.args.get("q", "")
    return render_template(
        "admin/merge.html",
        form=form,
        text=text,
        found=console.search_institutions(db, actor, text),
    )


@bp.get("/uitgaande-mail")
@access(Access.ADMIN)
def outbox():
    chosen = request.args.get("status", "")
    status = MailStatus(chosen) if chosen in set(MailStatus) else None
    page = console.outbox_page(db_session(), current_actor(), status, _page_number())
    return render_template(
        "admin/outbox.html",
        page=page,
        status=status,
        statuses=list(MailStatus),
        labels=console.MAIL_STATUS_LABELS,
    )
