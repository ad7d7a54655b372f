"""Forms of the request pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from core.placements.models import InternshipKind

REQUIRED = _l("Dit veld is verplicht.")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

KIND_LABELS = {
    InternshipKind.OBSERVATION: _l("Observatiestage"),
    InternshipKind.TEACHING: _l("Onderwijsstage"),
    InternshipKind.LONG_TERM: _l("Langdurige stage (LIO)"),
}


class RequestForm(FlaskForm):
    student_id = SelectField(_l("Student"), [InputRequired(REQUIRED)], coerce=int, choices=[])
    school_id = HiddenField()
    institution_number = StringField(
        _l("Instellingsnummer van de school"),
        [Optional(), Regexp(r"^\d{6}$", message=_l("Een instellingsnummer heeft 6 cijfers."))],
        description=_l("Of kies een school via het stageaanbod."),
    )
    offer_id = HiddenField()
    subject_id = SelectField(_l("Vak"), [InputRequired(REQUIRED)], coerce=int, choices=[])
    period_start = DateField(
        _l("Begindatum"), [InputRequired(REQUIRED)], format=DATE_FORMATS, render_kw={"type": "date"}
    )
    period_end = DateField(
        _l("Einddatum"), [InputRequired(REQUIRED)], format=DATE_FORMATS, render_kw={"type": "date"}
    )
    kind = SelectField(
        _l("Soort stage"),
        [InputRequired(REQUIRED)],
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        default=InternshipKind.TEACHING.value,
    )
    hours = IntegerField(_l("Aantal lesuren"), [Optional(), NumberRange(0, 2000)], default=0)
    supervisor_id = SelectField(_l("Stagebegeleider"), [Optional()], coerce=int, choices=[])
    message = TextAreaField(
        _l("Bericht aan de school"),
        [Optional(), Length(max=4000)],
        description=_l("Alles wat de school moet weten: verwachtingen, lesopdrachten, contact."),
    )


class TransitionForm(FlaskForm):
    status = HiddenField(validators=[InputRequired()])
    reason = StringField(_l("Reden"), [Optional(), Length(max=500)])


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Nieuw bericht"), [InputRequired(REQUIRED), Length(max=4000)])


class MentorForm(FlaskForm):
    mentor_id = SelectField(_l("Mentor"), [Optional()], coerce=int, choices=[])
