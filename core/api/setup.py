"""Set the API up on an app: the flask-smorest ``Api``, its resources, the level fields of
the plugins in the OpenAPI description, and rate limits per token."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_smorest import Api

from core.allocation import api as allocation_api
from core.api.common import IdConverter
from core.api.docs import bp as docs_blueprint
from core.api.errors import ErrorSchema
from core.api.resources import (
    account,
    bulk,
    helpdesk,
    hosting,
    institutions,
    members,
    offers,
    overview,
    reports,
    requests,
    students,
)
from core.api.schemas import MAX_ID, LevelAttributes
from core.api.tokens import current_token
from core.catalogue.level_fields import attributes_schema
from core.plugins.manager import plugins_of

RESOURCES = (institutions.blp, offers.blp, requests.blp, students.blp, reports.blp)
RESOURCES += (hosting.blp, bulk.blp, members.blp)
RESOURCES += (allocation_api.blp,)
RESOURCES += (overview.blp, account.blp, helpdesk.blp)
DESCRIPTION = """Stagebank's REST API. Authenticate with a personal API token
(`Authorization: Bearer <token>`), made on /account/api-tokens or with
`stagebank token create`; it acts with its owner's rights in one institution.

Lists answer `{"items": [...], "pagination": {"total", "page", "page_size", "pages"}}`
(`?page=1&page_size=25`, at most 100). Errors answer
`{"message": "...", "errors": {"field": ["..."]}}`, in Dutch, or in English with
`Accept-Language: en`. Changing an offer needs its `ETag` in `If-Match`
(missing: 428, stale: 412). Requests are limited per token (429)."""


class StagebankApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        """Only the API's blueprints answer JSON errors (see ``core.api.errors``); the web
        pages keep their own error pages."""


def init_api(app: Flask) -> None:
    """Create the app's ``Api`` and register every resource on it."""
    api = StagebankApi(
        spec_kwargs={
            "title": "Stagebank API",
            "version": "1",
            "openapi_version": "3.0.3",
            "info": {"description": DESCRIPTION},
            "security": [{"token": []}],
        }
    )
    api.init_app(app)
    api.register_converter(
        IdConverter, lambda _: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    )
    app.url_map.converters["id"] = IdConverter
    api.spec.components.security_scheme("token", {"type": "http", "scheme": "bearer"})
    _document_level_fields(app, api)
    for blueprint in RESOURCES:
        api.register_blueprint(blueprint)
    app.extensions["stagebank.api"] = api
    _init_rate_limits(app)


def _document_level_fields(app: Flask, api: Api) -> None:
    """One schema per level and target (``SecondaryOfferAttributes``) from the plugins'
    level fields, and ``attributes`` described as any of them."""
    plugins = plugins_of(app)
    levels = [
        spec.code
        for _, specs in plugins.results_by_plugin("stagebank_education_levels")
        for spec in specs
    ]
    names: dict[str, list[str]] = {"offer": [], "request": []}
    for target, listed in names.items():
        for code in levels:
            name = f"{code.title().replace('_', '')}{target.title()}Attributes"
            api.spec.components.schema(name, schema=attributes_schema(plugins, code, target))
            listed.append(name)

    def level_attributes(converter, field, **kwargs) -> dict:
        if not isinstance(field, LevelAttributes):
            return {}
        if field.stored or not names[field.target]:
            listed = ", ".join(names[field.target]) or "no level has fields"
            return {"description": f"The fields of the level in level_code, as stored ({listed})."}
        return {
            "anyOf": [{"$ref": f"#/components/schemas/{name}"} for name in names[field.target]],
            "description": "The fields of the level in level_code (one schema per level).",
        }

    api.ma_plugin.converter.add_attribute_function(level_attributes)


def _rate_key() -> str:
    """The token's own counter (by its hash: ids of deleted tokens come back in SQLite)."""
    token = current_token()
    return f"token:{token.token_hash[:32]}" if token else request.remote_addr or ""


def _init_rate_limits(app: Flask) -> None:
    """One shared budget per token over the whole API (``API_RATE_LIMIT``), kept in
    memory or, with ``REDIS_URL``, in Redis for every worker together."""
    limiter = Limiter(
        key_func=_rate_key,
        application_limits=[lambda: current_app.config["API_RATE_LIMIT"]],
        application_limits_exempt_when=lambda: current_token() is None,
        storage_uri=app.config.get("REDIS_URL") or "memory://",
        key_prefix="stagebank-api",
        headers_enabled=True,
        swallow_errors=True,
    )
    limiter.init_app(app)


@docs_blueprint.record_once
def _set_up(state) -> None:
    init_api(state.app)


bp = docs_blueprint
