"""Mirror plugin catalogues into tables and answer "what is available where"."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.catalogue.models import EducationLevel, Subject, TrainingKind
from core.plugins.manager import Plugins
from core.plugins.regions import enablement


def sync_catalogue(session: Session, plugins: Plugins) -> None:
    """Upsert levels, subjects and training kinds from the plugins.

    Rows that no plugin contributes any more are marked inactive, never deleted, so old
    offers and requests keep their foreign keys and their history.
    """
    level_codes = _mirror(
        session,
        EducationLevel,
        ("code",),
        (
            ((spec.code,), {"plugin": plugin, **_names(spec), "position": spec.position})
            for plugin, specs in plugins.results_by_plugin("stagebank_education_levels")
            for spec in specs
        ),
    )
    _mirror(
        session,
        Subject,
        ("level_code", "code"),
        (
            ((level_code, spec.code), {"plugin": plugin, **_names(spec), "group": spec.group})
            for (level_code,) in sorted(level_codes)
            for plugin, specs in plugins.results_by_plugin(
                "stagebank_subjects", level_code=level_code
            )
            for spec in specs
        ),
    )
    _mirror(
        session,
        TrainingKind,
        ("code",),
        (
            (
                (spec.code,),
                {"plugin": plugin, **_names(spec), "level_codes": ",".join(spec.level_codes)},
            )
            for plugin, specs in plugins.results_by_plugin("stagebank_training_kinds")
            for spec in specs
        ),
    )


def _names(spec) -> dict[str, str]:
    return {"name_nl": spec.name.nl, "name_en": spec.name.en}


def _mirror(session: Session, model, key_columns: tuple[str, ...], contributions) -> set[tuple]:
    """Make ``model``'s active rows exactly the contributed ones; return their keys."""
    rows = {
        tuple(getattr(row, column) for column in key_columns): row
        for row in session.scalars(select(model))
    }
    seen = set()
    for key, values in contributions:
        row = rows.get(key)
        if row is None:
            row = rows[key] = model(**dict(zip(key_columns, key, strict=True)))
            session.add(row)
        for column, value in values.items():
            setattr(row, column, value)
        row.active = True
        seen.add(key)
    for key, row in rows.items():
        if key not in seen:
            row.active = False
    session.flush()
    return seen


def levels_in_region(session: Session, plugins: Plugins, region_code: str) -> list[EducationLevel]:
    """Active levels whose plugin is enabled in ``region_code``, in display order."""
    return RegionCatalogue(session, plugins).levels_in(region_code)


class RegionCatalogue:
    """The active levels and every plugin's regions, read once to check many records."""

    def __init__(self, session: Session, plugins: Plugins):
        self.enabled = enablement(session, plugins)
        self.levels = list(
            session.scalars(
                select(EducationLevel)
                .where(EducationLevel.active)
                .order_by(EducationLevel.position)
            )
        )

    def levels_in(self, region_code: str | None) -> list[EducationLevel]:
        """The active levels whose plugin is enabled in ``region_code``, in display order."""
        return [level for level in self.levels if region_code in self.enabled.get(level.plugin, ())]

    def level_codes_in(self, region_code: str | None) -> set[str]:
        """Codes of :meth:`levels_in`."""
        return {level.code for level in self.levels_in(region_code)}


def schools_teaching(session: Session, plugins: Plugins, subject) -> set[int] | None:
    """Schools that teach ``subject`` according to the plugins; None when none has a say."""
    answers = [
        set(found)
        for _, found in plugins.results_by_plugin(
            "stagebank_schools_teaching", session=session, subject=subject
        )
    ]
    return set.intersection(*answers) if answers else None
