"""The report's period form (read from the query string)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired, ValidationError

from core.reports.periods import Period


class PeriodForm(FlaskForm):
    """``van`` and ``tot``: the first and the last day of the report, both included."""

    class Meta:
        csrf = False

    start = DateField(_l("Van"), [InputRequired(message=_l("Vul een datum in."))], name="van")
    end = DateField(_l("Tot en met"), [InputRequired(message=_l("Vul een datum in."))], name="tot")

    def validate_end(self, field) -> None:
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("De einddatum ligt voor de begindatum."))

    def period(self) -> Period:
        return Period(self.start.data, self.end.data)
