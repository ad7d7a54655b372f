"""Hook implementations of the ``primary`` plugin."""

from __future__ import annotations

from core.plugins import hookimpl
from plugins.common import LevelCatalogue
from plugins.primary.catalogue import FIELDS, LEVEL, SUBJECTS, TRAINING_KINDS
from plugins.primary.report import pilot_section

CATALOGUE = LevelCatalogue(LEVEL, SUBJECTS, TRAINING_KINDS, FIELDS)
stagebank_education_levels = CATALOGUE.stagebank_education_levels
stagebank_subjects = CATALOGUE.stagebank_subjects
stagebank_training_kinds = CATALOGUE.stagebank_training_kinds
stagebank_level_fields = CATALOGUE.stagebank_level_fields


@hookimpl
def stagebank_report_sections(session, start, end):
    from plugins.primary import ENABLED_BY_DEFAULT  # the package's flag, read at call time

    return [pilot_section(session, start, end, ENABLED_BY_DEFAULT)]
