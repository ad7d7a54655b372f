"""Thin views of the public pages; the rules live in the areas' services."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user

from core.access.routes import Access, access
from core.database import db_session
from core.plugins.manager import plugins_of
from core.search import services as search_services
from core.search.forms import OfferSearchForm
from core.web.page_cache import cached_page
from core.web.stats import home_figures

bp = Blueprint("web", __name__, template_folder="templates")


@bp.get("/")
@access(Access.PUBLIC)
@cached_page
def home():
    session_ = db_session()
    return render_template("web/home.html", figures=home_figures(session_, plugins_of()))


@bp.get("/aanbod")
@access(Access.PUBLIC)
@cached_page
def offers():
    """The offer search; public, because the offer of places holds no personal data."""
    session_, plugins, today = db_session(), plugins_of(), date.today()
    form = OfferSearchForm(request.args)
    search_services.fill_choices(form, session_, plugins, today, str(get_locale() or "nl"))
    search = search_services.search_from_form(form, session_, today)
    number = search_services.page_number(request.args.get("pagina"))
    return render_template(
        "search/offers.html",
        form=form,
        page=search.page(session_, plugins, number) if search else None,
        with_distance=bool(search and search.origin),
    )


@bp.get("/taal/<lang>")
@access(Access.PUBLIC)
def switch_language(lang: str):
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = lang
    if current_user.is_authenticated and current_user.locale != lang:
        current_user.locale = lang  # remembered for the next login and for mail
        db_session().commit()
    target = request.args.get("next", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        target = "/"
    return redirect(target)
