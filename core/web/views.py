"""Thin views of the public pages; the rules live in the areas' services."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, session
from sqlalchemy import select

from core.access.routes import Access, access
from core.catalogue.services import levels_in_region
from core.database import database, db_session
from core.offers.services import published_offers
from core.plugins.manager import plugins_of
from core.reference.models import Region
from core.web.stats import home_figures

bp = Blueprint("web", __name__, template_folder="templates")


@bp.get("/")
@access(Access.PUBLIC)
def home():
    session_ = db_session()
    return render_template("web/home.html", figures=home_figures(session_, plugins_of()))


@bp.get("/aanbod")
@access(Access.PUBLIC)
def offers():
    session_ = db_session()
    plugins = plugins_of()
    regions = list(session_.scalars(select(Region).order_by(Region.position)))
    region = request.args.get("regio") or None
    if region and region not in {r.code for r in regions}:
        region = None
    levels = levels_in_region(session_, plugins, region) if region else []
    level = request.args.get("niveau") or None
    return render_template(
        "web/offers.html",
        regions=regions,
        region=region,
        levels=levels,
        level=level,
        offers=published_offers(session_, plugins, region_code=region, level_code=level),
    )


@bp.get("/taal/<lang>")
@access(Access.PUBLIC)
def switch_language(lang: str):
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = lang
    target = request.args.get("next", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        target = "/"
    return redirect(target)


@bp.get("/healthz")
@access(Access.PUBLIC)
def healthz():
    if database().is_reachable():
        return {"status": "ok", "database": "ok"}, 200
    return {"status": "unavailable", "database": "unreachable"}, 503
