"""Primary education (basisonderwijs): a trial, enabled per pilot region by an administrator."""

from plugins.primary.hooks import (
    stagebank_education_levels,
    stagebank_level_fields,
    stagebank_report_sections,
    stagebank_subjects,
    stagebank_training_kinds,
)

# Read by the core: disabled in every region until an administrator enables a pilot region.
ENABLED_BY_DEFAULT = False

__all__ = [
    "ENABLED_BY_DEFAULT",
    "stagebank_education_levels",
    "stagebank_level_fields",
    "stagebank_report_sections",
    "stagebank_subjects",
    "stagebank_training_kinds",
]
