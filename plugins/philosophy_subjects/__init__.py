"""Levensbeschouwelijke vakken (philosophical subjects) for primary and secondary schools."""

from plugins.philosophy_subjects import models  # noqa: F401 - puts the plugin's tables on the metadata
from plugins.philosophy_subjects.hooks import (
    stagebank_blueprints,
    stagebank_migration_locations,
    stagebank_schools_teaching,
    stagebank_subjects,
    stagebank_template_fragment,
)

__all__ = [
    "stagebank_blueprints",
    "stagebank_migration_locations",
    "stagebank_schools_teaching",
    "stagebank_subjects",
    "stagebank_template_fragment",
]
