"""Helpdesk forms: asking, triage, answering, the FAQ."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from core.helpdesk.models import (
    CATEGORY_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    TicketCategory,
    TicketKind,
)

REQUIRED = _l("Dit veld is verplicht.")


def _choices(labels):
    return [SelectChoice(member.value, label) for member, label in labels.items()]


class TicketForm(FlaskForm):
    kind = RadioField(
        _l("Wat wil je doen?"),
        [InputRequired(message=REQUIRED)],
        choices=[
            SelectChoice(TicketKind.QUESTION.value, _l("Een vraag stellen")),
            SelectChoice(TicketKind.FEEDBACK.value, _l("Feedback geven")),
        ],
        default=TicketKind.QUESTION.value,
    )
    category = SelectField(
        _l("Waarover gaat het?"),
        [InputRequired(message=REQUIRED)],
        choices=_choices(CATEGORY_LABELS),
        default=TicketCategory.OTHER.value,
    )
    subject = StringField(_l("Korte titel"), [InputRequired(message=REQUIRED), Length(max=200)])
    body = TextAreaField(
        _l("Je vraag of feedback"),
        [InputRequired(message=REQUIRED), Length(max=5000)],
        description=_l(
            "We sturen de pagina waarop je was en je rol mee, zodat we je sneller kunnen helpen."
        ),
    )
    page = HiddenField()


class TriageForm(FlaskForm):
    category = SelectField(_l("Categorie"), choices=_choices(CATEGORY_LABELS))
    status = SelectField(_l("Status"), choices=_choices(STATUS_LABELS))


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Antwoord"),
        [InputRequired(message=REQUIRED), Length(max=10000)],
        description=_l("De vraagsteller ziet het antwoord in Stagebank en krijgt het per e-mail."),
    )


class FaqForm(FlaskForm):
    question_nl = StringField(
        _l("Vraag (Nederlands)"), [InputRequired(message=REQUIRED), Length(max=300)]
    )
    answer_nl = TextAreaField(_l("Antwoord (Nederlands)"), [InputRequired(message=REQUIRED)])
    question_en = StringField(_l("Vraag (Engels)"), [Optional(), Length(max=300)])
    answer_en = TextAreaField(
        _l("Antwoord (Engels)"),
        [Optional()],
        description=_l("Zonder Engelse vraag en antwoord tonen we het Nederlands."),
    )
    position = IntegerField(
        _l("Volgorde"),
        [Optional(), NumberRange(min=0, max=10000)],
        default=100,
        description=_l("Lagere getallen staan hoger in de lijst."),
    )


KIND_CHOICES = KIND_LABELS  # re-exported for the templates
