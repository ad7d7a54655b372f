"""Small builders shared by the built-in level and catalogue plugins (not a plugin itself)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask import current_app, has_app_context
from flask_babel import get_locale

from core.plugins import hookimpl
from core.plugins.types import (
    Choice,
    LevelField,
    LevelSpec,
    Name,
    SubjectSpec,
    TrainingKindSpec,
)

#: The forms a level field appears on (see ``stagebank_level_fields``).
FORM_TARGETS = ("offer", "request")

#: The language of the UI when no reader's locale is known.
DEFAULT_LOCALE = "nl"

YES = "yes"
NO = "no"

# (code or value, Dutch name, English name)
Row = tuple[str, str, str]


def choices(rows: Iterable[Row]) -> tuple[Choice, ...]:
    """Choices from ``(value, nl, en)`` rows, in the given order."""
    return tuple(Choice(value, Name(nl, en)) for value, nl, en in rows)


def yes_no_field(name: str, label: Name, help: Name | None = None) -> LevelField:
    """An optional choice field answered with :data:`YES` or :data:`NO`."""
    return LevelField(
        name,
        label,
        choices=choices(((YES, "Ja", "Yes"), (NO, "Nee", "No"))),
        help=help,
    )


def subjects_by_group(groups: Mapping[str, Iterable[Row]]) -> tuple[SubjectSpec, ...]:
    """Subject specs from ``{group: [(code, nl, en), ...]}``, in the given order."""
    return tuple(
        SubjectSpec(code, Name(nl, en), group=group)
        for group, rows in groups.items()
        for code, nl, en in rows
    )


def training_kinds(level_code: str, rows: Iterable[Row]) -> tuple[TrainingKindSpec, ...]:
    """Training kinds from ``(code, nl, en)`` rows that all prepare for ``level_code``."""
    return tuple(TrainingKindSpec(code, Name(nl, en), (level_code,)) for code, nl, en in rows)


def reader_locale() -> str:
    """The reader's locale inside a Babel-enabled app, else :data:`DEFAULT_LOCALE`."""
    if has_app_context() and "babel" in current_app.extensions:
        return str(get_locale() or DEFAULT_LOCALE)
    return DEFAULT_LOCALE


def choice_label(field: LevelField, value: str, locale: str = DEFAULT_LOCALE) -> str:
    """The label of ``value`` in ``field``'s choices, or the value itself when unknown."""
    for choice in field.choices:
        if choice.value == value:
            return choice.label.in_locale(locale)
    return str(value)


def errors_from(problems: Iterable[tuple[str, object]]) -> dict[str, list]:
    """Group ``(field, message)`` pairs into the ``{field: [message, ...]}`` of the contract."""
    errors: dict[str, list] = {}
    for field, message in problems:
        errors.setdefault(field, []).append(message)
    return errors


@dataclass(frozen=True)
class LevelCatalogue:
    """The catalogue hooks of a plugin that adds one education level.

    A level plugin exposes the bound methods at its package top level, where pluggy finds
    them (the package module is the registered plugin object)::

        CATALOGUE = LevelCatalogue(LEVEL, SUBJECTS, TRAINING_KINDS, FIELDS)
        stagebank_subjects = CATALOGUE.stagebank_subjects
    """

    level: LevelSpec
    subjects: tuple[SubjectSpec, ...]
    training_kinds: tuple[TrainingKindSpec, ...]
    fields: tuple[LevelField, ...]

    @hookimpl
    def stagebank_education_levels(self):
        return [self.level]

    @hookimpl
    def stagebank_subjects(self, level_code):
        return list(self.subjects) if level_code == self.level.code else []

    @hookimpl
    def stagebank_training_kinds(self):
        return list(self.training_kinds)

    @hookimpl
    def stagebank_level_fields(self, level_code, target):
        """The same fields on offers and requests, so that both describe a class alike."""
        if level_code != self.level.code or target not in FORM_TARGETS:
            return []
        return list(self.fields)
