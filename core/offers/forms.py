"""Forms of the school's offer pages. Level-specific fields are added per level."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from core.offers.models import HostingAnswer, NoHostingReason, Semester

REQUIRED = _l("Dit veld is verplicht.")
NUMBER = _l("Vul een getal in.")
DATE = _l("Vul een datum in (dd/mm/jjjj).")

SEMESTER_LABELS = {
    Semester.FIRST: _l("1ste semester"),
    Semester.SECOND: _l("2de semester"),
    Semester.WHOLE_YEAR: _l("Het hele schooljaar"),
}
HOSTING_LABELS = {
    HostingAnswer.YES: _l("Ja, we ontvangen stagiairs"),
    HostingAnswer.MAYBE: _l("Misschien"),
    HostingAnswer.NO: _l("Nee, niet dit schooljaar"),
    HostingAnswer.FULL: _l("We zitten al vol"),
}
NO_REASON_LABELS = {
    NoHostingReason.NO_MENTORS: _l("Geen mentoren beschikbaar"),
    NoHostingReason.WORKLOAD: _l("Te hoge werkdruk"),
    NoHostingReason.RENOVATION: _l("Verbouwing of verhuis"),
    NoHostingReason.OWN_TRAINEES: _l("Plaatsen voorbehouden aan eigen partners"),
    NoHostingReason.OTHER: _l("Andere reden"),
}


def _choices(labels) -> list[SelectChoice]:
    return [SelectChoice(member.value, label) for member, label in labels.items()]


class OfferForm(FlaskForm):
    school_year = SelectField(_l("Schooljaar"), [InputRequired(REQUIRED)], choices=[])
    campus_id = SelectField(
        _l("Vestigingsplaats"), [InputRequired(REQUIRED)], coerce=int, choices=[]
    )
    subject_id = SelectField(_l("Vak"), [InputRequired(REQUIRED)], coerce=int, choices=[])
    semester = SelectField(
        _l("Semester"),
        [Optional()],
        choices=[SelectChoice("", "—"), *_choices(SEMESTER_LABELS)],
        description=_l("Kies een semester, of vul hieronder de precieze data in."),
    )
    period_start = DateField(
        _l("Begindatum"), [Optional()], format=["%Y-%m-%d", "%d/%m/%Y"], render_kw={"type": "date"}
    )
    period_end = DateField(
        _l("Einddatum"), [Optional()], format=["%Y-%m-%d", "%d/%m/%Y"], render_kw={"type": "date"}
    )
    places = IntegerField(
        _l("Aantal studenten"),
        [InputRequired(NUMBER), NumberRange(1, 50, _l("Kies tussen 1 en 50 plaatsen."))],
        default=1,
    )
    mentor_ids = SelectMultipleField(_l("Mentoren"), [Optional()], coerce=int, choices=[])
    mentor_name = StringField(
        _l("Andere mentor(en)"),
        [Optional(), Length(max=200)],
        description=_l("Namen van mentoren zonder account op Stagebank."),
    )
    notes = TextAreaField(_l("Opmerkingen voor de lerarenopleidingen"), [Optional()])
    action = SelectField(
        choices=[SelectChoice("draft", ""), SelectChoice("publish", "")],
        default="draft",
        validate_choice=True,
    )


class EstimateForm(Form):
    subject_id = SelectField(_l("Vak"), [Optional()], coerce=int, choices=[])
    places = IntegerField(_l("Ongeveer aantal"), [Optional(), NumberRange(1, 50)])


class HostingForm(FlaskForm):
    school_year = SelectField(_l("Schooljaar"), [InputRequired(REQUIRED)], choices=[])
    answer = RadioField(
        _l("Ontvangt je school dit schooljaar stagiairs?"),
        [InputRequired(REQUIRED)],
        choices=_choices(HOSTING_LABELS),
    )
    capacity = IntegerField(
        _l("Maximum aantal stagiairs over alle vakken samen"),
        [Optional(), NumberRange(0, 500, _l("Vul een aantal tussen 0 en 500 in."))],
        description=_l("Bijvoorbeeld: 8 vakken met aanbod, maar hoogstens 4 stagiairs tegelijk."),
    )
    no_reason = SelectField(
        _l("Reden (alleen gedeeld in anonieme rapporten)"),
        [Optional()],
        choices=[SelectChoice("", "—"), *_choices(NO_REASON_LABELS)],
    )
    estimates = FieldList(FormField(EstimateForm), min_entries=3, max_entries=10)
