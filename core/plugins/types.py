"""Plain data types that plugins return from their hooks.

They carry no database state: the core mirrors levels and subjects into tables and
builds WTForms fields and marshmallow fields from :class:`LevelField`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class Name:
    """A user-facing name in Dutch and English."""

    nl: str
    en: str

    def in_locale(self, locale: str) -> str:
        return self.en if str(locale).startswith("en") else self.nl


@dataclass(frozen=True)
class LevelSpec:
    """An education level such as secondary or primary education."""

    code: str
    name: Name
    position: int = 100


@dataclass(frozen=True)
class SubjectSpec:
    """A teaching subject within a level's catalogue; ``code`` is stable forever."""

    code: str
    name: Name
    group: str = ""


@dataclass(frozen=True)
class TrainingKindSpec:
    """A kind of teacher training (e.g. educatieve bachelor secundair onderwijs)."""

    code: str
    name: Name
    level_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Choice:
    value: str
    label: Name


@dataclass(frozen=True)
class LevelField:
    """A level-specific field on the offer or request form and schema.

    ``kind`` is ``"choice"``, ``"multichoice"``, ``"text"`` or ``"integer"``.
    The core builds both the WTForms field and the marshmallow field from it, so the web
    form and the API accept exactly the same values.
    """

    name: str
    label: Name
    kind: str = "choice"
    choices: tuple[Choice, ...] = ()
    required: bool = False
    help: Name | None = None

    def choice_values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)


@dataclass(frozen=True)
class MigrationLocation:
    """A folder of Alembic revisions that form one branch (label = ``branch``)."""

    path: Path
    branch: str


@dataclass(frozen=True)
class ReportChart:
    """How the report page draws a section as a bar chart.

    ``value`` names the numeric column; ``label`` the columns joined into each bar's
    label (default: the first column). At most ``limit`` rows are drawn, the largest first
    when there are more.
    """

    value: str
    label: tuple[str, ...] = ()
    limit: int = 20


@dataclass(frozen=True)
class ReportSection:
    """A titled table added to the government reports.

    ``columns`` are stable keys (they head the CSV, XLSX and JSON exports); ``headers``
    optionally names them for people, one :class:`Name` per column. ``note`` explains the
    figures; ``chart`` asks the report page for a bar chart beside the table.
    """

    key: str
    title: Name
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...] = field(default_factory=tuple)
    headers: tuple[Name, ...] = ()
    note: Name | None = None
    chart: ReportChart | None = None


@dataclass(frozen=True)
class BridgeRecord:
    """One record of an external system, in the core's vocabulary (``core.bridges.services``).

    ``kind`` is ``school``, ``programme``, ``student``, ``offer`` or ``request``; references
    to other records (``values["school"]``) are external ids of the same system. A record
    that could not be read carries its ``problems`` and is refused as it is.
    """

    kind: str
    external_id: str
    values: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None
    problems: tuple[str, ...] = ()
    #: Where the record was in the source (line of a file, index in an answer), for reports.
    position: int | None = None


@dataclass(frozen=True)
class BridgeChange:
    """A local change to push to the external system: one row of the bridge outbox.

    ``id`` stays the same over retries, so the other side can ignore a repeated delivery.
    """

    id: int
    kind: str
    external_id: str
    payload: dict[str, Any]


class BridgeUnavailable(Exception):
    """The external system cannot be used now (down, slow, misconfigured, nonsense answer).

    The message is one user-facing sentence; the run is reported as failed and retried later.
    """


class BridgeChangeRefused(Exception):
    """The external system refused a pushed change for good; it is kept and reported."""


class BridgeConnector(Protocol):
    """What :attr:`BridgeSpec.connect` returns: talks to one external system."""

    #: Kinds of record that :meth:`pull` returns in full, so a mapped record missing from
    #: a pull has disappeared on the other side (reported, never deleted here).
    complete_kinds: tuple[str, ...]

    def pull(self) -> Iterable[BridgeRecord]:
        """Every record of the other side; raise :class:`BridgeUnavailable` when it fails."""

    def push(self, change: BridgeChange) -> None:
        """Deliver one change; raise :class:`BridgeUnavailable` or :class:`BridgeChangeRefused`."""


@dataclass(frozen=True)
class BridgeSpec:
    """An external system a bridge plugin connects to.

    ``settings`` are app.config keys in the plugin's namespace (``sintgorik_bridge.url``),
    read from ``STAGEBANK_SINTGORIK_BRIDGE_URL`` when not configured otherwise. ``connect``
    receives them as ``{"url": ..., "token": ...}`` and returns a :class:`BridgeConnector`;
    a spec without ``connect`` is listed but cannot sync.
    """

    name: str
    title: str
    description: str = ""
    settings: tuple[str, ...] = ()
    connect: Callable[[Mapping[str, Any]], BridgeConnector] | None = None
