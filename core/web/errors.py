"""Error pages in the reader's language; a database that is down answers 503, not 500."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError, ProgrammingError

bp = Blueprint("errors", __name__)

MESSAGES = {
    400: lambda: _("Het verzoek is ongeldig."),
    403: lambda: _("Je hebt geen toegang tot deze pagina."),
    404: lambda: _("Deze pagina bestaat niet."),
    405: lambda: _("Deze actie is hier niet toegestaan."),
    500: lambda: _("Er liep iets mis. Probeer het later opnieuw."),
    503: lambda: _("Stagebank is tijdelijk niet beschikbaar. Probeer het later opnieuw."),
}


def _page(code: int):
    # With the database down, the layout must not ask plugins (which read the database).
    degraded = code == 503
    return render_template(
        "error.html", code=code, message=MESSAGES[code](), degraded=degraded
    ), code


@bp.app_errorhandler(400)
@bp.app_errorhandler(403)
@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
@bp.app_errorhandler(500)
def http_error(error):
    return _page(getattr(error, "code", 500))


@bp.app_errorhandler(OperationalError)
@bp.app_errorhandler(ProgrammingError)
def database_unavailable(_error):
    return _page(503)
