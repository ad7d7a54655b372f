"""Reference tables; filled by :func:`core.reference.loader.load_reference_data`."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import Base


class Region(Base):
    """A Flemish province or the Brussels-Capital Region (for pilots and reports)."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    refnis: Mapped[str] = mapped_column(String(5), unique=True)
    name_nl: Mapped[str] = mapped_column(String(80))
    name_fr: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]


class Municipality(Base):
    __tablename__ = "municipalities"

    refnis: Mapped[str] = mapped_column(String(5), primary_key=True)
    name_nl: Mapped[str] = mapped_column(String(80))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]

    region: Mapped[Region] = relationship()


class Postcode(Base):
    """A postcode and one municipality it belongs to (a few codes span two)."""

    __tablename__ = "postcodes"

    postcode: Mapped[str] = mapped_column(String(4), primary_key=True)
    municipality_refnis: Mapped[str] = mapped_column(
        ForeignKey("municipalities.refnis"), primary_key=True
    )

    municipality: Mapped[Municipality] = relationship()


class Network(Base):
    """An education network umbrella (koepel) within one of the three networks."""

    __tablename__ = "networks"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    network: Mapped[str] = mapped_column(String(8))
    network_name: Mapped[str] = mapped_column(String(80))
