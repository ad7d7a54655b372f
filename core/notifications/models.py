"""NotificationPreference and DigestItem models."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import User
from core.database import Base, UtcDateTime, enum_type, utcnow


class NotificationKind(enum.StrEnum):
    NEW_REQUEST = "new_request"
    ANSWER = "answer"
    CANCELLATION = "cancellation"
    MESSAGE = "message"
    UPCOMING_START = "upcoming_start"


class DeliveryMode(enum.StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"


class NotificationPreference(Base):
    """How one person wants to hear about one kind of event (no row: immediately)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[NotificationKind] = mapped_column(enum_type(NotificationKind), primary_key=True)
    mode: Mapped[DeliveryMode] = mapped_column(enum_type(DeliveryMode))


class DigestItem(Base):
    """A notification waiting for the person's next daily digest."""

    __tablename__ = "digest_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NotificationKind] = mapped_column(enum_type(NotificationKind))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("placement_requests.id", ondelete="CASCADE")
    )
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    digested_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)

    user: Mapped[User] = relationship()


KIND_LABELS = {
    NotificationKind.NEW_REQUEST: _l("Nieuwe aanvragen"),
    NotificationKind.ANSWER: _l("Antwoorden op aanvragen"),
    NotificationKind.CANCELLATION: _l("Ingetrokken en geannuleerde stages"),
    NotificationKind.MESSAGE: _l("Berichten"),
    NotificationKind.UPCOMING_START: _l("Stages die binnenkort beginnen"),
}
