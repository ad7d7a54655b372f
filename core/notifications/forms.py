"""The notification preferences form: one radio group per kind of notification."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice
from wtforms.validators import InputRequired

from core.notifications.models import KIND_LABELS, DeliveryMode, NotificationKind

MODE_CHOICES = [
    SelectChoice(DeliveryMode.IMMEDIATE.value, _l("Meteen, met een e-mail per melding")),
    SelectChoice(DeliveryMode.DIGEST.value, _l("Eén keer per dag, in een overzicht")),
    SelectChoice(DeliveryMode.OFF.value, _l("Geen meldingen")),
]
KIND_HELP = {
    NotificationKind.NEW_REQUEST: _l("Een lerarenopleiding vraagt je school een stageplaats."),
    NotificationKind.ANSWER: _l(
        "Een school aanvaardt of weigert een aanvraag, of antwoordt niet op tijd."
    ),
    NotificationKind.CANCELLATION: _l(
        "Een opleiding trekt een aanvraag in, of een stage wordt geannuleerd."
    ),
    NotificationKind.MESSAGE: _l("Iemand van de andere kant schrijft over een stage van jou."),
    NotificationKind.UPCOMING_START: _l(
        "Een week voor een stage begint, krijg je een herinnering."
    ),
}


class PreferencesForm(FlaskForm):
    """How a person wants to hear about each kind of notification."""

    def choices(self) -> dict[NotificationKind, DeliveryMode]:
        return {kind: DeliveryMode(self[kind.value].data) for kind in NotificationKind}


for _kind in NotificationKind:
    setattr(
        PreferencesForm,
        _kind.value,
        RadioField(
            KIND_LABELS[_kind],
            [InputRequired(message=_l("Maak een keuze."))],
            choices=MODE_CHOICES,
            description=KIND_HELP[_kind],
        ),
    )
