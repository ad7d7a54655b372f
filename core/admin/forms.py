"""Forms of the admin console's people, roles and merging."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired

from core.accounts.models import ROLE_LABELS

REQUIRED = _l("Dit veld is verplicht.")


class ActiveForm(FlaskForm):
    active = HiddenField(validators=[AnyOf(["0", "1"])])


class GrantForm(FlaskForm):
    institution = StringField(
        _l("Instelling"),
        [InputRequired(message=REQUIRED)],
        description=_l("Het instellingsnummer (6 cijfers) of het id, bijvoorbeeld #12."),
    )
    role = SelectField(
        _l("Rol"), choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]
    )


class RevokeForm(FlaskForm):
    membership = IntegerField(validators=[InputRequired()])


class MergeForm(FlaskForm):
    duplicate = StringField(
        _l("Dubbele instelling (verdwijnt)"),
        [InputRequired(message=REQUIRED)],
        description=_l("Het instellingsnummer (6 cijfers) of het id, bijvoorbeeld #12."),
    )
    kept = StringField(
        _l("Instelling die blijft"),
        [InputRequired(message=REQUIRED)],
        description=_l("Het instellingsnummer (6 cijfers) of het id, bijvoorbeeld #12."),
    )
    confirm = BooleanField(
        _l("Ik weet dat dit niet ongedaan kan worden."),
        [DataRequired(message=_l("Vink aan dat je dit wilt."))],
    )
