"""The one form of the dashboards: a school's answer to a request, from its row."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from core.placements.models import RequestStatus

ANSWERS = (RequestStatus.ACCEPTED.value, RequestStatus.DECLINED.value)


class AnswerForm(FlaskForm):
    """Accept or decline; the button pressed carries the status."""

    status = StringField(validators=[InputRequired(), AnyOf(ANSWERS)])
    reason = StringField(
        _l("Reden van weigering"),
        [Optional(), Length(max=500, message=_l("Houd de reden onder 500 tekens."))],
    )
