"""Secondary education: graden, finaliteiten, studiedomeinen and the onderwijsvakken."""

from plugins.secondary.hooks import (
    stagebank_education_levels,
    stagebank_level_fields,
    stagebank_subjects,
    stagebank_template_fragment,
    stagebank_training_kinds,
    stagebank_validate_level_attributes,
)

__all__ = [
    "stagebank_education_levels",
    "stagebank_level_fields",
    "stagebank_subjects",
    "stagebank_template_fragment",
    "stagebank_training_kinds",
    "stagebank_validate_level_attributes",
]
