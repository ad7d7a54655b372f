"""Sessions: Flask-Login for who is signed in, Flask-WTF for CSRF on every form."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from core.accounts.models import User
from core.database import db_session

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    manager = LoginManager()
    manager.login_view = "accounts.login"
    manager.session_protection = "basic"

    @manager.user_loader
    def _load(user_id: str) -> User | None:
        user = db_session().get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and user.active else None

    manager.init_app(app)
    csrf.init_app(app)
