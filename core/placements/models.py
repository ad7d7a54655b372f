"""Student, PlacementRequest and RequestEvent models."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import User
from core.catalogue.models import EducationLevel, Subject
from core.database import Base, UtcDateTime, enum_type, utcnow
from core.institutions.models import Institution
from core.offers.models import Offer


class RequestStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class InternshipKind(enum.StrEnum):
    OBSERVATION = "observation"
    TEACHING = "teaching"
    LONG_TERM = "long_term"


class Student(Base):
    """A student teacher of a programme; the login account is optional."""

    __tablename__ = "students"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    student_number: Mapped[str] = mapped_column(String(32))
    home_postcode: Mapped[str | None] = mapped_column(String(4))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    programme: Mapped[Institution] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class PlacementRequest(Base):
    """A programme's request to a school to host one student."""

    __tablename__ = "placement_requests"
    __table_args__ = (
        # Dashboards and lists: one school's or one programme's requests in a status.
        Index("ix_placement_requests_school_id_status", "school_id", "status"),
        Index("ix_placement_requests_programme_id_status", "programme_id", "status"),
        # The administrator's dashboard: the requests changed last, of the whole platform.
        Index("ix_placement_requests_updated_at_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"), index=True)
    level_code: Mapped[str] = mapped_column(ForeignKey("education_levels.code"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    kind: Mapped[InternshipKind] = mapped_column(enum_type(InternshipKind))
    hours: Mapped[int] = mapped_column(default=0)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RequestStatus] = mapped_column(
        enum_type(RequestStatus), default=RequestStatus.DRAFT, index=True
    )
    answer_deadline: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    programme: Mapped[Institution] = relationship(foreign_keys=[programme_id])
    school: Mapped[Institution] = relationship(foreign_keys=[school_id])
    student: Mapped[Student] = relationship()
    offer: Mapped[Offer | None] = relationship()
    level: Mapped[EducationLevel] = relationship()
    subject: Mapped[Subject] = relationship()
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id])
    mentor: Mapped[User | None] = relationship(foreign_keys=[mentor_id])
    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="placement_request", order_by="RequestEvent.id"
    )


class RequestEvent(Base):
    """One recorded status change: who, when, from, to and why."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("placement_requests.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    placement_request: Mapped[PlacementRequest] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


STATUS_LABELS = {
    RequestStatus.DRAFT: _l("Concept"),
    RequestStatus.SUBMITTED: _l("Verstuurd"),
    RequestStatus.ACCEPTED: _l("Aanvaard"),
    RequestStatus.DECLINED: _l("Geweigerd"),
    RequestStatus.EXPIRED: _l("Verlopen"),
    RequestStatus.WITHDRAWN: _l("Ingetrokken"),
    RequestStatus.CANCELLED: _l("Geannuleerd"),
    RequestStatus.COMPLETED: _l("Afgerond"),
}


#: Button labels: the action that moves a request into each state.
TRANSITION_LABELS = {
    RequestStatus.SUBMITTED: _l("Versturen naar de school"),
    RequestStatus.ACCEPTED: _l("Aanvaarden"),
    RequestStatus.DECLINED: _l("Weigeren"),
    RequestStatus.WITHDRAWN: _l("Intrekken"),
    RequestStatus.CANCELLED: _l("Annuleren"),
    RequestStatus.COMPLETED: _l("Markeren als afgerond"),
    RequestStatus.EXPIRED: _l("Laten verlopen"),
}


class RequestMessage(Base):
    """One message in the thread between programme and school about a request."""

    __tablename__ = "request_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("placement_requests.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship()
    institution: Mapped[Institution | None] = relationship()


class UploadStatus(enum.StrEnum):
    VALIDATING = "validating"
    REFUSED = "refused"
    CREATING = "creating"
    DONE = "done"


class BulkUpload(Base):
    """A CSV or XLSX file of requests: validated whole, then created in one transaction."""

    __tablename__ = "bulk_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[UploadStatus] = mapped_column(enum_type(UploadStatus))
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    #: Per-row, per-column problems: [{"row": 3, "column": "school", "message": "..."}].
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
