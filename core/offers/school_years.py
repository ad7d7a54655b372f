"""School years run from 1 September to 31 August and are written "2026-2027"."""

from __future__ import annotations

import re
from datetime import date

PATTERN = re.compile(r"^(\d{4})-(\d{4})$")


def school_year_of(day: date) -> str:
    """The school year ``day`` falls in."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def is_school_year(value: str) -> bool:
    match = PATTERN.match(value or "")
    return bool(match) and int(match.group(2)) == int(match.group(1)) + 1


def shift(school_year: str, years: int) -> str:
    """The school year ``years`` later (negative: earlier)."""
    start = int(school_year[:4]) + years
    return f"{start}-{start + 1}"


def bounds(school_year: str) -> tuple[date, date]:
    """First and last day of a school year."""
    start = int(school_year[:4])
    return date(start, 9, 1), date(start + 1, 8, 31)


def upcoming(day: date, count: int = 2) -> list[str]:
    """The school year of ``day`` and the ones after it (for choices in forms)."""
    current = school_year_of(day)
    return [shift(current, n) for n in range(count)]
