"""Tables of the Sint-Goriks bridge."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base, UtcDateTime


class SyncCursor(Base):
    """Where the last pull of one kind of record (schools, offers, requests) stopped."""

    __tablename__ = "sintgorik_bridge_cursors"

    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    cursor: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
