"""The outbox table: one row per mail to send."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base, UtcDateTime, enum_type, utcnow


class MailStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting until next_attempt_at
    SENDING = "sending"  # claimed by a worker until next_attempt_at (the lease)
    SENT = "sent"
    FAILED = "failed"  # gave up after the maximum number of attempts


class OutboxMessage(Base):
    """A mail waiting for delivery, delivered, or given up on.

    ``dedup_key`` names the logical notification (``"request:42:accepted:user:7"``); the
    unique constraint makes sure it is queued only once.
    """

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    dedup_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    status: Mapped[MailStatus] = mapped_column(
        enum_type(MailStatus), default=MailStatus.QUEUED, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} to {self.to_address} {self.status}>"
