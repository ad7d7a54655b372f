"""Translations: Dutch (nl-BE) by default, English available.

User-facing strings are written in Dutch in the code and templates; the English
catalogue lives in ``core/translations/en``.
"""

from __future__ import annotations

from flask import Flask, request, session
from flask_babel import Babel, get_locale

#: The Babel locale of each interface language: dates and numbers the Flemish way.
BABEL_LOCALES = {"nl": "nl_BE", "en": "en_GB"}


def select_locale() -> str:
    """The language chosen with the language switch (for the API: the Accept-Language
    header), else Dutch."""
    from flask import current_app

    from core.access.current import is_api_request

    languages = current_app.config["LANGUAGES"]
    if is_api_request():
        chosen = request.accept_languages.best_match(languages)
    else:
        chosen = session.get("lang") if request else None
    return BABEL_LOCALES.get(chosen, BABEL_LOCALES["nl"])


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals["current_locale"] = current_language


def current_language() -> str:
    """The interface language of this request: ``nl`` or ``en``."""
    locale = get_locale()
    return locale.language if locale else "nl"
