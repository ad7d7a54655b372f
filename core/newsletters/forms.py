"""Newsletter forms: writing, sending, one's own subscription."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length

from core.newsletters.models import SEGMENT_LABELS, Segment

REQUIRED = _l("Dit veld is verplicht.")


class NewsletterForm(FlaskForm):
    subject = StringField(_l("Onderwerp"), [InputRequired(message=REQUIRED), Length(max=200)])
    body = TextAreaField(
        _l("Tekst"),
        [InputRequired(message=REQUIRED), Length(max=20000)],
        description=_l(
            "Gewone tekst. Elke ontvanger krijgt er een aanspreking boven en een link om zich "
            "uit te schrijven onder, in zijn eigen taal."
        ),
    )
    segment = RadioField(
        _l("Ontvangers"),
        [InputRequired(message=REQUIRED)],
        choices=[SelectChoice(segment.value, label) for segment, label in SEGMENT_LABELS.items()],
        default=Segment.WITHOUT_OFFER.value,
    )
    region_code = SelectField(
        _l("Provincie (voor een herinnering)"),
        description=_l("Laat leeg voor alle provincies."),
    )
    school_year = SelectField(_l("Schooljaar (voor een herinnering)"))


class SendForm(FlaskForm):
    confirm = BooleanField(
        _l("Ik heb de ontvangers nagekeken; verstuur de nieuwsbrief."),
        [DataRequired(message=_l("Vink aan dat je de ontvangers nakeek."))],
    )


class SubscriptionForm(FlaskForm):
    subscribed = BooleanField(
        _l("Ik ontvang graag de nieuwsbrieven en herinneringen van Stagebank")
    )
