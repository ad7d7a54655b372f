"""Ticket and FaqEntry models."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import User
from core.database import Base, UtcDateTime, enum_type, utcnow
from core.institutions.models import Institution


class TicketKind(enum.StrEnum):
    QUESTION = "question"
    FEEDBACK = "feedback"


class TicketCategory(enum.StrEnum):
    ACCOUNT = "account"
    OFFER = "offer"
    REQUESTS = "requests"
    TECHNICAL = "technical"
    OTHER = "other"


class TicketStatus(enum.StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"


KIND_LABELS = {
    TicketKind.QUESTION: _l("Vraag"),
    TicketKind.FEEDBACK: _l("Feedback"),
}
CATEGORY_LABELS = {
    TicketCategory.ACCOUNT: _l("Account"),
    TicketCategory.OFFER: _l("Aanbod"),
    TicketCategory.REQUESTS: _l("Aanvragen"),
    TicketCategory.TECHNICAL: _l("Technisch"),
    TicketCategory.OTHER: _l("Andere"),
}
STATUS_LABELS = {
    TicketStatus.NEW: _l("Nieuw"),
    TicketStatus.IN_PROGRESS: _l("In behandeling"),
    TicketStatus.ANSWERED: _l("Beantwoord"),
    TicketStatus.CLOSED: _l("Gesloten"),
}


class Ticket(Base):
    """A question or feedback of a signed-in person, with the page and role it came from."""

    __tablename__ = "helpdesk_tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="SET NULL")
    )
    #: The role the person acted in (``Role`` value, ``admin`` or empty).
    role: Mapped[str] = mapped_column(String(32), default="")
    page: Mapped[str] = mapped_column(String(500), default="")
    kind: Mapped[TicketKind] = mapped_column(enum_type(TicketKind), default=TicketKind.QUESTION)
    category: Mapped[TicketCategory] = mapped_column(
        enum_type(TicketCategory), default=TicketCategory.OTHER, index=True
    )
    status: Mapped[TicketStatus] = mapped_column(
        enum_type(TicketStatus), default=TicketStatus.NEW, index=True
    )
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    #: How often an answer was sent (each one is mailed once).
    answer_count: Mapped[int] = mapped_column(default=0)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    institution: Mapped[Institution | None] = relationship()
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])


class FaqEntry(Base):
    """A frequently asked question with its answer, in Dutch and (optionally) English."""

    __tablename__ = "helpdesk_faq"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_nl: Mapped[str] = mapped_column(String(300))
    answer_nl: Mapped[str] = mapped_column(Text)
    question_en: Mapped[str] = mapped_column(String(300), default="")
    answer_en: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=100)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    def text_in(self, locale: str) -> tuple[str, str]:
        """(question, answer) in ``locale``; Dutch when the English text is incomplete."""
        if str(locale).startswith("en") and self.question_en and self.answer_en:
            return self.question_en, self.answer_en
        return self.question_nl, self.answer_nl
