"""What every API resource shares: its blueprint, pages of results, presented objects."""

from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint, abort
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter

from core.accounts.login import csrf
from core.api import API_PREFIX
from core.api.errors import register_error_handlers
from core.api.schemas import MAX_ID
from core.api.tokens import write_refused
from core.offers import school_years


class IdConverter(IntegerConverter):
    """``<id:name>``: a row id, 1 up to the largest database integer (else a 404)."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=MAX_ID)


def _refuse_writes_of_read_only_tokens():
    if write_refused():
        abort(403, message=str(_l("Deze token mag alleen lezen.")))


def api_blueprint(name: str, description: str) -> Blueprint:
    """A resource blueprint under ``/api/v1``: JSON errors, no CSRF (no cookies count
    here), and read-only tokens refused for anything but reading."""
    blueprint = Blueprint(f"api-{name}", __name__, url_prefix=API_PREFIX, description=description)
    register_error_handlers(blueprint)
    blueprint.before_request(_refuse_writes_of_read_only_tokens)
    csrf.exempt(blueprint)
    return blueprint


def checked_school_year(value: str) -> str:
    """``value`` when it is a school year (2026-2027), else a 422 on ``school_year``."""
    if not school_years.is_school_year(value):
        abort(422, errors={"school_year": [str(_l("Kies een schooljaar."))]})
    return value


def checked_form(form_class, values: dict):
    """The web page's form (``form_class``) filled with ``values`` and checked by its own
    validators, or a 422 with its messages per field: the API refuses what the page does."""
    data = MultiDict({name: value for name, value in values.items() if value is not None})
    form = form_class(formdata=data, meta={"csrf": False})
    if not form.validate():
        errors = {name or "_schema": [str(m) for m in found] for name, found in form.errors.items()}
        abort(422, errors=errors)
    return form


def envelope(items: list, total: int, args: dict) -> dict:
    """One page of a list: ``{"items": [...], "pagination": {...}}``."""
    size = args["page_size"]
    return {
        "items": items,
        "pagination": {
            "total": total,
            "page": args["page"],
            "page_size": size,
            "pages": max(math.ceil(total / size), 1),
        },
    }


def page_bounds(args: dict) -> tuple[int, int]:
    """``(offset, limit)`` of the requested page."""
    return (args["page"] - 1) * args["page_size"], args["page_size"]


def page_of_query(session: Session, statement: Select, args: dict) -> dict:
    """One page of the rows of ``statement`` (one entity per row) with the total."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    offset, limit = page_bounds(args)
    return envelope(list(session.scalars(statement.offset(offset).limit(limit))), total, args)


def page_of_list(items: list, args: dict) -> dict:
    """One page of a list a service returned whole."""
    offset, limit = page_bounds(args)
    return envelope(items[offset : offset + limit], len(items), args)


class Presented:
    """An object with a few values added for its schema (e.g. what this reader may see)."""

    def __init__(self, obj, **extra):
        self._obj = obj
        self.__dict__.update(extra)

    def __getattr__(self, name: str):
        return getattr(self._obj, name)
