"""Offer, HostingStatus and HostingEstimate models."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import User
from core.catalogue.models import EducationLevel, Subject
from core.database import Base, UtcDateTime, enum_type, utcnow
from core.institutions.models import Campus, Institution


class OfferStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


OFFER_STATUS_LABELS = {
    OfferStatus.DRAFT: _l("Concept"),
    OfferStatus.PUBLISHED: _l("Gepubliceerd"),
    OfferStatus.CLOSED: _l("Gesloten"),
}


class Semester(enum.StrEnum):
    FIRST = "1"
    SECOND = "2"
    WHOLE_YEAR = "year"


offer_mentors = Table(
    "offer_mentors",
    Base.metadata,
    Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Offer(Base):
    """Places a school offers for one subject at one level in one school year."""

    __tablename__ = "offers"
    __table_args__ = (
        # The search: published offers from a school year on, of any or of one subject
        # (equality columns first, the school-year range last) ...
        Index("ix_offers_status_school_year", "status", "school_year"),
        Index("ix_offers_subject_id_status_school_year", "subject_id", "status", "school_year"),
        # ... a school's own offers of a school year ...
        Index("ix_offers_school_id_school_year", "school_id", "school_year"),
        # ... and the published offers of the campuses of a region or municipality.
        Index("ix_offers_campus_id_status_school_year", "campus_id", "status", "school_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    campus_id: Mapped[int] = mapped_column(ForeignKey("campuses.id"))
    school_year: Mapped[str] = mapped_column(String(9), index=True)
    level_code: Mapped[str] = mapped_column(ForeignKey("education_levels.code"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    semester: Mapped[Semester | None] = mapped_column(enum_type(Semester))
    places: Mapped[int] = mapped_column(default=1)
    #: Accepted requests on this offer, kept by the placement service in the accepting
    #: transaction so searches can filter on free places without counting.
    accepted_count: Mapped[int] = mapped_column(default=0)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id", ondelete="SET NULL"))
    mentor_name: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[OfferStatus] = mapped_column(
        enum_type(OfferStatus), default=OfferStatus.DRAFT, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    school: Mapped[Institution] = relationship()
    campus: Mapped[Campus] = relationship()
    level: Mapped[EducationLevel] = relationship()
    subject: Mapped[Subject] = relationship()
    mentors: Mapped[list[User]] = relationship(secondary=offer_mentors)

    @property
    def free_places(self) -> int:
        return max(self.places - self.accepted_count, 0)


class HostingAnswer(enum.StrEnum):
    """A school's answer to "do you host student teachers this school year?"."""

    YES = "yes"
    MAYBE = "maybe"
    NO = "no"
    FULL = "full"


class NoHostingReason(enum.StrEnum):
    """Why a school does not host; shared only in aggregate reports."""

    NO_MENTORS = "no_mentors"
    WORKLOAD = "workload"
    RENOVATION = "renovation"
    OWN_TRAINEES = "own_trainees"
    OTHER = "other"


class HostingStatus(Base):
    """A school's hosting answer and school-wide capacity for one school year."""

    __tablename__ = "hosting_statuses"
    __table_args__ = (UniqueConstraint("school_id", "school_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    school_year: Mapped[str] = mapped_column(String(9))
    answer: Mapped[HostingAnswer] = mapped_column(enum_type(HostingAnswer))
    no_reason: Mapped[NoHostingReason | None] = mapped_column(enum_type(NoHostingReason))
    #: Trainees at most over all subjects this school year ("8 subjects, 4 trainees").
    capacity: Mapped[int | None]
    accepted_count: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    school: Mapped[Institution] = relationship()
    estimates: Mapped[list[HostingEstimate]] = relationship(
        back_populates="hosting_status", cascade="all, delete-orphan"
    )

    @property
    def free_capacity(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.accepted_count, 0)


class HostingEstimate(Base):
    """With "maybe": a rough count of trainees a school could take for one subject."""

    __tablename__ = "hosting_estimates"

    hosting_status_id: Mapped[int] = mapped_column(
        ForeignKey("hosting_statuses.id", ondelete="CASCADE"), primary_key=True
    )
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), primary_key=True)
    places: Mapped[int]

    hosting_status: Mapped[HostingStatus] = relationship(back_populates="estimates")
    subject: Mapped[Subject] = relationship()
