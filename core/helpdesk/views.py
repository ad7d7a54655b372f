"""Thin views of the helpdesk: asking and reading one's own questions, the public FAQ, and
the administrators' triage, answers and FAQ editing."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.access.current import current_actor
from core.access.policy import Denied
from core.access.routes import Access, access
from core.accounts.forms import EmptyForm
from core.accounts.models import ROLE_LABELS, Role
from core.database import db_session
from core.helpdesk import services
from core.helpdesk.forms import AnswerForm, FaqForm, TicketForm, TriageForm
from core.helpdesk.models import (
    CATEGORY_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    FaqEntry,
    TicketCategory,
    TicketStatus,
)
from core.i18n import current_language

bp = Blueprint("helpdesk", __name__, template_folder="templates")


@bp.app_context_processor
def _labels():
    return {
        "ticket_labels": {
            "kind": KIND_LABELS,
            "category": CATEGORY_LABELS,
            "status": STATUS_LABELS,
        }
    }


def _role_label(role: str) -> str:
    if role == "admin":
        return _("Platformbeheerder")
    return str(ROLE_LABELS[Role(role)]) if role in set(Role) else "—"


# ------------------------------------------------------------------ the person asking


@bp.route("/hulp/nieuw", methods=["GET", "POST"])
@access(Access.SIGNED_IN)
def new_ticket():
    form = TicketForm()
    if request.method == "GET":
        form.page.data = services.local_page(request.args.get("pagina"))
    if form.validate_on_submit():
        db = db_session()
        try:
            ticket = services.create_ticket(
                db,
                current_actor(),
                form.kind.data,
                form.category.data,
                form.subject.data,
                form.body.data,
                form.page.data,
            )
        except services.HelpdeskRefused as refusal:
            db.rollback()
            form[refusal.field].errors.append(refusal.message)
        else:
            db.commit()
            flash(_("Bedankt! We antwoorden zo snel mogelijk, hier en per e-mail."), "info")
            return redirect(url_for("helpdesk.ticket_page", ticket_id=ticket.id))
    return render_template("helpdesk/new.html", form=form)


@bp.get("/hulp")
@access(Access.SIGNED_IN)
def my_tickets():
    tickets = services.own_tickets(db_session(), current_actor())
    return render_template("helpdesk/mine.html", tickets=tickets)


@bp.get("/hulp/<int:ticket_id>")
@access(Access.SIGNED_IN)
def ticket_page(ticket_id: int):
    try:
        ticket = services.own_ticket(db_session(), current_actor(), ticket_id)
    except Denied:
        abort(404)
    return render_template("helpdesk/ticket.html", ticket=ticket)


@bp.get("/hulp/faq")
@access(Access.PUBLIC)
def faq():
    entries = services.faq_entries(db_session())
    return render_template("helpdesk/faq.html", entries=entries, language=current_language())


# ------------------------------------------------------------------- administrators


def _admin_ticket(ticket_id: int):
    try:
        return services.ticket_for_admin(db_session(), current_actor(), ticket_id)
    except Denied:
        abort(404)


def _member(enum_class, value):
    return enum_class(value) if value in set(enum_class) else None


@bp.get("/beheer/hulp")
@access(Access.ADMIN)
def admin_tickets():
    category = _member(TicketCategory, request.args.get("categorie"))
    status = _member(TicketStatus, request.args.get("status"))
    tickets = services.all_tickets(db_session(), current_actor(), category, status)
    return render_template(
        "helpdesk/admin_list.html",
        tickets=tickets,
        category=category,
        status=status,
        categories=list(TicketCategory),
        statuses=list(TicketStatus),
    )


@bp.get("/beheer/hulp/<int:ticket_id>")
@access(Access.ADMIN)
def admin_ticket(ticket_id: int):
    ticket = _admin_ticket(ticket_id)
    return render_template(
        "helpdesk/admin_ticket.html",
        ticket=ticket,
        role_label=_role_label(ticket.role),
        triage_form=TriageForm(category=ticket.category.value, status=ticket.status.value),
        answer_form=AnswerForm(answer=ticket.answer or ""),
    )


@bp.post("/beheer/hulp/<int:ticket_id>/triage")
@access(Access.ADMIN)
def triage(ticket_id: int):
    ticket, form = _admin_ticket(ticket_id), TriageForm()
    if form.validate_on_submit():
        db = db_session()
        services.triage(db, current_actor(), ticket, form.category.data, form.status.data)
        db.commit()
        flash(_("De vraag is bijgewerkt."), "info")
    else:
        flash(_("Kies een categorie en een status."), "error")
    return redirect(url_for("helpdesk.admin_ticket", ticket_id=ticket.id))


@bp.post("/beheer/hulp/<int:ticket_id>/antwoord")
@access(Access.ADMIN)
def answer(ticket_id: int):
    ticket, form = _admin_ticket(ticket_id), AnswerForm()
    if form.validate_on_submit():
        db = db_session()
        try:
            services.answer_ticket(db, current_actor(), ticket, form.answer.data)
        except services.HelpdeskRefused as refusal:
            db.rollback()
            flash(str(refusal.message), "error")
        else:
            db.commit()
            flash(_("Het antwoord is verstuurd."), "info")
    else:
        flash(_("Schrijf een antwoord."), "error")
    return redirect(url_for("helpdesk.admin_ticket", ticket_id=ticket.id))


@bp.route("/beheer/hulp/faq", methods=["GET", "POST"])
@access(Access.ADMIN)
def admin_faq():
    return _faq_form(None)


@bp.route("/beheer/hulp/faq/<int:entry_id>", methods=["GET", "POST"])
@access(Access.ADMIN)
def edit_faq(entry_id: int):
    entry = db_session().get(FaqEntry, entry_id)
    if entry is None:
        abort(404)
    return _faq_form(entry)


def _faq_form(entry: FaqEntry | None):
    """The FAQ list with a form to add an entry, or the form to change one."""
    db = db_session()
    form = FaqForm(obj=entry)
    if form.validate_on_submit():
        try:
            services.save_faq_entry(db, current_actor(), entry, form.data)
        except services.HelpdeskRefused as refusal:
            db.rollback()
            flash(str(refusal.message), "error")
        else:
            db.commit()
            flash(_("De veelgestelde vraag is bewaard."), "info")
            return redirect(url_for("helpdesk.admin_faq"))
    return render_template(
        "helpdesk/admin_faq.html",
        form=form,
        entry=entry,
        entries=services.faq_entries(db) if entry is None else [],
    )


@bp.post("/beheer/hulp/faq/<int:entry_id>/verwijderen")
@access(Access.ADMIN)
def delete_faq(entry_id: int):
    db = db_session()
    entry = db.get(FaqEntry, entry_id)
    if entry is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.delete_faq_entry(db, current_actor(), entry)
    db.commit()
    flash(_("De veelgestelde vraag is verwijderd."), "info")
    return redirect(url_for("helpdesk.admin_faq"))
