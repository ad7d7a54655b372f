"""Tables that mirror the plugins' catalogues so that foreign keys hold."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import Base


class _Named:
    """Rows with a Dutch and an English name."""

    def name_in(self, locale: str) -> str:
        return self.name_en if str(locale).startswith("en") else self.name_nl


class EducationLevel(_Named, Base):
    __tablename__ = "education_levels"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    plugin: Mapped[str] = mapped_column(String(64))
    name_nl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=100)
    active: Mapped[bool] = mapped_column(default=True)


class Subject(_Named, Base):
    """A subject of one level's catalogue; ``plugin`` is the plugin that contributed it."""

    __tablename__ = "subjects"
    __table_args__ = (UniqueConstraint("level_code", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    level_code: Mapped[str] = mapped_column(ForeignKey("education_levels.code"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    plugin: Mapped[str] = mapped_column(String(64))
    name_nl: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str] = mapped_column(String(160))
    group: Mapped[str] = mapped_column(String(64), default="")
    active: Mapped[bool] = mapped_column(default=True)

    level: Mapped[EducationLevel] = relationship()


class TrainingKind(_Named, Base):
    __tablename__ = "training_kinds"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    plugin: Mapped[str] = mapped_column(String(64))
    name_nl: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str] = mapped_column(String(160))
    level_codes: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
