"""Thin views of a school's own offer: the overview per school year, the offer form,
publishing and closing, copying last year, and the hosting status."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from core.access.current import current_actor
from core.access.policy import Action, Denied, require
from core.access.routes import Access, access
from core.accounts.forms import EmptyForm
from core.catalogue.level_fields import (
    errors_onto_form,
    fill_level_fields,
    form_with_level_fields,
    level_attributes_from_form,
    level_field_names,
)
from core.catalogue.models import Subject
from core.catalogue.services import levels_in_region
from core.database import db_session
from core.offers import forms, school_years, services
from core.offers.models import HostingAnswer, NoHostingReason, Offer, OfferStatus, Semester
from core.plugins.manager import plugins_of

bp = Blueprint("offers", __name__, url_prefix="/mijn-aanbod", template_folder="templates")


def _own_school():
    """The school the actor coordinates, or a refusal."""
    actor = current_actor()
    school = actor.membership.institution if actor.membership else None
    if school is None:
        raise Denied(not_found=False)
    require(actor, Action.MANAGE_OFFERS, school)
    return actor, school


def _school_year_arg() -> str:
    chosen = request.values.get("schooljaar", "")
    return (
        chosen if school_years.is_school_year(chosen) else school_years.school_year_of(date.today())
    )


@bp.get("")
@access(Access.MEMBER)
def overview():
    actor, school = _own_school()
    db = db_session()
    school_year = _school_year_arg()
    offers = services.offers_of_school(db, school, school_year)
    previous = services.offers_of_school(db, school, school_years.shift(school_year, -1))
    status = services.hosting_status(db, school, school_year)
    hosting_form = forms.HostingForm(formdata=None, obj=status)
    _prepare_hosting_form(hosting_form, school, school_year, status)
    return render_template(
        "offers/overview.html",
        school=school,
        school_year=school_year,
        years=school_years.upcoming(date.today(), 2),
        offers=offers,
        can_copy=any(o.status is not OfferStatus.DRAFT for o in previous)
        and not any(o.status is OfferStatus.PUBLISHED for o in offers),
        status=status,
        hosting_form=hosting_form,
        button_form=EmptyForm(),
        semester_labels=forms.SEMESTER_LABELS,
        hosting_labels=forms.HOSTING_LABELS,
    )


def _offer_form(school, level_code: str, offer: Offer | None):
    db, plugins = db_session(), plugins_of()
    locale = str(get_locale() or "nl")
    form_class = form_with_level_fields(forms.OfferForm, plugins, level_code, "offer", locale)
    form = form_class(obj=offer) if offer is not None else form_class()
    form.school_year.choices = [SelectChoice(y, y) for y in school_years.upcoming(date.today())]
    if offer is not None and offer.school_year not in school_years.upcoming(date.today()):
        form.school_year.choices.insert(0, SelectChoice(offer.school_year, offer.school_year))
    form.campus_id.choices = [
        SelectChoice(c.id, f"{c.name} — {c.postcode} {c.municipality.name_nl}")
        for c in school.campuses
    ]
    subjects = db.scalars(
        select(Subject)
        .where(Subject.level_code == level_code, Subject.active)
        .order_by(Subject.name_nl)
    )
    form.subject_id.choices = [SelectChoice(s.id, s.name_in(locale)) for s in subjects]
    form.mentor_ids.choices = [SelectChoice(u.id, u.name) for u in services.mentors_of(db, school)]
    if offer is not None and request.method == "GET":
        form.mentor_ids.data = [m.id for m in offer.mentors]
        form.semester.data = offer.semester.value if offer.semester else ""
        fill_level_fields(form, plugins, level_code, "offer", offer.attributes)
    return form


def _values_from(form, level_code: str, attributes: dict) -> services.OfferValues:
    return services.OfferValues(
        school_year=form.school_year.data,
        campus_id=form.campus_id.data,
        level_code=level_code,
        subject_id=form.subject_id.data,
        places=form.places.data,
        attributes=attributes,
        period_start=form.period_start.data,
        period_end=form.period_end.data,
        semester=Semester(form.semester.data) if form.semester.data else None,
        mentor_ids=list(form.mentor_ids.data or []),
        mentor_name=form.mentor_name.data or "",
        notes=form.notes.data or "",
    )


def _edit(school, actor, level_code: str, offer: Offer | None):
    db, plugins = db_session(), plugins_of()
    form = _offer_form(school, level_code, offer)
    if request.method == "POST" and form.validate_on_submit():
        attributes, ok = level_attributes_from_form(form, plugins, level_code, "offer")
        if ok:
            try:
                saved = services.save_offer(
                    db, plugins, actor, school, _values_from(form, level_code, attributes), offer
                )
                if form.action.data == "publish":
                    services.change_offer_status(db, plugins, actor, saved, OfferStatus.PUBLISHED)
            except services.OfferRefused as refused:
                db.rollback()
                errors_onto_form(form, refused.errors, plugins, level_code, "offer")
            else:
                db.commit()
                flash(_("Het aanbod is opgeslagen."), "info")
                return redirect(url_for("offers.overview", schooljaar=saved.school_year))
    return render_template(
        "offers/edit.html",
        form=form,
        offer=offer,
        level_code=level_code,
        level_fields=level_field_names(plugins, level_code, "offer"),
    )


@bp.route("/nieuw", methods=["GET", "POST"])
@access(Access.MEMBER)
def new_offer():
    actor, school = _own_school()
    levels = [
        level
        for level in levels_in_region(db_session(), plugins_of(), school.region_code)
        if not school.levels or level in school.levels
    ]
    level_code = request.args.get("niveau")
    if level_code not in {level.code for level in levels}:
        if len(levels) == 1:
            level_code = levels[0].code
        else:
            return render_template("offers/choose_level.html", levels=levels)
    return _edit(school, actor, level_code, None)


@bp.route("/<int:offer_id>", methods=["GET", "POST"])
@access(Access.MEMBER)
def edit_offer(offer_id: int):
    actor, school = _own_school()
    offer = db_session().get(Offer, offer_id)
    if offer is None or offer.school_id != school.id:
        raise Denied()
    return _edit(school, actor, offer.level_code, offer)


@bp.post("/<int:offer_id>/status")
@access(Access.MEMBER)
def change_status(offer_id: int):
    actor, school = _own_school()
    db = db_session()
    offer = db.get(Offer, offer_id)
    if offer is None or offer.school_id != school.id:
        raise Denied()
    target = request.form.get("status", "")
    if not EmptyForm().validate_on_submit() or target not in OfferStatus.__members__.values():
        abort(400)
    services.change_offer_status(db, plugins_of(), actor, offer, OfferStatus(target))
    db.commit()
    flash(_("De status van het aanbod is gewijzigd."), "info")
    return redirect(url_for("offers.overview", schooljaar=offer.school_year))


@bp.post("/kopieer")
@access(Access.MEMBER)
def copy_previous():
    actor, school = _own_school()
    if not EmptyForm().validate_on_submit():
        abort(400)
    db = db_session()
    school_year = _school_year_arg()
    result = services.copy_previous_year(db, plugins_of(), actor, school, school_year)
    db.commit()
    flash(
        _("%(n)d aanbod van vorig schooljaar overgenomen en gepubliceerd.", n=len(result.copied)),
        "info",
    )
    if result.skipped:
        names = ", ".join(offer.subject.name_in(str(get_locale())) for offer in result.skipped)
        flash(
            _(
                "Niet overgenomen omdat de gegevens niet meer kloppen: %(names)s. "
                "Maak dit aanbod opnieuw aan.",
                names=names,
            ),
            "error",
        )
    return redirect(url_for("offers.overview", schooljaar=school_year))


def _prepare_hosting_form(form, school, school_year: str, status) -> None:
    db = db_session()
    form.school_year.choices = [SelectChoice(y, y) for y in school_years.upcoming(date.today())]
    if school_year not in [c.value for c in form.school_year.choices]:
        form.school_year.choices.insert(0, SelectChoice(school_year, school_year))
    form.school_year.data = school_year
    level_codes = [level.code for level in school.levels]
    subjects = (
        db.scalars(
            select(Subject)
            .where(Subject.level_code.in_(level_codes), Subject.active)
            .order_by(Subject.name_nl)
        )
        if level_codes
        else []
    )
    locale = str(get_locale() or "nl")
    choices = [SelectChoice(0, "—"), *[SelectChoice(s.id, s.name_in(locale)) for s in subjects]]
    for entry in form.estimates:
        entry.subject_id.choices = choices
    if status is not None and request.method == "GET":
        form.answer.data = status.answer.value
        form.no_reason.data = status.no_reason.value if status.no_reason else ""
        for entry, estimate in zip(form.estimates, status.estimates, strict=False):
            entry.subject_id.data, entry.places.data = estimate.subject_id, estimate.places


@bp.post("/ontvangst")
@access(Access.MEMBER)
def save_hosting():
    actor, school = _own_school()
    db = db_session()
    form = forms.HostingForm()
    school_year = form.school_year.data or ""
    _prepare_hosting_form(form, school, school_year, None)
    if form.validate_on_submit():
        estimates = {
            e.subject_id.data: e.places.data
            for e in form.estimates
            if e.subject_id.data and e.places.data
        }
        try:
            services.set_hosting_status(
                db,
                actor,
                school,
                school_year,
                HostingAnswer(form.answer.data),
                capacity=form.capacity.data,
                no_reason=NoHostingReason(form.no_reason.data) if form.no_reason.data else None,
                estimates=estimates,
            )
        except services.OfferRefused as refused:
            db.rollback()
            for messages in refused.errors.values():
                flash(" ".join(messages), "error")
        else:
            db.commit()
            flash(_("Je ontvangststatus is opgeslagen."), "info")
    else:
        for field in form:
            for message in field.errors if isinstance(field.errors, list) else []:
                flash(f"{field.label.text}: {message}", "error")
    return redirect(url_for("offers.overview", schooljaar=school_year))
