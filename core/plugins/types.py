"""Plain data types that plugins return from their hooks.

They carry no database state: the core mirrors levels and subjects into tables and
builds WTForms fields and marshmallow fields from :class:`LevelField`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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
class ReportSection:
    """A titled table added to the government reports."""

    key: str
    title: Name
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class BridgeSpec:
    """An external system a bridge plugin connects to."""

    name: str
    title: str
    description: str = ""
    settings: tuple[str, ...] = ()
