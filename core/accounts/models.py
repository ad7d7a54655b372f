"""User and Membership models."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.database import Base, UtcDateTime, enum_type, utcnow
from core.institutions.models import Institution


class Role(enum.StrEnum):
    """A person's role within one institution (platform administrators have no institution)."""

    SCHOOL_COORDINATOR = "school_coordinator"
    MENTOR = "mentor"
    PROGRAMME_COORDINATOR = "programme_coordinator"
    PROGRAMME_SUPERVISOR = "programme_supervisor"
    STUDENT = "student"


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(8), default="nl")
    #: SHA-256 of the secret in the person's iCalendar feed address (None: no feed).
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated accounts cannot sign in
        return self.active

    def set_password(self, password: str) -> None:
        """Store a scrypt hash of ``password``."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


class Membership(Base):
    """A user's role in one institution; a person may hold several."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "institution_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_type(Role))

    user: Mapped[User] = relationship(back_populates="memberships")
    institution: Mapped[Institution] = relationship()


class TokenPurpose(enum.StrEnum):
    PASSWORD_RESET = "password_reset"
    INVITATION = "invitation"


class AccountToken(Base):
    """A single-use, expiring token sent by email; only its SHA-256 hash is stored."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_type(TokenPurpose))
    email: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE")
    )
    role: Mapped[Role | None] = mapped_column(enum_type(Role))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    institution: Mapped[Institution | None] = relationship()


class LoginFailure(Base):
    """One failed login, kept for the throttling window (per account and per address)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


ROLE_LABELS = {
    Role.SCHOOL_COORDINATOR: _l("Stagecoördinator school"),
    Role.MENTOR: _l("Mentor"),
    Role.PROGRAMME_COORDINATOR: _l("Stagecoördinator lerarenopleiding"),
    Role.PROGRAMME_SUPERVISOR: _l("Stagebegeleider"),
    Role.STUDENT: _l("Student"),
}
