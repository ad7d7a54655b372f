"""Forms of the allocation pages; the rules are the services' own."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp

from core.allocation.solver import MAX_WISHES
from core.placements.forms import DATE_FORMATS, KIND_LABELS, REQUIRED

NUMBER = Regexp(r"^\d{6}$", message=_l("Een instellingsnummer heeft 6 cijfers."))


class WishesForm(FlaskForm):
    level_code = SelectField(_l("Onderwijsniveau"), [InputRequired(REQUIRED)], choices=[])
    subject_id = SelectField(_l("Vak"), [InputRequired(REQUIRED)], coerce=int, choices=[])
    second_subject_id = SelectField(
        _l("Tweede vak"),
        [Optional()],
        coerce=int,
        choices=[],
        description=_l("Alleen voor studenten met twee onderwijsvakken."),
    )
    same_school = BooleanField(_l("Beide vakken op dezelfde school"))
    max_km = IntegerField(
        _l("Maximale afstand van de woonplaats in km"),
        [Optional(), NumberRange(1, 300, message=_l("Vul een afstand tussen 1 en 300 km in."))],
    )
    period_start = DateField(
        _l("Beschikbaar vanaf"), [Optional()], format=DATE_FORMATS, render_kw={"type": "date"}
    )
    period_end = DateField(
        _l("Beschikbaar tot"), [Optional()], format=DATE_FORMATS, render_kw={"type": "date"}
    )


for _rank in range(1, MAX_WISHES + 1):
    setattr(
        WishesForm,
        f"wish_{_rank}",
        StringField(
            _l("Wens %(n)d: instellingsnummer van de school", n=_rank),
            [Optional(), NUMBER],
            render_kw={"inputmode": "numeric"},
        ),
    )


class RunForm(FlaskForm):
    school_year = SelectField(_l("Schooljaar"), [InputRequired(REQUIRED)], choices=[])
    period_start = DateField(
        _l("Begindatum van de stage"),
        [InputRequired(REQUIRED)],
        format=DATE_FORMATS,
        render_kw={"type": "date"},
    )
    period_end = DateField(
        _l("Einddatum van de stage"),
        [InputRequired(REQUIRED)],
        format=DATE_FORMATS,
        render_kw={"type": "date"},
    )
    level_code = SelectField(_l("Studenten van niveau"), [Optional()], choices=[])
    kind = SelectField(
        _l("Soort stage"),
        [InputRequired(REQUIRED)],
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
    )


class LineForm(FlaskForm):
    offer_id = RadioField(_l("Plaats"), [InputRequired(REQUIRED)], choices=[])


class SendForm(FlaskForm):
    """Only the CSRF token."""
