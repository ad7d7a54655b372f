"""Offer model."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.catalogue.models import EducationLevel, Subject
from core.database import Base, enum_type, utcnow
from core.institutions.models import Campus, Institution


class OfferStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class Offer(Base):
    """Places a school offers for one subject at one level in one school year."""

    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    campus_id: Mapped[int] = mapped_column(ForeignKey("campuses.id"))
    school_year: Mapped[str] = mapped_column(String(9), index=True)
    level_code: Mapped[str] = mapped_column(ForeignKey("education_levels.code"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    places: Mapped[int] = mapped_column(default=1)
    mentor_name: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[OfferStatus] = mapped_column(
        enum_type(OfferStatus), default=OfferStatus.DRAFT, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    school: Mapped[Institution] = relationship()
    campus: Mapped[Campus] = relationship()
    level: Mapped[EducationLevel] = relationship()
    subject: Mapped[Subject] = relationship()
