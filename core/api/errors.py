"""Every API error is JSON ``{"message": "...", "errors": {"field": ["..."]}}``.

Messages are the services' Dutch ones, in English with ``Accept-Language: en``. Field
errors from nested input are flattened to dotted names (``attributes.graad``), as the
services name them.
"""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, g
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError, ProgrammingError
from werkzeug.exceptions import HTTPException, default_exceptions

from core.access.policy import Denied
from core.accounts.services import AccountError
from core.helpdesk.services import HelpdeskRefused
from core.offers.services import OfferRefused
from core.placements.bulk import BulkRefused
from core.placements.services import RequestRefused, TransitionRefused
from core.placements.students import StudentRefused

MESSAGES = {
    400: _l("Het verzoek is ongeldig."),
    401: _l("Geef een geldige API-token mee: Authorization: Bearer <token>."),
    403: _l("Je mag dit niet doen met deze token."),
    404: _l("Dit bestaat niet, of je hebt er geen toegang toe."),
    405: _l("Deze actie is hier niet toegestaan."),
    409: _l("Dit kan niet in de huidige toestand."),
    412: _l("De gegevens werden intussen gewijzigd. Haal ze opnieuw op en probeer nog eens."),
    422: _l("De gegevens zijn niet geldig."),
    428: _l("Stuur de ETag van de gegevens mee in een If-Match-header."),
    429: _l("Te veel verzoeken. Probeer het later opnieuw."),
    500: _l("Er liep iets mis. Probeer het later opnieuw."),
    503: _l("Stagebank is tijdelijk niet beschikbaar. Probeer het later opnieuw."),
}
#: Locations webargs files errors under; the API reports the field names alone.
LOCATIONS = {"json", "query", "form", "headers", "files", "view_args", "path"}


class ErrorSchema(ma.Schema):
    """The body of every 4xx and 5xx answer."""

    message = ma.fields.String(required=True)
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        required=True,
        metadata={"description": "Field name (dotted for nested fields) to messages."},
    )


def flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    """``{"json": {"attributes": {"graad": ["..."]}}}`` → ``{"attributes.graad": ["..."]}``."""
    if not isinstance(errors, dict):
        messages = errors if isinstance(errors, list | tuple) else [errors]
        flat: dict[str, list[str]] = {}
        for message in messages:
            if isinstance(message, dict):
                for key, nested in flatten(message, prefix).items():
                    flat.setdefault(key, []).extend(nested)
            else:
                flat.setdefault(prefix or "_schema", []).append(str(message))
        return flat
    flat = {}
    for key, nested in errors.items():
        name = str(key)
        if not prefix and name in LOCATIONS:
            name = ""
        full = f"{prefix}.{name}" if prefix and name else (prefix or name)
        for field, messages in flatten(nested, full).items():
            flat.setdefault(field, []).extend(messages)
    return flat


def error_body(code: int, message=None, errors=None) -> dict:
    return {
        "message": str(message or MESSAGES.get(code) or MESSAGES[400 if code < 500 else 500]),
        "errors": flatten(errors or {}),
    }


def http_error(error: HTTPException):
    """An HTTP error (abort, routing, webargs, ETag, rate limit) as JSON."""
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages") or {}
    response = error.get_response()
    headers = {
        name: value
        for name, value in response.headers.items()
        if name in ("Allow", "Retry-After", "WWW-Authenticate")
    }
    if code == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return error_body(code, data.get("message"), errors), code, headers


def _rollback() -> None:
    """Nothing of a refused change is kept (the services ask their callers for this)."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def denied(error: Denied):
    _rollback()
    code = 404 if error.not_found else 403
    return error_body(code), code


def refused(error: OfferRefused | RequestRefused | StudentRefused):
    _rollback()
    return error_body(422, errors=error.errors), 422


def field_refused(error: AccountError | HelpdeskRefused):
    """One message, on its field (or on the input as a whole)."""
    _rollback()
    return error_body(422, errors={error.field or "_schema": [str(error.message)]}), 422


def bulk_refused(error: BulkRefused):
    """Each refused student's problems, as ``students.<id>.<field>``."""
    _rollback()
    return error_body(422, errors={"students": error.errors}), 422


def transition_refused(error: TransitionRefused):
    _rollback()
    message = error.args[0]
    return error_body(409, message, {"status": [str(message)]}), 409


def unavailable(_error):
    return error_body(503), 503


def register_error_handlers(blueprint: Blueprint) -> None:
    """JSON errors for every route of ``blueprint``, before the app's HTML error pages."""
    for code in default_exceptions:
        blueprint.register_error_handler(code, http_error)
    blueprint.register_error_handler(Denied, denied)
    for refusal in (OfferRefused, RequestRefused, StudentRefused):
        blueprint.register_error_handler(refusal, refused)
    for refusal in (AccountError, HelpdeskRefused):
        blueprint.register_error_handler(refusal, field_refused)
    blueprint.register_error_handler(BulkRefused, bulk_refused)
    blueprint.register_error_handler(TransitionRefused, transition_refused)
    blueprint.register_error_handler(OperationalError, unavailable)
    blueprint.register_error_handler(ProgrammingError, unavailable)
