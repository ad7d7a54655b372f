"""The OpenAPI description and its documentation page, served by the app itself.

Swagger UI comes from the ``swagger-ui-bundle`` package (no CDN); the page starts it with
a script file of ours, so the app's CSP (``script-src 'self'``) holds.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from core.access.routes import Access, access
from core.api import API_PREFIX
from core.api.errors import register_error_handlers

OWN_ASSETS = Path(__file__).resolve().parent / "static"

bp = Blueprint("api", __name__, url_prefix=API_PREFIX, template_folder="templates")
register_error_handlers(bp)


@bp.get("/openapi.json")
@access(Access.PUBLIC)
def openapi_json():
    return jsonify(current_app.extensions["stagebank.api"].spec.to_dict())


@bp.get("/docs")
@access(Access.PUBLIC)
def docs():
    return render_template("api/docs.html")


@bp.get("/docs/assets/<path:filename>")
@access(Access.PUBLIC)
def docs_asset(filename: str):
    folder = OWN_ASSETS if (OWN_ASSETS / filename).is_file() else Path(str(swagger_ui_path))
    return send_from_directory(folder, filename, max_age=3600)
