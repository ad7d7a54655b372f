"""A small iCalendar (RFC 5545) writer for the internship feeds: all-day events, escaped
text, lines folded at 75 octets, CRLF line ends."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _

from core.placements.models import STATUS_LABELS, PlacementRequest

LINE_OCTETS = 75


@dataclass(frozen=True)
class Event:
    """One all-day event from ``first`` to ``last`` (both included)."""

    uid: str
    first: date
    last: date
    stamp: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""


def escape(text: str) -> str:
    """Escape a TEXT value (RFC 5545, 3.3.11)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, never inside a character."""
    encoded = line.encode()
    if len(encoded) <= LINE_OCTETS:
        return line
    parts, start, limit = [], 0, LINE_OCTETS
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:  # a continuation byte
            end -= 1
        parts.append(encoded[start:end].decode())
        start, limit = end, LINE_OCTETS - 1  # continuation lines begin with a space
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(name: str, events: Iterable[Event]) -> str:
    """The whole VCALENDAR as text with CRLF line ends."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Stagebank//Stagebank//NL",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_utc(event.stamp)}",
            f"LAST-MODIFIED:{_utc(event.stamp)}",
            f"DTSTART;VALUE=DATE:{event.first:%Y%m%d}",
            # DTEND of an all-day event is the day after the last one.
            f"DTEND;VALUE=DATE:{event.last + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape(event.summary)}",
            *([f"LOCATION:{escape(event.location)}"] if event.location else []),
            *([f"DESCRIPTION:{escape(event.description)}"] if event.description else []),
            *([f"URL:{event.url}"] if event.url else []),
            "STATUS:CONFIRMED",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def request_event(
    request: PlacementRequest, host: str, locale: str, page_url: Callable[[int], str]
) -> Event:
    """The event of one accepted or completed request (no student number, ever)."""
    subject = request.subject.name_in(locale)
    campus = request.school.main_campus
    address = (
        f", {campus.street}, {campus.postcode} {campus.municipality.name_nl}" if campus else ""
    )
    details = [
        (_("Lerarenopleiding"), request.programme.name),
        (_("School"), request.school.name),
        (_("Stagebegeleider"), request.supervisor.name if request.supervisor else "—"),
        (_("Mentor"), request.mentor.name if request.mentor else "—"),
        (_("Status"), str(STATUS_LABELS[request.status])),
    ]
    return Event(
        uid=f"request-{request.id}@{host}",
        first=request.period_start,
        last=request.period_end,
        stamp=request.updated_at,
        summary=_(
            "Stage %(student)s · %(subject)s · %(school)s",
            student=request.student.full_name,
            subject=subject,
            school=request.school.name,
        ),
        description="\n".join(f"{label}: {value}" for label, value in details)
        + f"\n{page_url(request.id)}",
        location=request.school.name + address,
        url=page_url(request.id),
    )
