"""GET forms of the offer search and the school suggestions.

They change nothing and their URLs are meant to be shared, so they carry no CSRF token;
field names are the URL parameters. Every message is Dutch and shown next to its field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import DateField, Form, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Optional, Regexp, ValidationError
from wtforms.widgets import Select

#: Browsers send ISO dates; people typing in a text box write 1/2/2027.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
MAX_KM = 300
MAX_PLACES = 50
MAX_PERIOD_DAYS = 3 * 366

CHOICE = _l("Kies een waarde uit de lijst.")
DATE = _l("Vul een datum in (dd/mm/jjjj).")


def _between(low: int, high: int, message):
    """Like ``NumberRange``, but silent when the input was no number at all (that field
    already says so)."""

    def check(_form, field) -> None:
        if field.data is not None and not low <= field.data <= high:
            raise ValidationError(message)

    return check


class _ManyOptions(Select):
    """WTForms' select with the same HTML, but each plain option written directly: the
    municipality list has hundreds of them on every search page."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{escape(choice.value)}">{label}</option>')


def _select(label, *validators, description=None) -> SelectField:
    return SelectField(
        label,
        [*validators] or [Optional()],
        choices=[],
        default="",
        invalid_choice_message=CHOICE,
        description=description,
        widget=_ManyOptions(),
    )


def _date(label) -> DateField:
    return DateField(label, [Optional()], format=DATE_FORMATS, invalid_value_message=DATE)


class _WhereAndWhen(Form):
    """The filters the search and the suggestions share."""

    niveau = _select(_l("Onderwijsniveau"))
    vak = _select(_l("Vak"))
    regio = _select(_l("Regio"))
    postcode = StringField(
        _l("Postcode"),
        [Optional(), Regexp(r"^\d{4}$", message=_l("Een postcode heeft 4 cijfers."))],
        description=_l("Bijvoorbeeld waar de student woont; de dichtstbijzijnde eerst."),
    )
    km = IntegerField(
        _l("Maximale afstand in km"),
        [
            Optional(),
            _between(1, MAX_KM, _l("Kies een afstand tussen 1 en %(max)d km.", max=MAX_KM)),
        ],
        invalid_value_message=_l("Vul de afstand in als een getal, bijvoorbeeld 15."),
    )
    schooljaar = _select(_l("Schooljaar"))
    van = _date(_l("Periode van"))
    tot = _date(_l("Periode tot en met"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.km.data and not self.postcode.data and not self.postcode.errors:
            self.postcode.errors.append(_l("Vul een postcode in om binnen een afstand te zoeken."))
            valid = False
        first, last = self.van.data, self.tot.data
        if first and last and last < first:
            self.tot.errors.append(_l("De einddatum ligt voor de begindatum."))
            valid = False
        elif first and last and (last - first).days > MAX_PERIOD_DAYS:
            self.tot.errors.append(_l("Kies een periode van hoogstens drie jaar."))
            valid = False
        return valid


class OfferSearchForm(_WhereAndWhen):
    gemeente = _select(_l("Gemeente"))
    net = _select(_l("Onderwijsnet"))
    vrij = IntegerField(
        _l("Minstens zoveel vrije plaatsen"),
        [
            Optional(),
            _between(1, MAX_PLACES, _l("Kies een aantal tussen 1 en %(max)d.", max=MAX_PLACES)),
        ],
        invalid_value_message=_l("Vul het aantal plaatsen in als een getal, bijvoorbeeld 2."),
    )
    ontvangst = _select(_l("Ontvangststatus van de school"))


class SuggestionForm(_WhereAndWhen):
    vak = _select(_l("Vak"), InputRequired(_l("Kies het vak van de student.")))
