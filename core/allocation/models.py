"""Students' wishes and allocation proposals (tables prefixed ``allocation_``)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import User
from core.catalogue.models import Subject
from core.database import Base, UtcDateTime, enum_type, utcnow
from core.institutions.models import Institution
from core.offers.models import Offer
from core.placements.models import InternshipKind, PlacementRequest, Student


class StudentWishes(Base):
    """What a student needs and wishes for the next allocation (one row per student)."""

    __tablename__ = "allocation_wishes"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), unique=True
    )
    level_code: Mapped[str] = mapped_column(ForeignKey("education_levels.code"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    #: The second teaching subject of a secondary student, if any.
    second_subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    #: Both subjects at one school (or no place at all).
    same_school: Mapped[bool] = mapped_column(default=False)
    max_km: Mapped[int | None]
    #: When the student can do the internship; empty: the allocation's period.
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    student: Mapped[Student] = relationship()
    subject: Mapped[Subject] = relationship(foreign_keys=[subject_id])
    second_subject: Mapped[Subject | None] = relationship(foreign_keys=[second_subject_id])
    choices: Mapped[list[WishChoice]] = relationship(
        back_populates="wishes", cascade="all, delete-orphan", order_by="WishChoice.rank"
    )


class WishChoice(Base):
    """One ranked wish: a school (any of its offers) or one offer."""

    __tablename__ = "allocation_wish_choices"
    __table_args__ = (UniqueConstraint("wishes_id", "rank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wishes_id: Mapped[int] = mapped_column(
        ForeignKey("allocation_wishes.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int]
    school_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"))
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"))

    wishes: Mapped[StudentWishes] = relationship(back_populates="choices")
    school: Mapped[Institution | None] = relationship()
    offer: Mapped[Offer | None] = relationship()


class ProposalStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"


class Proposal(Base):
    """One allocation run for a programme's cohort: reviewed, edited, then sent."""

    __tablename__ = "allocation_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    school_year: Mapped[str] = mapped_column(String(9))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    #: Only students of this level (None: every level).
    level_code: Mapped[str | None] = mapped_column(ForeignKey("education_levels.code"))
    kind: Mapped[InternshipKind] = mapped_column(enum_type(InternshipKind))
    status: Mapped[ProposalStatus] = mapped_column(
        enum_type(ProposalStatus), default=ProposalStatus.DRAFT
    )
    #: "flow" or "integer": which solver made it.
    method: Mapped[str] = mapped_column(String(16))
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    #: What greedy first come, first served would have placed, for comparison.
    greedy_placed: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    programme: Mapped[Institution] = relationship()
    created_by: Mapped[User | None] = relationship()
    lines: Mapped[list[ProposalLine]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalLine.id"
    )


class ProposalLine(Base):
    """One need of the proposal: a student and a subject, and the offer proposed (or none)."""

    __tablename__ = "allocation_proposal_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("allocation_proposals.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id", ondelete="SET NULL"))
    wish_rank: Mapped[int | None]
    distance_km: Mapped[float | None] = mapped_column(Float)
    #: A reason code of :mod:`core.allocation.solver` (``wish``, ``full``, ...), or
    #: ``edited`` after the coordinator changed the line.
    reason: Mapped[str] = mapped_column(String(16))
    #: Details of the reason: the binding capacity, the nearest distance.
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("placement_requests.id", ondelete="SET NULL")
    )

    proposal: Mapped[Proposal] = relationship(back_populates="lines")
    student: Mapped[Student] = relationship()
    subject: Mapped[Subject] = relationship()
    offer: Mapped[Offer | None] = relationship()
    request: Mapped[PlacementRequest | None] = relationship()
