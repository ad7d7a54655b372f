"""Thin views of a programme's students and of requests sent for many students at once:
for a selection of students, or from an uploaded CSV or XLSX file."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import IntegerField, SelectChoice, StringField
from wtforms.validators import InputRequired, Optional

from core.access.current import current_actor
from core.access.routes import Access, access
from core.catalogue.level_fields import (
    errors_onto_form,
    form_with_level_fields,
    level_attributes_from_form,
    level_field_names,
)
from core.catalogue.models import EducationLevel, Subject
from core.database import database, db_session
from core.placements import bulk, students
from core.placements.forms import REQUIRED, RequestForm
from core.placements.services import RequestValues, programme_of, supervisors_of
from core.plugins.manager import plugins_of

bp = Blueprint("bulk", __name__, template_folder="templates")

#: Service field names shown on another form field.
ALIASES = {"school_id": "institution_number"}


def _locale() -> str:
    return str(get_locale() or "nl")


# -------------------------------------------------------------------------- students


class StudentForm(FlaskForm):
    """Only presence is checked here; the rules are :func:`students.check_student`."""

    first_name = StringField(_l("Voornaam"), [InputRequired(REQUIRED)])
    last_name = StringField(_l("Familienaam"), [InputRequired(REQUIRED)])
    email = StringField(_l("E-mailadres"), [InputRequired(REQUIRED)], render_kw={"type": "email"})
    student_number = StringField(_l("Studentennummer"), [InputRequired(REQUIRED)])
    home_postcode = StringField(
        _l("Postcode woonplaats"),
        [InputRequired(REQUIRED)],
        render_kw={"inputmode": "numeric"},
    )


@bp.route("/studenten", methods=["GET", "POST"])
@access(Access.MEMBER)
def student_list():
    actor, db = current_actor(), db_session()
    programme = students.managed_programme(actor)
    form = StudentForm()
    if form.validate_on_submit():
        values = students.StudentValues(
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            email=form.email.data,
            student_number=form.student_number.data,
            home_postcode=form.home_postcode.data,
        )
        try:
            student = students.add_student(db, actor, values)
        except students.StudentRefused as refused:
            db.rollback()
            for name, messages in refused.errors.items():
                form[name].errors = [*form[name].errors, *messages]
        else:
            db.commit()
            flash(_("%(name)s is toegevoegd.", name=student.full_name), "info")
            return redirect(url_for("bulk.student_list"))
    return render_template(
        "placements/students/list.html",
        programme=programme,
        rows=students.students_overview(db, actor),
        form=form,
    )


# ---------------------------------------------------------------------- by selection


class SelectionForm(RequestForm):
    """The request form without its student: every chosen student gets these values."""

    student_id = None
    school_id = None
    institution_number = StringField(
        _l("Instellingsnummer van de school"),
        [InputRequired(REQUIRED)],
        description=_l("Het nummer van 6 cijfers van het departement Onderwijs."),
    )
    offer_id = IntegerField(_l("Nummer van het aanbod"), [Optional()], description=_l("Optioneel."))


def _selection_form(db, programme, level_code: str) -> SelectionForm:
    form_class = form_with_level_fields(
        SelectionForm, plugins_of(), level_code, "request", _locale()
    )
    form = form_class()
    subjects = db.scalars(
        select(Subject)
        .where(Subject.level_code == level_code, Subject.active)
        .order_by(Subject.name_nl)
    )
    form.subject_id.choices = [SelectChoice(s.id, s.name_in(_locale())) for s in subjects]
    form.supervisor_id.choices = [
        SelectChoice(0, "—"),
        *[SelectChoice(u.id, u.name) for u in supervisors_of(db, programme)],
    ]
    return form


def _shared_values(form, school_id: int, level_code: str, attributes: dict) -> RequestValues:
    return RequestValues(
        student_id=0,
        school_id=school_id,
        offer_id=form.offer_id.data,
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


def _shared_and_own(errors: dict[int, dict[str, list[str]]], chosen) -> tuple[dict, dict]:
    """Messages that every chosen student got go onto the form; the rest per student."""
    pairs = {
        student_id: [(name, message) for name, messages in found.items() for message in messages]
        for student_id, found in errors.items()
    }
    everyone = set.intersection(*map(set, pairs.values())) if len(pairs) == len(chosen) else set()
    shared: dict[str, list[str]] = {}
    for name, message in sorted(everyone):
        shared.setdefault(name, []).append(message)
    own = {
        student_id: [message for name, message in found if (name, message) not in everyone]
        for student_id, found in pairs.items()
    }
    return shared, {student_id: messages for student_id, messages in own.items() if messages}


@bp.route("/aanvragen/selectie", methods=["GET", "POST"])
@access(Access.MEMBER)
def selection():
    actor, db, plugins = current_actor(), db_session(), plugins_of()
    programme = programme_of(actor)
    ids = sorted({int(v) for v in request.values.getlist("student") if v.isdigit()})
    if not ids:
        flash(_("Kies minstens één student."), "error")
        return redirect(url_for("bulk.student_list"))
    chosen = students.selected_students(db, actor, ids)
    levels = list(
        db.scalars(
            select(EducationLevel).where(EducationLevel.active).order_by(EducationLevel.position)
        )
    )
    level_code = request.values.get("niveau")
    if level_code not in {level.code for level in levels}:
        if len(levels) != 1:
            return render_template("placements/bulk/choose_level.html", levels=levels, ids=ids)
        level_code = levels[0].code
    form = _selection_form(db, programme, level_code)
    per_student: dict[int, list[str]] = {}
    if request.method == "POST" and form.validate_on_submit():
        attributes, ok = level_attributes_from_form(form, plugins, level_code, "request")
        school = bulk.school_by_number(db, form.institution_number.data)
        if school is None:
            form.institution_number.errors = [
                *form.institution_number.errors,
                _("Er is geen school met dit instellingsnummer."),
            ]
        elif ok:
            shared = _shared_values(form, school.id, level_code, attributes)
            try:
                created = bulk.create_for_students(db, plugins, actor, chosen, shared)
            except bulk.BulkRefused as refused:
                db.rollback()
                shared_errors, per_student = _shared_and_own(refused.errors, chosen)
                errors_onto_form(
                    form, shared_errors, plugins, level_code, "request", aliases=ALIASES
                )
            else:
                db.commit()
                flash(
                    _(
                        "%(n)d aanvragen verstuurd naar %(school)s.",
                        n=len(created),
                        school=school.name,
                    ),
                    "info",
                )
                return redirect(url_for("bulk.student_list"))
    return render_template(
        "placements/bulk/selection.html",
        form=form,
        students=chosen,
        per_student=per_student,
        level=next(level for level in levels if level.code == level_code),
        level_fields=level_field_names(plugins, level_code, "request"),
    )


# -------------------------------------------------------------------------- by file


class UploadForm(FlaskForm):
    file = FileField(_l("Bestand (CSV of XLSX)"), [FileRequired(_l("Kies een bestand."))])


@bp.route("/aanvragen/upload", methods=["GET", "POST"])
@access(Access.MEMBER)
def upload():
    actor, db, plugins = current_actor(), db_session(), plugins_of()
    programme_of(actor)
    form = UploadForm()
    if form.validate_on_submit():
        storage = form.file.data
        upload_id = bulk.upload_requests(
            db,
            database(),
            plugins,
            actor,
            storage.filename or "",
            storage.read(bulk.MAX_UPLOAD_BYTES + 1),
        )
        return redirect(url_for("bulk.upload_result", upload_id=upload_id))
    return render_template(
        "placements/bulk/upload.html",
        form=form,
        uploads=bulk.uploads_of(db, actor),
        level_columns=bulk.level_columns(db, plugins),
        subjects=bulk.subject_codes(db),
        status_labels=bulk.UPLOAD_STATUS_LABELS,
        columns=bulk.CORE_COLUMNS,
        required=bulk.REQUIRED_COLUMNS,
        max_rows=bulk.MAX_UPLOAD_ROWS,
        max_mb=bulk.MAX_UPLOAD_BYTES // (1024 * 1024),
    )


@bp.get("/aanvragen/upload/sjabloon")
@access(Access.MEMBER)
def upload_template():
    programme_of(current_actor())
    kind = "xlsx" if request.args.get("formaat") == "xlsx" else "csv"
    content, mimetype, filename = bulk.template_file(db_session(), plugins_of(), kind)
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/aanvragen/upload/<int:upload_id>")
@access(Access.MEMBER)
def upload_result(upload_id: int):
    return render_template(
        "placements/bulk/result.html",
        upload=bulk.upload_for(db_session(), current_actor(), upload_id),
        status_labels=bulk.UPLOAD_STATUS_LABELS,
    )
