"""Institution and Campus models."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.catalogue.models import EducationLevel
from core.database import Base, UtcDateTime, enum_type, utcnow
from core.reference.models import Municipality, Network, Region


class InstitutionKind(enum.StrEnum):
    SCHOOL = "school"
    PROGRAMME = "programme"


class RegistrationStatus(enum.StrEnum):
    """``registry``: known from the official list, never signed up (registration is
    voluntary). ``pending`` awaits an administrator; ``approved`` may use the platform."""

    REGISTRY = "registry"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


institution_levels = Table(
    "institution_levels",
    Base.metadata,
    Column("institution_id", ForeignKey("institutions.id", ondelete="CASCADE"), primary_key=True),
    Column("level_code", ForeignKey("education_levels.code"), primary_key=True),
)


class Institution(Base):
    """A school (*onderwijsinstelling*) or a teacher-training programme."""

    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InstitutionKind] = mapped_column(enum_type(InstitutionKind))
    name: Mapped[str] = mapped_column(String(200))
    institution_number: Mapped[str | None] = mapped_column(String(6), unique=True)
    network_code: Mapped[str | None] = mapped_column(ForeignKey("networks.code"))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    organisation: Mapped[str | None] = mapped_column(String(200))
    training_kind: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_type(RegistrationStatus), default=RegistrationStatus.REGISTRY, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    network: Mapped[Network | None] = relationship()
    region: Mapped[Region | None] = relationship()
    campuses: Mapped[list[Campus]] = relationship(
        back_populates="institution", cascade="all, delete-orphan", order_by="Campus.id"
    )
    levels: Mapped[list[EducationLevel]] = relationship(secondary=institution_levels)

    @property
    def main_campus(self) -> Campus | None:
        return next((c for c in self.campuses if c.is_main), None)


class Campus(Base):
    """A *vestigingsplaats*: an address where the school teaches."""

    __tablename__ = "campuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(4))
    #: Indexed: the search by region or municipality starts from the campuses there.
    municipality_refnis: Mapped[str] = mapped_column(
        ForeignKey("municipalities.refnis"), index=True
    )
    is_main: Mapped[bool] = mapped_column(default=False)

    institution: Mapped[Institution] = relationship(back_populates="campuses")
    municipality: Mapped[Municipality] = relationship()
