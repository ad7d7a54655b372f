"""Newsletter, NewsletterRecipient, NewsletterSchool and NewsletterOptOut models."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import User
from core.database import Base, UtcDateTime, enum_type, utcnow
from core.mail.models import OutboxMessage
from core.reference.models import Region


class Segment(enum.StrEnum):
    """Who a newsletter goes to. ``without_offer`` is a reminder: the coordinators of
    approved schools (in one province, or all) without a published offer for a school year."""

    WITHOUT_OFFER = "without_offer"
    SCHOOL_COORDINATORS = "school_coordinators"
    PROGRAMME_COORDINATORS = "programme_coordinators"
    EVERYONE = "everyone"


SEGMENT_LABELS = {
    Segment.WITHOUT_OFFER: _l("Herinnering: scholen zonder gepubliceerd aanbod in een schooljaar"),
    Segment.SCHOOL_COORDINATORS: _l("Alle stagecoördinatoren van scholen"),
    Segment.PROGRAMME_COORDINATORS: _l("Alle stagecoördinatoren van lerarenopleidingen"),
    Segment.EVERYONE: _l("Iedereen met een actief account"),
}


class Newsletter(Base):
    """A newsletter or reminder: written once, sent once."""

    __tablename__ = "newsletters"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    segment: Mapped[Segment] = mapped_column(enum_type(Segment))
    #: For ``without_offer``: the province (None: every province) and the school year.
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    school_year: Mapped[str | None] = mapped_column(String(9))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    region: Mapped[Region | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])


class NewsletterRecipient(Base):
    """One person a newsletter was queued for, and the outbox message that carries it."""

    __tablename__ = "newsletter_recipients"

    newsletter_id: Mapped[int] = mapped_column(
        ForeignKey("newsletters.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(254))
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_outbox.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    outbox_message: Mapped[OutboxMessage | None] = relationship()


class NewsletterSchool(Base):
    """A school a reminder reached (at least one of its coordinators got it)."""

    __tablename__ = "newsletter_schools"

    newsletter_id: Mapped[int] = mapped_column(
        ForeignKey("newsletters.id", ondelete="CASCADE"), primary_key=True
    )
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class NewsletterOptOut(Base):
    """A person who wants no newsletters (messages about their own requests still come)."""

    __tablename__ = "newsletter_opt_outs"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
