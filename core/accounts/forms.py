"""Account forms; labels and messages in Dutch, translated through the catalogue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp

REQUIRED = _l("Dit veld is verplicht.")


def _required():
    return InputRequired(message=REQUIRED)


def _email():
    return [_required(), Email(message=_l("Vul een geldig e-mailadres in.")), Length(max=254)]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), _email())
    password = PasswordField(_l("Wachtwoord"), [_required()])
    next = HiddenField()


class SignUpForm(FlaskForm):
    kind = RadioField(
        _l("Soort instelling"),
        [_required()],
        choices=[
            SelectChoice("school", _l("School")),
            SelectChoice("programme", _l("Lerarenopleiding")),
        ],
        default="school",
    )
    institution_name = StringField(_l("Naam van de instelling"), [_required(), Length(max=200)])
    institution_number = StringField(
        _l("Instellingsnummer"),
        [Optional(), Regexp(r"^\d{6}$", message=_l("Een instellingsnummer heeft 6 cijfers."))],
        description=_l("Het nummer van 6 cijfers van het departement Onderwijs."),
    )
    organisation = StringField(
        _l("Hogeschool of universiteit"),
        [Optional(), Length(max=200)],
        description=_l("Alleen voor lerarenopleidingen."),
    )
    street = StringField(_l("Straat en huisnummer"), [_required(), Length(max=200)])
    postcode = StringField(
        _l("Postcode"),
        [_required(), Regexp(r"^\d{4}$", message=_l("Een postcode heeft 4 cijfers."))],
    )
    coordinator_name = StringField(_l("Jouw naam"), [_required(), Length(max=200)])
    email = EmailField(_l("Jouw e-mailadres"), _email())
    password = PasswordField(
        _l("Wachtwoord"),
        [_required()],
        description=_l("Minstens 12 tekens, met letters en cijfers of leestekens."),
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), _email())


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Nieuw wachtwoord"),
        [_required()],
        description=_l("Minstens 12 tekens, met letters en cijfers of leestekens."),
    )


class AcceptInvitationForm(FlaskForm):
    name = StringField(_l("Jouw naam"), [Optional(), Length(max=200)])
    password = PasswordField(
        _l("Kies een wachtwoord"),
        [Optional()],
        description=_l("Minstens 12 tekens, met letters en cijfers of leestekens."),
    )


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mailadres van je collega"), _email())
    role = SelectField(_l("Rol"), [_required()], choices=[])


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Beslissing"),
        [_required()],
        choices=[SelectChoice("approve", _l("Goedkeuren")), SelectChoice("reject", _l("Weigeren"))],
    )
    reason = StringField(_l("Reden (verplicht bij weigeren)"), [Optional(), Length(max=500)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state."""
