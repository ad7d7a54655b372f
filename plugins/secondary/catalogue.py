"""The structure of Flemish secondary education and its subject catalogue (onderwijsvakken).

Values stored in offers and requests (graad, leerjaar, ... codes and subject codes) are
stable: change a label freely, never a code.
"""

from __future__ import annotations

from core.plugins.types import LevelField, LevelSpec, Name
from plugins.common import choices, subjects_by_group, training_kinds, yes_no_field

LEVEL_CODE = "secondary"

LEVEL = LevelSpec(LEVEL_CODE, Name("Secundair onderwijs", "Secondary education"), position=20)

# ----------------------------------------------------------------- structure

FIRST_GRAAD = "1"
SENSO = "senso"

GRADEN = choices(
    (
        (FIRST_GRAAD, "1ste graad", "1st stage (years 1-2)"),
        ("2", "2de graad", "2nd stage (years 3-4)"),
        ("3", "3de graad", "3rd stage (years 5-6)"),
        (SENSO, "Se-n-Se", "Se-n-Se (secondary after secondary)"),
    )
)

# The 1st graad has an A stream and a B stream (for pupils without a primary certificate).
LEERJAREN = choices(
    (
        ("1A", "1A", "Year 1, A stream"),
        ("1B", "1B", "Year 1, B stream"),
        ("2A", "2A", "Year 2, A stream"),
        ("2B", "2B", "Year 2, B stream"),
    )
)

DOORSTROOM = "doorstroom"
DUBBEL = "dubbel"
ARBEIDSMARKT = "arbeidsmarkt"

FINALITEITEN = choices(
    (
        (DOORSTROOM, "doorstroom", "transition to higher education"),
        (DUBBEL, "dubbele finaliteit", "dual (higher education or labour market)"),
        (ARBEIDSMARKT, "arbeidsmarkt", "labour market"),
    )
)

ONDERWIJSVORMEN = choices(
    (
        ("ASO", "ASO", "ASO (general)"),
        ("TSO", "TSO", "TSO (technical)"),
        ("KSO", "KSO", "KSO (arts)"),
        ("BSO", "BSO", "BSO (vocational)"),
    )
)

STUDIEDOMEINEN = choices(
    (
        ("taal_cultuur", "Taal en cultuur", "Language and culture"),
        ("stem", "STEM", "STEM"),
        ("kunst_creatie", "Kunst en creatie", "Arts and creation"),
        ("land_tuinbouw", "Land- en tuinbouw", "Agriculture and horticulture"),
        ("economie_organisatie", "Economie en organisatie", "Economics and organisation"),
        ("maatschappij_welzijn", "Maatschappij en welzijn", "Society and well-being"),
        ("sport", "Sport", "Sport"),
        ("voeding_horeca", "Voeding en horeca", "Food and hospitality"),
    )
)

# Opleidingsvormen of buitengewoon secundair onderwijs (BuSO).
OV4 = "OV4"

OPLEIDINGSVORMEN = choices(
    (
        ("OV1", "OV1 – sociale vorming", "OV1 – social training (sheltered living)"),
        ("OV2", "OV2 – beschermd werken", "OV2 – training for sheltered work"),
        ("OV3", "OV3 – arbeidsmarktgericht", "OV3 – training for the open labour market"),
        (OV4, "OV4 – gewoon leerprogramma", "OV4 – regular curriculum"),
    )
)

# ------------------------------------------------------------------- fields

FIELDS = (
    LevelField("graad", Name("Graad", "Stage"), choices=GRADEN, required=True),
    LevelField(
        "leerjaar",
        Name("Leerjaar", "Year"),
        choices=LEERJAREN,
        help=Name("Alleen in de 1ste graad.", "In the 1st stage only."),
    ),
    LevelField(
        "finaliteit",
        Name("Finaliteit", "Track"),
        choices=FINALITEITEN,
        help=Name("Vanaf de 2de graad.", "From the 2nd stage on."),
    ),
    LevelField(
        "onderwijsvorm",
        Name("Onderwijsvorm", "Type of education"),
        choices=ONDERWIJSVORMEN,
        help=Name("Vanaf de 2de graad.", "From the 2nd stage on."),
    ),
    LevelField("studiedomein", Name("Studiedomein", "Field of study"), choices=STUDIEDOMEINEN),
    yes_no_field("buitengewoon", Name("Buitengewoon secundair onderwijs", "Special education")),
    LevelField(
        "opleidingsvorm",
        Name("Opleidingsvorm", "Training form"),
        choices=OPLEIDINGSVORMEN,
        help=Name("Alleen in het buitengewoon secundair onderwijs.", "In special education only."),
    ),
)

