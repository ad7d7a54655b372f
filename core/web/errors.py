"""Error pages in the reader's language; a database that is down answers 503, not 500."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, ProgrammingError

from core.access.current import is_api_request
from core.access.policy import Denied
from core.web.input_guard import InvalidCharacter

bp = Blueprint("errors", __name__)

MESSAGES = {
    400: lambda: _("Het verzoek is ongeldig."),
    "csrf": lambda: _(
        "Dit formulier is verlopen of niet geldig. Laad de pagina opnieuw en probeer nog eens."
    ),
    403: lambda: _("Je hebt geen toegang tot deze pagina."),
    404: lambda: _("Deze pagina bestaat niet."),
    405: lambda: _("Deze actie is hier niet toegestaan."),
    413: lambda: _("Dit bestand is te groot. Stuur een bestand van hoogstens 5 MB."),
    500: lambda: _("Er liep iets mis. Probeer het later opnieuw."),
    503: lambda: _("Stagebank is tijdelijk niet beschikbaar. Probeer het later opnieuw."),
}


def _page(code: int, message_key: int | str | None = None, message: str | None = None):
    # With the database down, the layout must not ask plugins (which read the database).
    degraded = code == 503
    message = message or MESSAGES[message_key or code]()
    return render_template("error.html", code=code, message=message, degraded=degraded), code


@bp.app_errorhandler(400)
@bp.app_errorhandler(403)
@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
@bp.app_errorhandler(413)
@bp.app_errorhandler(500)
def http_error(error):
    if is_api_request():  # e.g. an unknown address under /api/: JSON, like the API itself
        from core.api.errors import http_error as api_error

        return api_error(error)
    code = getattr(error, "code", 500)
    if isinstance(error, InvalidCharacter):
        return _page(code, message=error.description)
    return _page(code)


@bp.app_errorhandler(OperationalError)
@bp.app_errorhandler(ProgrammingError)
def database_unavailable(_error):
    return _page(503)


@bp.app_errorhandler(CSRFError)
def csrf_refused(_error):
    return _page(400, "csrf")


@bp.app_errorhandler(Denied)
def denied(error: Denied):
    # A foreign object answers 404 so its existence is not revealed.
    return _page(404 if error.not_found else 403)
