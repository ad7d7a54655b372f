"""Sessions: Flask-Login for who is signed in, Flask-WTF for CSRF on every form."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import joinedload

from core.accounts.models import Membership, User
from core.database import db_session

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    manager = LoginManager()
    manager.login_view = "accounts.login"
    manager.session_protection = "basic"

    @manager.user_loader
    def _load(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        # With the memberships and their institutions, which every signed-in page asks
        # for (who may do what where): one statement instead of three.
        user = db_session().get(
            User,
            int(user_id),
            options=[joinedload(User.memberships).joinedload(Membership.institution)],
        )
        return user if user is not None and user.active else None

    manager.init_app(app)
    csrf.init_app(app)
