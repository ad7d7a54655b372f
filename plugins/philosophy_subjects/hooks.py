"""Hook implementations of the ``philosophy_subjects`` plugin."""

from __future__ import annotations

from pathlib import Path

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from core.plugins import hookimpl
from core.plugins.types import MigrationLocation
from plugins.common import subjects_by_group

# The levels whose schools teach these subjects; the plugin adds no level of its own.
LEVEL_CODES = ("primary", "secondary")

# The levensbeschouwelijke vakken that official schools must offer; free schools mostly
# offer katholieke godsdienst only. The same codes serve every level.
SUBJECTS = subjects_by_group(
    {
        "levensbeschouwing": (
            ("RKG", "Rooms-katholieke godsdienst", "Roman Catholic religion"),
            ("PROT", "Protestants-evangelische godsdienst", "Protestant-Evangelical religion"),
            ("ORTH", "Orthodoxe godsdienst", "Orthodox religion"),
            ("ANG", "Anglicaanse godsdienst", "Anglican religion"),
            ("ISR", "Israëlitische godsdienst", "Jewish religion"),
            ("ISL", "Islamitische godsdienst", "Islamic religion"),
            ("NCZ", "Niet-confessionele zedenleer", "Non-denominational ethics"),
        )
    }
)


@hookimpl
def stagebank_subjects(level_code):
    return list(SUBJECTS) if level_code in LEVEL_CODES else []


@hookimpl
def stagebank_schools_teaching(session, subject):
    if subject.plugin != "philosophy_subjects":
        return None
    from plugins.philosophy_subjects.teaching import schools_teaching

    return schools_teaching(session, subject.code)


@hookimpl
def stagebank_migration_locations():
    return [
        MigrationLocation(
            Path(__file__).resolve().parent / "migrations" / "versions", "philosophy_subjects"
        )
    ]


@hookimpl
def stagebank_blueprints():
    from plugins.philosophy_subjects.views import bp

    return [bp]


@hookimpl
def stagebank_template_fragment(slot):
    if slot == "school_offer":
        return Markup('<p><a href="{}">{}</a></p>').format(
            url_for("plugin_philosophy_subjects.declaration"),
            _l("Welke levensbeschouwelijke vakken geeft je school?"),
        )
    if slot != "home_after_intro":
        return None
    return Markup('<p class="philosophy-subjects">{}</p>').format(
        _l(
            "Een stageaanvraag kan één specifiek levensbeschouwelijk vak noemen, zoals "
            "islamitische godsdienst of niet-confessionele zedenleer."
        )
    )