FIELDS_BY_NAME = {field.name: field for field in FIELDS}

# ------------------------------------------------------------------ subjects

# Onderwijsvakken that secondary teacher training prepares for. Levensbeschouwelijke
# vakken come from the ``philosophy_subjects`` plugin.
SUBJECTS = subjects_by_group(
    {
        "talen": (
            ("NED", "Nederlands", "Dutch"),
            ("FRA", "Frans", "French"),
            ("ENG", "Engels", "English"),
            ("DUI", "Duits", "German"),
            ("SPA", "Spaans", "Spanish"),
            ("ITA", "Italiaans", "Italian"),
            ("LAT", "Latijn", "Latin"),
            ("GRI", "Grieks", "Greek"),
        ),
        "stem": (
            ("WIS", "Wiskunde", "Mathematics"),
            ("FYS", "Fysica", "Physics"),
            ("CHE", "Chemie", "Chemistry"),
            ("BIO", "Biologie", "Biology"),
            ("NAT", "Natuurwetenschappen", "Natural sciences"),
            ("TEC", "Techniek", "Technology"),
            ("ICT", "Informatica en ICT", "Computer science and ICT"),
        ),
        "mens_maatschappij": (
            ("GES", "Geschiedenis", "History"),
            ("AAR", "Aardrijkskunde", "Geography"),
            ("GEDR", "Gedragswetenschappen", "Behavioural sciences"),
            ("PAV", "Project algemene vakken (PAV)", "General subjects project (PAV)"),
        ),
        "economie": (
            ("ECO", "Economie", "Economics"),
            ("BEDR", "Bedrijfswetenschappen", "Business studies"),
            ("KANT", "Kantoor en administratie", "Office and administration"),
            ("HAND", "Handel en verkoop", "Retail and sales"),
            ("LOG", "Logistiek", "Logistics"),
        ),
        "kunst": (
            ("MUZ", "Muzikale opvoeding", "Music"),
            ("BEO", "Beeldende opvoeding", "Visual arts"),
            ("DRA", "Drama", "Drama"),
            ("DANS", "Dans", "Dance"),
            ("AVV", "Audiovisuele vorming", "Audiovisual arts"),
            ("KUNSTG", "Kunstgeschiedenis", "Art history"),
        ),
        "sport": (
            ("LO", "Lichamelijke opvoeding", "Physical education"),
            ("SPORT", "Sport (sportvakken)", "Sport (sport subjects)"),
        ),
        "technisch_praktisch": (
            ("ELEK", "Elektriciteit en elektronica", "Electricity and electronics"),
            ("MECH", "Mechanica", "Mechanics"),
            ("AUTO", "Autotechniek", "Automotive technology"),
            ("HOUT", "Hout", "Woodworking"),
            ("BOUW", "Bouw", "Construction"),
            ("INST", "Installatietechniek", "Building services"),
            ("GRAF", "Grafische communicatie en media", "Graphic communication and media"),
            ("PROC", "Procestechniek", "Process technology"),
            ("LAND", "Landbouw", "Agriculture"),
            ("TUIN", "Tuinbouw", "Horticulture"),
            ("DIER", "Dierenzorg", "Animal care"),
            ("VOED", "Voeding", "Food and nutrition"),
            ("HORE", "Horeca", "Hospitality"),
            ("BAKK", "Bakkerij", "Bakery"),
            ("HAAR", "Haarverzorging", "Hairdressing"),
            ("SCHOON", "Schoonheidsverzorging", "Beauty care"),
            ("MODE", "Mode", "Fashion"),
            ("ZORG", "Zorg en welzijn", "Care and welfare"),
        ),
    }
)

# ------------------------------------------------------------- training kinds

TRAINING_KINDS = training_kinds(
    LEVEL_CODE,
    (
        ("BA_SO", "Educatieve bachelor secundair onderwijs", "Bachelor of Education: secondary"),
        ("MA_EDU", "Educatieve master", "Master of Teaching"),
        ("MA_EDU_KUNST", "Educatieve master in de kunsten", "Master of Teaching in the Arts"),
        (
            "GRAD_SO",
            "Educatief graduaat secundair onderwijs",
            "Associate degree in secondary education",
        ),
    ),
)
