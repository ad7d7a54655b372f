"""Hook implementations of the ``secondary`` plugin."""

from __future__ import annotations

from markupsafe import Markup

from core.plugins import hookimpl
from core.plugins.types import Name
from plugins.common import YES, LevelCatalogue, choice_label, reader_locale
from plugins.secondary import rules
from plugins.secondary.catalogue import (
    FIELDS,
    FIELDS_BY_NAME,
    LEVEL,
    LEVEL_CODE,
    SUBJECTS,
    TRAINING_KINDS,
)

# Attributes summarised on an offer page, in this order.
SUMMARY_FIELDS = ("graad", "leerjaar", "finaliteit", "onderwijsvorm")
SPECIAL_EDUCATION = Name("buitengewoon", "special education")

CATALOGUE = LevelCatalogue(LEVEL, SUBJECTS, TRAINING_KINDS, FIELDS)
stagebank_education_levels = CATALOGUE.stagebank_education_levels
stagebank_subjects = CATALOGUE.stagebank_subjects
stagebank_training_kinds = CATALOGUE.stagebank_training_kinds
stagebank_level_fields = CATALOGUE.stagebank_level_fields


@hookimpl
def stagebank_validate_level_attributes(level_code, attributes):
    if level_code != LEVEL_CODE:
        return {}
    return rules.check(attributes or {})


@hookimpl
def stagebank_template_fragment(slot, context):
    offer = context.get("offer")
    if slot != "offer_details" or getattr(offer, "level_code", None) != LEVEL_CODE:
        return None
    summary = attributes_summary(offer.attributes or {}, reader_locale())
    if not summary:
        return None
    return Markup('<p class="offer-attributes">{}</p>').format(" · ".join(summary))


def attributes_summary(attributes, locale: str) -> list[str]:
    """Labels of the summarised attributes that are set, e.g. ``["2de graad", "ASO"]``."""
    labels = [
        choice_label(FIELDS_BY_NAME[name], attributes[name], locale)
        for name in SUMMARY_FIELDS
        if attributes.get(name)
    ]
    if attributes.get("buitengewoon") == YES:
        labels.append(SPECIAL_EDUCATION.in_locale(locale))
    return labels
