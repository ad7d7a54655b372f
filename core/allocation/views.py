"""Thin views of allocation: a student's wishes, running an allocation for the cohort,
reviewing and editing the proposal, sending it, and the shortage of places."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from core.access.current import current_actor
from core.access.routes import Access, access
from core.allocation import services
from core.allocation.forms import LineForm, RunForm, SendForm, WishesForm
from core.allocation.models import ProposalStatus
from core.allocation.reasons import RULE, line_reason
from core.allocation.solver import MAX_WISHES
from core.catalogue.models import EducationLevel, Subject
from core.database import db_session
from core.offers import school_years
from core.offers.models import Offer
from core.placements.bulk import schools_by_number
from core.placements.services import programme_of
from core.plugins.manager import plugins_of
from core.reference.models import Region

bp = Blueprint("allocation", __name__, template_folder="templates")


def _locale() -> str:
    return str(get_locale() or "nl")


def _errors_onto(form, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        target = form._fields.get(name)
        if target is None:
            form.form_errors.extend(messages)
        else:
            target.errors = [*target.errors, *messages]


def _levels(db) -> list[EducationLevel]:
    return list(
        db.scalars(
            select(EducationLevel).where(EducationLevel.active).order_by(EducationLevel.position)
        )
    )


# -------------------------------------------------------------------------- wishes


def _wishes_form(db, wishes) -> WishesForm:
    form = WishesForm(obj=wishes if request.method == "GET" else None)
    levels = _levels(db)
    form.level_code.choices = [SelectChoice(lvl.code, lvl.name_in(_locale())) for lvl in levels]
    names = {lvl.code: lvl.name_in(_locale()) for lvl in levels}
    subjects = [
        SelectChoice(s.id, s.name_in(_locale()), optgroup=names[s.level_code])
        for s in db.scalars(
            select(Subject)
            .where(Subject.active, Subject.level_code.in_(names))
            .order_by(Subject.level_code, Subject.name_nl)
        )
    ]
    form.subject_id.choices = subjects
    form.second_subject_id.choices = [SelectChoice(0, "—"), *subjects]
    if request.method == "GET" and wishes is not None:
        form.second_subject_id.data = wishes.second_subject_id or 0
        for choice in wishes.choices:
            school = choice.school or (choice.offer.school if choice.offer else None)
            if school is not None and choice.rank <= MAX_WISHES:
                form[f"wish_{choice.rank}"].data = school.institution_number
    return form


def _wish_values(db, form: WishesForm) -> services.WishValues | None:
    numbers = [(form[f"wish_{rank}"].data or "").strip() for rank in range(1, MAX_WISHES + 1)]
    schools = schools_by_number(db, [n for n in numbers if n])
    choices = []
    for rank, number in enumerate(numbers, 1):
        if not number:
            continue
        if number not in schools:
            form[f"wish_{rank}"].errors.append(_("Geen school met dit instellingsnummer."))
            return None
        choices.append((schools[number].id, None))
    return services.WishValues(
        level_code=form.level_code.data,
        subject_id=form.subject_id.data,
        second_subject_id=form.second_subject_id.data or None,
        same_school=form.same_school.data,
        max_km=form.max_km.data,
        period_start=form.period_start.data,
        period_end=form.period_end.data,
        choices=choices,
    )


@bp.route("/studenten/<int:student_id>/wensen", methods=["GET", "POST"])
@access(Access.MEMBER)
def wishes(student_id: int):
    actor, db = current_actor(), db_session()
    student = services.student_for_wishes(db, actor, student_id)
    form = _wishes_form(db, services.wishes_of(db, student))
    if form.validate_on_submit() and (values := _wish_values(db, form)) is not None:
        try:
            services.save_wishes(db, actor, student.id, values)
        except services.AllocationRefused as refused:
            db.rollback()
            _errors_onto(form, refused.errors)
        else:
            db.commit()
            flash(_("De wensen van %(name)s zijn bewaard.", name=student.full_name), "info")
            return redirect(url_for("allocation.wishes", student_id=student.id))
    return render_template("allocation/wishes.html", student=student, form=form)


@bp.get("/mijn-wensen")
@access(Access.MEMBER)
def my_wishes():
    student = services.own_student(db_session(), current_actor())
    if student is None:
        abort(404)
    return redirect(url_for("allocation.wishes", student_id=student.id))


# ------------------------------------------------------------------------ the run


@bp.route("/toewijzing", methods=["GET", "POST"])
@access(Access.MEMBER)
def start():
    actor, db = current_actor(), db_session()
    programme_of(actor)
    form = RunForm()
    years = school_years.upcoming(date.today(), 2)
    form.school_year.choices = [SelectChoice(year, year) for year in years]
    form.level_code.choices = [
        SelectChoice("", _("Alle niveaus")),
        *(SelectChoice(lvl.code, lvl.name_in(_locale())) for lvl in _levels(db)),
    ]
    if request.method == "GET":
        form.kind.data = "teaching"
    if form.validate_on_submit():
        values = services.RunValues(
            form.school_year.data,
            form.period_start.data,
            form.period_end.data,
            form.level_code.data or None,
            form.kind.data,
        )
        try:
            proposal = services.run_allocation(db, plugins_of(), actor, values)
        except services.AllocationRefused as refused:
            db.rollback()
            _errors_onto(form, refused.errors)
        else:
            db.commit()
            return redirect(url_for("allocation.proposal", proposal_id=proposal.id))
    return render_template(
        "allocation/start.html",
        form=form,
        rule=RULE,
        proposals=services.proposals_of(db, actor),
        students=services.students_and_wishes(db, actor),
    )


def _render_proposal(proposal, errors=None, status: int = 200):
    db = db_session()
    lines = services.proposal_lines(db, proposal)
    return render_template(
        "allocation/proposal.html",
        proposal=proposal,
        lines=lines,
        summary=services.summary(lines, proposal),
        reason=line_reason,
        rule=RULE,
        draft=proposal.status is ProposalStatus.DRAFT,
        send_form=SendForm(),
        errors=errors or {},
    ), status


@bp.get("/toewijzing/<int:proposal_id>")
@access(Access.MEMBER)
def proposal(proposal_id: int):
    return _render_proposal(services.proposal_for(db_session(), current_actor(), proposal_id))


@bp.route("/toewijzing/<int:proposal_id>/regels/<int:line_id>", methods=["GET", "POST"])
@access(Access.MEMBER)
def edit_line(proposal_id: int, line_id: int):
    actor, db = current_actor(), db_session()
    line = services.line_for(db, actor, proposal_id, line_id)
    options = services.line_options(db, plugins_of(), line)
    offers = {
        offer.id: offer
        for offer in db.scalars(select(Offer).where(Offer.id.in_([o.offer_id for o in options])))
    }
    form = LineForm(offer_id=str(line.offer_id or 0))
    form.offer_id.choices = [
        SelectChoice(str(option.offer_id), _option_label(option, offers[option.offer_id]))
        for option in options
    ] + [SelectChoice("0", _("Geen plaats voorstellen"))]
    if form.validate_on_submit():
        try:
            services.edit_line(db, plugins_of(), actor, line, int(form.offer_id.data) or None)
        except services.AllocationRefused as refused:
            db.rollback()
            _errors_onto(form, refused.errors)
        else:
            db.commit()
            flash(_("De regel van %(name)s is aangepast.", name=line.student.full_name), "info")
            return redirect(url_for("allocation.proposal", proposal_id=proposal_id))
    return render_template("allocation/line.html", line=line, form=form, reason=line_reason)


def _option_label(option: services.LineOption, offer: Offer) -> str:
    parts = [f"{offer.school.name} — {offer.subject.name_in(_locale())} (#{offer.id})"]
    if option.wish_rank:
        parts.append(_("wens %(rank)d", rank=option.wish_rank))
    if option.distance_km is not None:
        parts.append(_("%(km)d km", km=round(option.distance_km)))
    return ", ".join(parts)


@bp.post("/toewijzing/<int:proposal_id>/versturen")
@access(Access.MEMBER)
def send(proposal_id: int):
    actor, db = current_actor(), db_session()
    proposal = services.proposal_for(db, actor, proposal_id)
    if not SendForm().validate_on_submit():
        abort(400)
    try:
        created = services.send_proposal(db, plugins_of(), actor, proposal)
    except services.AllocationRefused as refused:
        db.rollback()
        return _render_proposal(services.proposal_for(db, actor, proposal_id), refused.errors, 422)
    db.commit()
    flash(_("%(n)d aanvragen zijn verstuurd naar de scholen.", n=len(created)), "info")
    return redirect(url_for("allocation.proposal", proposal_id=proposal_id))


# ------------------------------------------------------------------------ shortage


@bp.get("/toewijzing/tekorten")
@access(Access.MEMBER)
def shortage():
    actor, db = current_actor(), db_session()
    years = school_years.upcoming(date.today(), 2)
    year = request.args.get("schooljaar") or years[0]
    if not school_years.is_school_year(year):
        year = years[0]
    programme_id = None if actor.is_admin else programme_of(actor).id
    regions = {r.code: r.name_nl for r in db.scalars(select(Region))}
    return render_template(
        "allocation/shortage.html",
        rows=services.shortage(db, plugins_of(), year, programme_id),
        regions=regions,
        school_year=year,
        years=years,
        locale=_locale(),
    )
