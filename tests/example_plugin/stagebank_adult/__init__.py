"""Adult education (volwassenenonderwijs) as a Stagebank level: the tutorial's example.

Everything here follows docs/plugins.md; nothing in Stagebank's core knows about it.
"""

from __future__ import annotations

from sqlalchemy import func, select

from core.plugins import hookimpl
from core.plugins.types import (
    Choice,
    LevelField,
    LevelSpec,
    Name,
    ReportSection,
    SubjectSpec,
    TrainingKindSpec,
)

LEVEL = "adult"
#: A trial: switched on per pilot region by an administrator.
ENABLED_BY_DEFAULT = False


@hookimpl
def stagebank_education_levels():
    return [LevelSpec(LEVEL, Name("Volwassenenonderwijs", "Adult education"), position=30)]


@hookimpl
def stagebank_subjects(level_code):
    if level_code != LEVEL:
        return []
    return [
        SubjectSpec("NT2", Name("Nederlands als tweede taal", "Dutch as a second language")),
        SubjectSpec("BASIS", Name("Basiseducatie", "Basic education")),
    ]


@hookimpl
def stagebank_training_kinds():
    return [
        TrainingKindSpec(
            "SLO", Name("Specifieke lerarenopleiding", "Specific teacher training"), (LEVEL,)
        )
    ]


@hookimpl
def stagebank_level_fields(level_code, target):
    if level_code != LEVEL:
        return []
    return [
        LevelField(
            "moment",
            Name("Lesmoment", "Class time"),
            choices=(
                Choice("day", Name("Overdag", "Daytime")),
                Choice("evening", Name("'s Avonds", "Evening")),
            ),
            required=True,
        )
    ]


@hookimpl
def stagebank_report_sections(session, start, end):
    from core.offers.models import Offer, OfferStatus

    published = session.scalar(
        select(func.count(Offer.id)).where(
            Offer.level_code == LEVEL, Offer.status == OfferStatus.PUBLISHED
        )
    )
    return [
        ReportSection(
            "adult_offers",
            Name("Volwassenenonderwijs", "Adult education"),
            ("gepubliceerd aanbod",),
            rows=((published,),),
        )
    ]
