"""The structure of Flemish primary education (basisonderwijs) and its learning areas."""

from __future__ import annotations

from core.plugins.types import LevelField, LevelSpec, Name
from plugins.common import choices, subjects_by_group, training_kinds, yes_no_field

LEVEL_CODE = "primary"

LEVEL = LevelSpec(LEVEL_CODE, Name("Basisonderwijs", "Primary education"), position=10)

# Kleuteronderwijs (K*) and lager onderwijs (L*); the codes are stored, never change them.
KLASSEN = choices(
    (
        ("K0", "Instapklas", "Entry class (from 2.5 years)"),
        ("K1", "1ste kleuterklas", "1st pre-school year"),
        ("K2", "2de kleuterklas", "2nd pre-school year"),
        ("K3", "3de kleuterklas", "3rd pre-school year"),
        ("L1", "1ste leerjaar", "1st primary year"),
        ("L2", "2de leerjaar", "2nd primary year"),
        ("L3", "3de leerjaar", "3rd primary year"),
        ("L4", "4de leerjaar", "4th primary year"),
        ("L5", "5de leerjaar", "5th primary year"),
        ("L6", "6de leerjaar", "6th primary year"),
    )
)

FIELDS = (
    LevelField("klas", Name("Klas", "Class"), choices=KLASSEN, required=True),
    yes_no_field("buitengewoon", Name("Buitengewoon basisonderwijs", "Special education")),
)

# Learning areas (leergebieden) and cross-curricular themes, plus a general class
# internship in which the student teaches every subject of one class.
SUBJECTS = subjects_by_group(
    {
        "kleuter": (
            (
                "KLEUTER",
                "Kleuteronderwijs (alle ontwikkelingsdomeinen)",
                "Pre-school education (all areas of development)",
            ),
        ),
        "leergebied": (
            ("NED", "Nederlands", "Dutch"),
            ("FRA", "Frans", "French"),
            ("WIS", "Wiskunde", "Mathematics"),
            ("WO", "Wereldoriëntatie", "World orientation (science, technology, society)"),
            ("MUVO", "Muzische vorming", "Arts education"),
            ("LO", "Lichamelijke opvoeding", "Physical education"),
        ),
        "transversaal": (
            ("ICT", "Mediawijsheid en ICT", "Media literacy and ICT"),
            ("LEREN", "Leren leren", "Learning to learn"),
            ("SOC", "Sociale vaardigheden", "Social skills"),
        ),
        "algemeen": (("ALG", "Klasstage (alle vakken)", "Class internship (all subjects)"),),
    }
)

TRAINING_KINDS = training_kinds(
    LEVEL_CODE,
    (
        (
            "BA_KO",
            "Educatieve bachelor kleuteronderwijs",
            "Bachelor of Education: pre-school",
        ),
        ("BA_LO", "Educatieve bachelor lager onderwijs", "Bachelor of Education: primary"),
    ),
)
