"""Which philosophical subjects a school teaches (table prefix ``philosophy_subjects_``)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base


class DeclaredSubject(Base):
    """A school's own statement that it teaches one philosophical subject."""

    __tablename__ = "philosophy_subjects_declared"

    school_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), primary_key=True
    )
    subject_code: Mapped[str] = mapped_column(String(8), primary_key=True)


class Declaration(Base):
    """That a school has declared its subjects at all (an empty declaration is one too)."""

    __tablename__ = "philosophy_subjects_declarations"

    school_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), primary_key=True
    )
