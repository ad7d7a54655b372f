"""What makes the demo look like Flanders: shares, weights and realistic attribute values.

Weights are relative (they need not add up to 100). The numbers are orders of magnitude
from the public statistics of the Flemish Department of Education, rounded.
"""

from __future__ import annotations

import random
from typing import Any

from core.catalogue.models import Subject
from core.placements.models import InternshipKind, RequestStatus

SECONDARY = "secondary"
PRIMARY = "primary"


def weighted(rng: random.Random, weights: dict):
    """One key of ``weights``, drawn with the given relative weights (zero: never)."""
    keys = [key for key, weight in weights.items() if weight > 0]
    return rng.choices(keys, [weights[key] for key in keys])[0]


# fmt: off
REGION_WEIGHTS = {
    "antwerpen": 28, "oost-vlaanderen": 24, "west-vlaanderen": 19, "vlaams-brabant": 16,
    "limburg": 13, "brussel": 5,
}

# Share of schools per network umbrella: the Catholic umbrella is by far the largest.
NETWORK_WEIGHTS = {
    SECONDARY: {"KOV": 62, "GO": 22, "OVSG": 7, "POV": 6, "OKO": 1.2, "VOOP": 0.6, "IPCO": 0.6,
                "FOPEM": 0.3},
    PRIMARY: {"KOV": 58, "GO": 18, "OVSG": 17, "POV": 0.6, "OKO": 2, "VOOP": 1, "IPCO": 0.8,
              "FOPEM": 1.5},
}
# The small umbrellas mostly run primary schools.
NETWORK_PREFERRED_LEVEL = {
    "GO": SECONDARY, "KOV": SECONDARY, "OVSG": PRIMARY, "POV": SECONDARY, "OKO": PRIMARY,
    "VOOP": PRIMARY, "IPCO": PRIMARY, "FOPEM": PRIMARY,
}
STATUS_WEIGHTS = {
    SECONDARY: {"approved": 80, "registry": 17, "pending": 3},
    PRIMARY: {"approved": 68, "registry": 29, "pending": 3},
}

# Which levensbeschouwelijke vakken a network umbrella's schools teach. Official schools
# (GO!, OVSG, POV) must offer all of them; free schools offer their own.
OFFICIAL_NETWORKS = ("GO", "OVSG", "POV")
PHILOSOPHY_BY_NETWORK = {"KOV": ("RKG",), "VOOP": ("PROT",), "IPCO": ("ISL",)}
PHILOSOPHY_WEIGHTS = {"RKG": 34, "NCZ": 26, "ISL": 24, "PROT": 8, "ORTH": 4, "ANG": 2, "ISR": 2}
PHILOSOPHY = "philosophy"  # pseudo group of the subjects of the philosophy plugin

# Subject groups (``Subject.group``) per school profile, as weights.
PROFILE_GROUPS = {
    "general": {"talen": 30, "stem": 25, "mens_maatschappij": 12, "economie": 8, "kunst": 5,
                "sport": 8, "technisch_praktisch": 2, PHILOSOPHY: 7},
    "technical": {"talen": 8, "stem": 12, "mens_maatschappij": 5, "economie": 12, "kunst": 2,
                  "sport": 5, "technisch_praktisch": 50, PHILOSOPHY: 5},
    "arts": {"kunst": 45, "talen": 15, "stem": 10, "mens_maatschappij": 8, "sport": 4,
             PHILOSOPHY: 5},
    "broad": {"talen": 20, "stem": 18, "mens_maatschappij": 10, "economie": 12, "kunst": 6,
              "sport": 7, "technisch_praktisch": 20, PHILOSOPHY: 6},
    "special": {"technisch_praktisch": 35, "talen": 15, "stem": 10, "mens_maatschappij": 12,
                "sport": 10, "kunst": 8, PHILOSOPHY: 3},
    "primary": {"leergebied": 45, "algemeen": 22, "kleuter": 22, "transversaal": 5,
                PHILOSOPHY: 6},
    "kleuter": {"kleuter": 1},  # a kindergarten: no godsdienst or zedenleer before age 6
}
# Subjects a kind of school does not teach.
EXCLUDED_SUBJECTS = {
    "technical": ("LAT", "GRI", "KUNSTG"),
    "special": ("LAT", "GRI", "KUNSTG", "GEDR", "SPA", "ITA", "DUI"),
}

# Subject groups a training kind prepares for (students' teaching subjects).
KIND_GROUPS = {
    "BA_SO": ("talen", "stem", "mens_maatschappij", "economie", "kunst", "sport"),
    "GRAD_SO": ("technisch_praktisch",),
    "MA_EDU": ("talen", "stem", "mens_maatschappij", "economie"),
    "MA_EDU_KUNST": ("kunst",),
    "BA_LO": ("leergebied", "algemeen"),
    "BA_KO": ("kleuter",),
}
KIND_SUBJECT_COUNT = {"BA_SO": 2}  # two onderwijsvakken
KIND_STUDENT_WEIGHT = {"BA_SO": 1.3, "BA_LO": 1.4, "BA_KO": 1.1, "GRAD_SO": 0.8}

