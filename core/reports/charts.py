"""Horizontal bar charts as inline SVG, drawn on the server (no JavaScript, no CDN).

The SVG is an image for assistive technology (``role="img"`` with a ``<title>`` and a
``<desc>``, referenced by ``aria-labelledby``); the table beside it holds the same figures.
Only presentation attributes are used, never ``style=``, so the strict CSP holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from numbers import Number
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from markupsafe import Markup, escape

from core.plugins.types import ReportSection

if TYPE_CHECKING:
    from core.reports.display import CellLabels
    from core.reports.services import Report

WIDTH = 640
LABEL_WIDTH = 260
VALUE_WIDTH = 70
BAR_HEIGHT = 18
GAP = 8
TOP = 4
LABEL_CHARACTERS = 32
BAR_COLOUR = "#0b5cad"
TEXT_COLOUR = "#1d1d1b"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str


def chart_bars(
    section: ReportSection, label_of: Callable[[str, object], str], number: Callable
) -> list[Bar]:
    """The bars of ``section``'s chart: its rows with a number in the chart's column, the
    largest ``limit`` when there are more (in the table's order otherwise)."""
    chart = section.chart
    if chart is None or chart.value not in section.columns:
        return []
    value_at = section.columns.index(chart.value)
    label_columns = [c for c in (chart.label or section.columns[:1]) if c in section.columns]
    bars = [
        Bar(
            " · ".join(label_of(c, row[section.columns.index(c)]) for c in label_columns),
            float(row[value_at]),
            number(row[value_at]),
        )
        for row in section.rows
        if isinstance(row[value_at], Number) and not isinstance(row[value_at], bool)
    ]
    if len(bars) > chart.limit:
        bars = sorted(bars, key=lambda bar: -bar.value)[: chart.limit]
    return bars


def bar_chart(chart_id: str, title: str, bars: list[Bar]) -> Markup:
    """An accessible SVG bar chart, or nothing when there is nothing to draw."""
    if not bars or max(bar.value for bar in bars) <= 0:
        return Markup("")
    top = max(bar.value for bar in bars)
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / top
    height = TOP + len(bars) * (BAR_HEIGHT + GAP)
    description = _(
        "Staafdiagram met %(count)d staven; de tabel bij dit diagram bevat dezelfde cijfers.",
        count=len(bars),
    )
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            'viewBox="0 0 {w} {h}" width="{w}" height="{h}" aria-labelledby="{id}-t {id}-d">'
            '<title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>'
        ).format(w=WIDTH, h=height, id=chart_id, title=title, desc=description)
    ]
    for index, bar in enumerate(bars):
        y = TOP + index * (BAR_HEIGHT + GAP)
        length = max(round(bar.value * scale, 1), 0)
        label = bar.label
        if len(label) > LABEL_CHARACTERS:
            label = label[: LABEL_CHARACTERS - 1] + "…"
        parts.append(
            Markup(
                "<g><title>{full}: {text}</title>"
                '<text x="{lx}" y="{ty}" text-anchor="end" font-size="13" fill="{ink}">{label}'
                "</text>"
                '<rect x="{bx}" y="{y}" width="{length}" height="{bh}" fill="{colour}"/>'
                '<text x="{vx}" y="{ty}" font-size="13" fill="{ink}">{text}</text></g>'
            ).format(
                full=escape(bar.label),
                text=bar.text,
                lx=LABEL_WIDTH - 8,
                ty=y + BAR_HEIGHT - 4,
                ink=TEXT_COLOUR,
                label=label,
                bx=LABEL_WIDTH,
                y=y,
                length=length,
                bh=BAR_HEIGHT,
                colour=BAR_COLOUR,
                vx=LABEL_WIDTH + length + 6,
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def report_charts(report: Report, labels: CellLabels, language: str) -> dict[str, Markup]:
    """The chart of every section of ``report`` (empty markup for those without one)."""
    return {
        section.key: bar_chart(
            f"chart-{section.key}",
            section.title.in_locale(language),
            chart_bars(section, labels.label, labels.number),
        )
        for section in report.sections
    }
