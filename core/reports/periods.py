"""Reporting periods: any range of days, and the presets of the government reports.

Both ends are days and both are included. The presets split a school year
(1 September – 31 August) in two halves:

* the spring report (*voorjaarsrapport*): 1 September – the last day of February;
* the autumn report (*najaarsrapport*): 1 March – 31 August;
* the school year: 1 September – 31 August.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l

from core.offers import school_years


class Preset(enum.StrEnum):
    SPRING = "spring"
    AUTUMN = "autumn"
    SCHOOL_YEAR = "school-year"


PRESET_LABELS = {
    Preset.SPRING: _l("Voorjaarsrapport"),
    Preset.AUTUMN: _l("Najaarsrapport"),
    Preset.SCHOOL_YEAR: _l("Schooljaar"),
}


@dataclass(frozen=True)
class Period:
    """The days ``start`` to ``end``, both included."""

    start: date
    end: date

    @property
    def moments(self) -> tuple[datetime, datetime]:
        """``[start, end)`` as UTC moments: midnight of the first day and of the day after
        the last (the reports count in UTC, as the API does)."""
        after = self.end + timedelta(days=1) if self.end < date.max else self.end
        return datetime.combine(self.start, time(), UTC), datetime.combine(after, time(), UTC)

    @property
    def school_year(self) -> str:
        """The school year of the last day: offers and schools without offer are counted
        for this school year."""
        return school_years.school_year_of(self.end)


def preset_period(preset: Preset | str, school_year: str) -> Period:
    """The period of ``preset`` in ``school_year`` (``"2025-2026"``)."""
    first, last = school_years.bounds(school_year)
    march = date(last.year, 3, 1)
    return {
        Preset.SPRING: Period(first, march - timedelta(days=1)),
        Preset.AUTUMN: Period(march, last),
        Preset.SCHOOL_YEAR: Period(first, last),
    }[Preset(preset)]


def recent_presets(today: date, years: int = 2) -> list[tuple[Preset, str, Period]]:
    """Every preset of the current and the ``years - 1`` previous school years, newest first."""
    current = school_years.school_year_of(today)
    return [
        (preset, year, preset_period(preset, year))
        for year in (school_years.shift(current, -n) for n in range(years))
        for preset in Preset
    ]


def default_period(today: date) -> Period:
    """The current school year."""
    return preset_period(Preset.SCHOOL_YEAR, school_years.school_year_of(today))