# Secondary education: studiedomein per subject group or subject, onderwijsvorm per kind
# of school, finaliteit per onderwijsvorm (the matrix of the modernised secondary school).
DOMAIN_BY_GROUP = {
    "talen": "taal_cultuur", "stem": "stem", "economie": "economie_organisatie",
    "kunst": "kunst_creatie", "sport": "sport", "mens_maatschappij": "maatschappij_welzijn",
}
DOMAIN_BY_SUBJECT = {
    "LAND": "land_tuinbouw", "TUIN": "land_tuinbouw", "DIER": "land_tuinbouw",
    "VOED": "voeding_horeca", "HORE": "voeding_horeca", "BAKK": "voeding_horeca",
    "ZORG": "maatschappij_welzijn", "HAAR": "maatschappij_welzijn",
    "SCHOON": "maatschappij_welzijn", "MODE": "kunst_creatie", "GRAF": "kunst_creatie",
    "GES": "taal_cultuur", "AAR": "taal_cultuur", "KANT": "economie_organisatie",
    "HAND": "economie_organisatie", "LOG": "economie_organisatie",
}
ONDERWIJSVORM_BY_PROFILE = {
    "general": {"ASO": 70, "TSO": 20, "KSO": 5, "BSO": 5},
    "technical": {"ASO": 5, "TSO": 50, "BSO": 45},
    "arts": {"KSO": 60, "ASO": 20, "TSO": 20},
    "broad": {"ASO": 40, "TSO": 35, "BSO": 25},
    "special": {"TSO": 30, "BSO": 70},
}
FINALITEIT_BY_ONDERWIJSVORM = {
    "ASO": {"doorstroom": 1},
    "TSO": {"doorstroom": 35, "dubbel": 65},
    "KSO": {"doorstroom": 50, "dubbel": 50},
    "BSO": {"arbeidsmarkt": 1},
}

REQUEST_STATUS_WEIGHTS = {
    RequestStatus.DRAFT: 6, RequestStatus.SUBMITTED: 17, RequestStatus.ACCEPTED: 30,
    RequestStatus.DECLINED: 11, RequestStatus.EXPIRED: 4, RequestStatus.WITHDRAWN: 5,
    RequestStatus.CANCELLED: 4, RequestStatus.COMPLETED: 23,
}
KIND_WEIGHTS = {
    InternshipKind.OBSERVATION: 25, InternshipKind.TEACHING: 55, InternshipKind.LONG_TERM: 20,
}
# fmt: on


def secondary_attributes(rng: random.Random, subject: Subject, profile: str) -> dict[str, Any]:
    """Realistic values for a secondary offer: the matrix of graad, onderwijsvorm and
    finaliteit, a studiedomein that fits the subject, and BuSO forms at special schools."""

    def pick(weights):
        return weighted(rng, weights)

    practical = subject.group == "technisch_praktisch"
    graad = pick(
        {"1": 15, "2": 38, "3": 40, "senso": 7}
        if practical
        else {"1": 32, "2": 33, "3": 33, "senso": 2}
    )
    attributes: dict[str, Any] = {"graad": graad}
    if profile == "special" and graad == "senso":
        attributes["graad"] = graad = "3"
    if graad == "1":
        attributes["leerjaar"] = pick({"1A": 40, "2A": 40, "1B": 10, "2B": 10})
    else:
        if practical:
            vorm = pick({"TSO": 45, "BSO": 55})
        elif subject.group == "kunst":
            vorm = pick({"KSO": 60, "ASO": 20, "TSO": 20})
        elif subject.code in ("LAT", "GRI"):
            vorm = "ASO"
        else:
            vorm = pick(ONDERWIJSVORM_BY_PROFILE.get(profile, ONDERWIJSVORM_BY_PROFILE["broad"]))
        attributes["onderwijsvorm"] = vorm
        if graad != "senso":
            attributes["finaliteit"] = pick(FINALITEIT_BY_ONDERWIJSVORM[vorm])
        if rng.random() < 0.7:
            domain = DOMAIN_BY_SUBJECT.get(subject.code) or DOMAIN_BY_GROUP.get(subject.group)
            if domain:
                attributes["studiedomein"] = domain
    if profile == "special":
        attributes["buitengewoon"] = "yes"
        form = pick({"OV3": 50, "OV4": 40, "OV2": 10})
        attributes["opleidingsvorm"] = form
        if form != "OV4":
            attributes.pop("onderwijsvorm", None)
            attributes.pop("finaliteit", None)
    return attributes


def primary_attributes(rng: random.Random, subject: Subject, profile: str) -> dict[str, Any]:
    """A class that fits the subject: a kleuterklas for kindergarten, else a leerjaar."""
    if subject.group == "kleuter":
        klas = weighted(rng, {"K0": 10, "K1": 30, "K2": 30, "K3": 30})
    else:
        klas = rng.choice(["L1", "L2", "L3", "L4", "L5", "L6"])
    attributes: dict[str, Any] = {"klas": klas}
    if profile == "special":
        attributes["buitengewoon"] = "yes"
    return attributes
