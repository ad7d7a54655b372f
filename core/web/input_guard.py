"""Refuse input that no database can store: the NUL character.

PostgreSQL cannot keep ``\\x00`` in a text column (SQLite can, and then other tools
choke on it). No field of Stagebank may hold one, so a request carrying it anywhere (query
string, form, uploaded file name, JSON body) is answered 400 with a precise message before
a view runs, rather than failing at the database.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest

NUL = "\x00"
MESSAGE = _l("De invoer bevat een ongeldig teken (NUL). Verwijder het en probeer opnieuw.")


class InvalidCharacter(BadRequest):
    """A NUL character in the input; ``field`` names where (for the API's errors)."""

    def __init__(self, field: str):
        super().__init__(description=str(MESSAGE))
        self.data = {"message": str(MESSAGE), "errors": {field: [str(MESSAGE)]}}


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def refuse_nul_characters() -> None:
    """``before_request``: find the first field that carries a NUL, and refuse."""
    for name, value in request.args.items(multi=True):
        if _holds_nul(name) or _holds_nul(value):
            raise InvalidCharacter(name)
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in request.form.items(multi=True):
            if _holds_nul(name) or _holds_nul(value):
                raise InvalidCharacter(name)
        for name, upload in request.files.items(multi=True):
            if _holds_nul(upload.filename or ""):
                raise InvalidCharacter(name)
    elif request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            for name, value in body.items():
                if _holds_nul(name) or _holds_nul(value):
                    raise InvalidCharacter(name)
        elif _holds_nul(body):
            raise InvalidCharacter("_schema")


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
