"""Translations: Dutch (nl-BE) by default, English available.

User-facing strings are written in Dutch in the code and templates; the English
catalogue lives in ``core/translations/en``.
"""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel, get_locale


def select_locale() -> str:
    """The language chosen with the language switch, else Dutch."""
    from flask import current_app

    chosen = session.get("lang") if request else None
    return chosen if chosen in current_app.config["LANGUAGES"] else "nl"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "nl")
