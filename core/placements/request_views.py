"""Thin views of one request: its page (status changes, messages, mentor) and the form
that creates one, prefilled from an offer or a school."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from core.access.current import current_actor
from core.access.policy import Action, can, student_fields_for
from core.access.routes import Access, access
from core.catalogue.level_fields import (
    errors_onto_form,
    form_field_name,
    form_with_level_fields,
    level_attributes_from_form,
    level_field_names,
    level_fields,
)
from core.catalogue.models import EducationLevel, Subject
from core.catalogue.services import levels_in_region
from core.database import db_session
from core.institutions.models import Institution, InstitutionKind
from core.notifications.services import notify_message_posted
from core.offers.models import Offer
from core.placements import forms, services
from core.placements.models import STATUS_LABELS, RequestStatus, Student
from core.placements.views import bp
from core.plugins.manager import plugins_of
from core.web.page_cache import cached_page

#: Service field names shown on another form field.
ALIASES = {"school_id": "institution_number", "offer_id": "subject_id"}
REASON_STATES = {RequestStatus.DECLINED, RequestStatus.CANCELLED, RequestStatus.WITHDRAWN}


def _locale() -> str:
    return str(get_locale() or "nl")


@bp.get("/aanvragen/<int:request_id>")
@access(Access.MEMBER)
@cached_page
def request_page(request_id: int):
    actor = current_actor()
    db = db_session()
    placement_request = services.request_for(db, actor, request_id)
    services.load_history(db, placement_request)
    mentor_form = forms.MentorForm(mentor_id=placement_request.mentor_id or 0)
    mentor_form.mentor_id.choices = [
        SelectChoice(0, "—"),
        *[SelectChoice(u.id, u.name) for u in services.mentors_for(db, placement_request)],
    ]
    return render_template(
        "placements/request.html",
        request_=placement_request,
        student_fields=student_fields_for(actor, placement_request),
        transitions=services.available_transitions(actor, placement_request),
        reason_states=REASON_STATES,
        transition_form=forms.TransitionForm(),
        messages=services.messages_of(db, placement_request),
        message_form=forms.MessageForm(),
        may_post=can(actor, Action.POST_MESSAGE, placement_request),
        may_assign=can(actor, Action.ASSIGN_MENTOR, placement_request)
        and placement_request.status in services.HOLDS_A_PLACE,
        mentor_form=mentor_form,
        level_fields=[
            (field.label.in_locale(_locale()), placement_request.attributes.get(field.name))
            for _, field in level_fields(plugins_of(), placement_request.level_code, "request")
            if field.name in placement_request.attributes
        ],
    )


@bp.post("/aanvragen/<int:request_id>/status")
@access(Access.MEMBER)
def change_status(request_id: int):
    actor = current_actor()
    db = db_session()
    placement_request = services.request_for(db, actor, request_id)
    form = forms.TransitionForm()
    if form.validate_on_submit() and form.status.data in RequestStatus.__members__.values():
        try:
            services.transition(
                db,
                plugins_of(),
                placement_request,
                RequestStatus(form.status.data),
                actor,
                form.reason.data or "",
            )
        except services.TransitionRefused as refused:
            db.rollback()
            flash(str(refused.args[0]), "error")
        else:
            db.commit()
            flash(
                _("De aanvraag is nu: %(status)s.", status=STATUS_LABELS[placement_request.status]),
                "info",
            )
    else:
        flash(_("Kies een geldige actie."), "error")
    return redirect(_back_to(request_id))


def _back_to(request_id: int) -> str:
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("placements.request_page", request_id=request_id)


@bp.post("/aanvragen/<int:request_id>/berichten")
@access(Access.MEMBER)
def post_message(request_id: int):
    actor = current_actor()
    db = db_session()
    placement_request = services.request_for(db, actor, request_id)
    form = forms.MessageForm()
    if form.validate_on_submit():
        try:
            message = services.post_message(db, actor, placement_request, form.body.data)
        except services.RequestRefused as refused:
            db.rollback()
            for messages in refused.errors.values():
                flash(" ".join(messages), "error")
        else:
            notify_message_posted(db, message)
            db.commit()
            flash(_("Je bericht is verstuurd."), "info")
    else:
        flash(_("Schrijf een bericht."), "error")
    return redirect(url_for("placements.request_page", request_id=request_id) + "#berichten")


@bp.post("/aanvragen/<int:request_id>/mentor")
@access(Access.MEMBER)
def assign_mentor(request_id: int):
    actor = current_actor()
    db = db_session()
    placement_request = services.request_for(db, actor, request_id)
    form = forms.MentorForm()
    form.mentor_id.choices = [
        SelectChoice(0, "—"),
        *[SelectChoice(u.id, u.name) for u in services.mentors_for(db, placement_request)],
    ]
    if form.validate_on_submit():
        try:
            services.assign_mentor(db, actor, placement_request, form.mentor_id.data or None)
        except services.RequestRefused as refused:
            db.rollback()
            for messages in refused.errors.values():
                flash(" ".join(messages), "error")
        else:
            db.commit()
            flash(_("De mentor is aangepast."), "info")
    else:
        flash(_("Kies een mentor van je school."), "error")
    return redirect(url_for("placements.request_page", request_id=request_id))


# ----------------------------------------------------------------------- new request


def _prefill(db):
    """The offer, school and level a new request starts from (query string or form)."""
    values = request.values
    offer = db.get(Offer, int(values["offer"])) if values.get("offer", "").isdigit() else None
    school = offer.school if offer else None
    if school is None and values.get("school", "").isdigit():
        school = db.get(Institution, int(values["school"]))
    if school is not None and school.kind != InstitutionKind.SCHOOL:
        school = None
    level_code = offer.level_code if offer else values.get("niveau") or None
    return offer, school, level_code


@bp.route("/aanvragen/nieuw", methods=["GET", "POST"])
@access(Access.MEMBER)
def new_request():
    actor = current_actor()
    db, plugins = db_session(), plugins_of()
    programme = services.programme_of(actor)
    offer, school, level_code = _prefill(db)
    region = school.region_code if school else None
    levels = (
        levels_in_region(db, plugins, region)
        if region
        else list(db.scalars(select(EducationLevel).where(EducationLevel.active)))
    )
    if level_code not in {level.code for level in levels}:
        if len(levels) != 1:
            return render_template(
                "placements/choose_level.html", levels=levels, school=school, offer=offer
            )
        level_code = levels[0].code
    form = _request_form(db, programme, level_code, offer, school)
    if request.method == "POST" and form.validate_on_submit():
        attributes, ok = level_attributes_from_form(form, plugins, level_code, "request")
        target_school = school or _school_by_number(db, form.institution_number.data)
        if target_school is None:
            form.institution_number.errors = [
                *form.institution_number.errors,
                _("Kies een school via het stageaanbod of vul haar instellingsnummer in."),
            ]
        elif ok:
            values = services.RequestValues(
                student_id=form.student_id.data,
                school_id=target_school.id,
                offer_id=offer.id if offer else None,
                level_code=level_code,
                subject_id=form.subject_id.data,
                attributes=attributes,
                period_start=form.period_start.data,
                period_end=form.period_end.data,
                kind=form.kind.data,
                hours=form.hours.data or 0,
                supervisor_id=form.supervisor_id.data or None,
                message=form.message.data or "",
            )
            try:
                created = services.create_request(db, plugins, actor, values)
            except services.RequestRefused as refused:
                db.rollback()
                errors_onto_form(
                    form, refused.errors, plugins, level_code, "request", aliases=ALIASES
                )
            else:
                db.commit()
                flash(
                    _("De aanvraag is verstuurd naar %(school)s.", school=target_school.name),
                    "info",
                )
                return redirect(url_for("placements.request_page", request_id=created.id))
    return render_template(
        "placements/new_request.html",
        form=form,
        offer=offer,
        school=school,
        level_code=level_code,
        level_fields=level_field_names(plugins, level_code, "request"),
    )


def _school_by_number(db, number: str | None) -> Institution | None:
    if not number:
        return None
    return db.scalar(
        select(Institution).where(
            Institution.institution_number == number, Institution.kind == InstitutionKind.SCHOOL
        )
    )


def _request_form(db, programme, level_code: str, offer, school):
    plugins = plugins_of()
    form_class = form_with_level_fields(
        forms.RequestForm, plugins, level_code, "request", _locale()
    )
    prefill = {}
    if offer is not None and request.method == "GET":
        prefill = {
            "subject_id": offer.subject_id,
            "period_start": offer.period_start,
            "period_end": offer.period_end,
        }
    form = form_class(**prefill)
    students = db.scalars(
        select(Student)
        .where(Student.programme_id == programme.id)
        .order_by(Student.last_name, Student.first_name)
    )
    form.student_id.choices = [
        SelectChoice(s.id, f"{s.last_name}, {s.first_name} ({s.student_number})") for s in students
    ]
    subjects = db.scalars(
        select(Subject)
        .where(Subject.level_code == level_code, Subject.active)
        .order_by(Subject.name_nl)
    )
    form.subject_id.choices = [SelectChoice(s.id, s.name_in(_locale())) for s in subjects]
    form.supervisor_id.choices = [
        SelectChoice(0, "—"),
        *[SelectChoice(u.id, u.name) for u in services.supervisors_of(db, programme)],
    ]
    if offer is not None and request.method == "GET":
        for plugin, field in level_fields(plugins, level_code, "request"):
            if field.name in offer.attributes:
                form[form_field_name(plugin, field)].data = offer.attributes[field.name]
    return form
