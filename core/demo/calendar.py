"""The school-year calendar the demo hangs its dates on.

Flemish school years start on 1 September. Internships fall in blocks of weeks between the
autumn, Christmas, spring (krokus) and Easter holidays; the Easter holiday moves from year
to year, so the blocks are an approximation that is right in most years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, cached_property

# Internship blocks as (first, last) week, counted from the first Monday of September.
BLOCKS = ((2, 7), (10, 15), (18, 23), (26, 30), (34, 39))


def school_year_start(day: date) -> date:
    """1 September of the school year that ``day`` falls in."""
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


@dataclass(frozen=True)
class SchoolYear:
    start: date  # 1 September

    @classmethod
    def of(cls, day: date) -> SchoolYear:
        return cls(school_year_start(day))

    @property
    def label(self) -> str:
        """As stored on offers: ``"2026-2027"``."""
        return f"{self.start.year}-{self.start.year + 1}"

    @property
    def previous(self) -> SchoolYear:
        return SchoolYear(date(self.start.year - 1, 9, 1))

    @property
    def following(self) -> SchoolYear:
        return SchoolYear(date(self.start.year + 1, 9, 1))

    @cached_property
    def first_monday(self) -> date:
        return self.start + timedelta(days=(7 - self.start.weekday()) % 7)

    # The demo asks for the same few dates hundreds of thousands of times: remembered.
    @cache  # noqa: B019 (a handful of school years live as long as the process anyway)
    def monday(self, week: int) -> date:
        return self.first_monday + timedelta(weeks=week)

    @cache  # noqa: B019
    def friday(self, week: int) -> date:
        return self.monday(week) + timedelta(days=4)

    def block_start(self, block: int) -> date:
        return self.monday(BLOCKS[block][0])

    def block_end(self, block: int) -> date:
        return self.friday(BLOCKS[block][1])

    def blocks_within(self, start: date | None, end: date | None) -> list[int]:
        """The blocks that lie inside ``[start, end]`` (all of them for an open period)."""
        inside = [
            block
            for block in range(len(BLOCKS))
            if start is None or (self.block_start(block) >= start and self.block_end(block) <= end)
        ]
        return inside or list(range(len(BLOCKS)))
