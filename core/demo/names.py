"""Fixed word lists for the demo data: Flemish names, streets, school names, organisations.

Lists, never sets: the generator draws from them with a seeded ``random.Random``, so their
order is part of what makes a demo load reproducible. Everything here is fictitious except
the names of the hogescholen and universities (and their approximate campus addresses).
"""

from __future__ import annotations

# fmt: off

# Given names of people born around 2000-2006 in Flanders and Brussels (students).
STUDENT_FIRST_NAMES = [
    "Emma", "Louise", "Marie", "Elise", "Noor", "Lotte", "Fien", "Lore", "Hanne", "Jana",
    "Amber", "Lisa", "Laura", "Nina", "Julie", "Margot", "Febe", "Ine", "Kaat", "Charlotte",
    "Ella", "Olivia", "Lien", "Sara", "Eline", "Anke", "Jolien", "Lara", "Zoë", "Ruth",
    "Yasmine", "Imane", "Salma", "Aya", "Amira", "Hira", "Elif", "Zeynep", "Lina", "Nour",
    "Anouk", "Marthe", "Roos", "Silke", "Tess", "Jitse", "Lieze", "Axelle", "Manon", "Britt",
    "Femke", "Hannelore", "Kato", "Liesl", "Merel", "Nele", "Paulien", "Saar", "Tine", "Wiebe",
    "Lucas", "Arthur", "Louis", "Noah", "Liam", "Jules", "Victor", "Vic", "Mathis", "Milan",
    "Warre", "Kobe", "Thibault", "Robbe", "Senne", "Wout", "Seppe", "Jonas", "Lars", "Stan",
    "Ruben", "Bram", "Jens", "Tibo", "Niels", "Arne", "Joren", "Brent", "Thomas", "Simon",
    "Mohamed", "Adam", "Ayoub", "Rayan", "Ilias", "Yusuf", "Mehdi", "Emre", "Bilal", "Hamza",
    "Maxim", "Ferre", "Lowie", "Jasper", "Matthias", "Pieter-Jan", "Sander", "Tuur", "Xander",
    "Dries", "Gilles", "Hannes", "Jef", "Lander", "Mats", "Nand", "Quinten", "Rik", "Toon",
]

# Given names of people born around 1965-1990 (coordinators, mentors, supervisors).
STAFF_FIRST_NAMES = [
    "Katrien", "Sofie", "Veerle", "An", "Els", "Griet", "Hilde", "Inge", "Kristel", "Marleen",
    "Nathalie", "Sarah", "Tine", "Evelien", "Ann", "Annelies", "Caroline", "Leen", "Liesbeth",
    "Nathalie", "Petra", "Karen", "Kathleen", "Sabine", "Sandra", "Ilse", "Mieke", "Kim",
    "Fatima", "Samira", "Nadia", "Ayse",
    "Bart", "Tom", "Koen", "Peter", "Kris", "Dirk", "Geert", "Johan", "Wim", "Stijn", "Pieter",
    "Jeroen", "Filip", "Steven", "Kurt", "Marc", "Luc", "Jan", "Joris", "Wouter", "Hans",
    "Sven", "Frederik", "Dieter", "Gert", "Nico", "Rudi", "Karim", "Said", "Mustafa",
]

LAST_NAMES = [
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
    "Wouters", "De Smet", "Dubois", "Hermans", "Aerts", "Michiels", "Pauwels", "Lambrechts",
    "Vermeulen", "De Clercq", "Van Damme", "Martens", "Verhoeven", "Cools", "Smets", "Dumont",
    "Stevens", "Hendrickx", "Van de Velde", "Peters", "De Backer", "Segers", "Vandenberghe",
    "Coppens", "Verstraete", "Desmet", "De Vos", "Van Hecke", "Bogaerts", "De Meyer",
    "Van den Broeck", "Thys", "Vervoort", "Lemmens", "Verbeke", "Mahieu", "Vlaeminck",
    "De Wilde", "Geerts", "Van Acker", "Wuyts", "Cornelis", "Van Dyck", "Baert", "De Cock",
    "Verschueren", "Huysmans", "Vanhove", "Laenen", "Sels", "Van Looy", "Somers", "Dewulf",
    "Vercammen", "Beckers", "Moens", "Buysse", "Verlinden", "De Pauw", "Boeckx", "Claeys",
    "Hoste", "Deprez", "Callens", "Bauwens", "Van Goethem", "Gielen", "Schepers",
    "Vandenbussche", "Lenaerts", "Nijs", "Van Gestel", "Ceulemans", "Verheyen", "De Ridder",
    "Vanderstraeten", "Meeus", "Bosmans", "Vandewalle", "Luyten", "Bellens", "Vanmechelen",
    "Van Camp", "Verhaegen", "Engelen", "Van Aken", "Raes", "Verbruggen", "Heylen", "Theunis",
    "Pieters", "Kempeneers", "Smolders", "Vrancken", "Vos", "De Roeck", "Jaspers", "Borms",
    "Baeten", "Van Hoof", "Dierckx", "Truyens", "Vanhoutte", "Wyns", "Daems", "Coenen",
    "Roels", "Verhelst", "Ghijs", "De Graeve", "Vandaele", "Maertens", "Degroote", "Debruyne",
    "Lefevere", "Vanneste", "Delanghe", "Lippens", "Van Hove", "D'Hondt", "Van Mol",
    "El Amrani", "Benali", "Yilmaz", "Aydin", "El Idrissi", "Bouzid", "Kaya", "Öztürk",
    "Nowak", "Kowalski", "Diallo", "Mbuyi", "Lukusa", "Azzouzi", "Haddouchi", "Demir",
]

STREETS = [
    "Kerkstraat", "Stationsstraat", "Schoolstraat", "Molenstraat", "Dorpsstraat", "Nieuwstraat",
    "Kapelstraat", "Beekstraat", "Markt", "Grote Markt", "Collegestraat", "Kloosterstraat",
    "Veldstraat", "Lindenlaan", "Kasteelstraat", "Hoogstraat", "Brugstraat", "Kouterstraat",
    "Processiestraat", "Gemeenteplein", "Sint-Jansplein", "Pastoor Copstraat", "Boomgaardstraat",
    "Leopoldlaan", "Koningin Astridlaan", "Albertlaan", "Parklaan", "Vaartstraat", "Bosstraat",
    "Heidestraat", "Kempenlaan", "Broekstraat", "Meersstraat", "Smisstraat", "Ververijstraat",
    "Begijnhofstraat", "Sint-Pietersnieuwstraat", "Tiensestraat", "Diestsestraat", "Zandstraat",
    "Kortrijksesteenweg", "Gentsesteenweg", "Brusselsesteenweg", "Antwerpsesteenweg",
    "Mechelsesteenweg", "Hasseltweg", "Groenstraat", "Akkerstraat", "Wijngaardstraat",
    "Populierenlaan", "Eikenlaan", "Berkenlaan", "Vredestraat", "Nachtegaalstraat",
    "Mgr. Cardijnlaan", "Guido Gezellestraat", "Hendrik Consciencestraat", "Pater Damiaanstraat",
    "Peter Benoitlaan", "Jan Frans Willemsstraat", "Lange Leemstraat", "Kruisstraat",
]

# Second and third campuses (vestigingsplaatsen) are often named after a part of town.
CAMPUS_NAMES = [
    "Campus Centrum", "Campus Noord", "Campus Zuid", "Campus Oost", "Campus West",
    "Campus De Bron", "Campus Sint-Jan", "Campus Molenberg", "Campus Kouter", "Campus Park",
    "Wijkschool", "Campus Kasteel", "Campus Heide", "Campus Stad",
]

# Theme names that primary schools in every network use.
SCHOOL_THEMES = [
    "De Regenboog", "De Vlinder", "'t Klavertje", "De Zonnebloem", "De Sleutel", "Het Kompas",
    "De Wegwijzer", "De Knipoog", "De Boomhut", "De Toverfluit", "Het Speelhof", "De Bolster",
    "De Horizon", "De Springplank", "Het Molentje", "De Kleine Wereld", "De Klimop",
    "De Zevensprong", "De Bloesem", "De Kiem", "Het Zonnetje", "De Notelaar", "De Vlieger",
    "Het Anker", "De Krekel", "De Linde", "De Puzzel", "De Tuimelaar", "Het Tovertuintje",
    "De Zeppelin", "De Boomgaard", "De Kleine Prins", "De Ark", "'t Schooltje", "De Mozaïek",
    "De Wingerd", "De Leertuin", "Het Kasteeltje", "De Sterrenkijker", "De Brug",
]

SAINTS = [
    "Sint-Jozef", "Sint-Jan", "Sint-Martinus", "Sint-Lutgardis", "Sint-Vincentius",
    "Sint-Lodewijk", "Sint-Ursula", "Sint-Victor", "Sint-Paulus", "Sint-Rita", "Sint-Michiel",
    "Sint-Amandus", "Sint-Godelieve", "Sint-Pieter", "Sint-Theresia", "Onze-Lieve-Vrouw",
    "Heilig Hart", "Sint-Franciscus", "Sint-Lambertus", "Sint-Gummarus",
]

# The same patrons, as the first part of a compound ("Sint-Jozefscollege").
SAINT_COMPOUNDS = [
    "Sint-Jozefs", "Sint-Jans", "Sint-Michiels", "Sint-Pieters", "Sint-Lodewijks",
    "Sint-Ursula-", "Sint-Victor", "Sint-Paulus", "Sint-Rita", "Sint-Vincentius",
    "Onze-Lieve-Vrouwe", "Heilig-Hart", "Sint-Amands", "Sint-Godelieve", "Sint-Gummarus",
    "Sint-Franciscus", "Sint-Theresia", "Sint-Lambertus", "Sint-Martinus", "Sint-Jan Berchmans",
]

# School name patterns per (level, network): (pattern, profile). ``{m}`` is the municipality,
# ``{t}`` a theme name, ``{s}`` a saint, ``{c}`` a saint as a compound. The profile steers
# the subjects and study tracks of the school's offers: "general" (ASO-heavy), "technical"
# (TSO/BSO), "arts" (KSO), "broad" (a bit of everything), "special" (buitengewoon
# onderwijs), "primary", "kleuter" (a kindergarten).
SCHOOL_PATTERNS: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("secondary", "KOV"): [
        ("Sint-Jozefscollege {m}", "general"),
        ("{c}college {m}", "general"),
        ("{c}instituut {m}", "broad"),
        ("Onze-Lieve-Vrouwecollege {m}", "general"),
        ("Sint-Jan Berchmanscollege {m}", "general"),
        ("Vrij Technisch Instituut {m}", "technical"),
        ("Technisch Instituut {s} {m}", "technical"),
        ("Heilig-Hartinstituut {m}", "broad"),
        ("Sint-Lucas Kunsthumaniora {m}", "arts"),
        ("Don Bosco {m}", "technical"),
        ("Maria-Middelares {m}", "broad"),
        ("Vrij Buitengewoon Secundair Onderwijs {t} {m}", "special"),
    ],
    ("secondary", "GO"): [
        ("GO! Atheneum {m}", "general"),
        ("GO! Koninklijk Atheneum {m}", "general"),
        ("GO! Technisch Atheneum {m}", "technical"),
        ("GO! Campus {m}", "broad"),
        ("GO! Lyceum {m}", "general"),
        ("GO! Middenschool {m}", "general"),
        ("GO! Kunstsecundair {m}", "arts"),
        ("GO! BuSO {t} {m}", "special"),
    ],
    ("secondary", "OVSG"): [
        ("Stedelijk Lyceum {m}", "general"),
        ("Stedelijke Humaniora {m}", "general"),
        ("Gemeentelijk Technisch Instituut {m}", "technical"),
        ("Stedelijk Instituut voor Technisch Onderwijs {m}", "technical"),
        ("Stedelijke Kunsthumaniora {m}", "arts"),
    ],
    ("secondary", "POV"): [
        ("Provinciaal Instituut voor Technisch Onderwijs {m}", "technical"),
        ("Provinciale Technische Scholen {m}", "technical"),
        ("Provinciaal Instituut {m}", "broad"),
        ("Provinciaal Tuinbouwinstituut {m}", "technical"),
    ],
    ("secondary", "OKO"): [
        ("Rudolf Steinerschool {m}", "general"),
        ("Steiner Middelbare School {m}", "general"),
    ],
    ("secondary", "VOOP"): [
        ("Protestants-Christelijke Middelbare School {m}", "general"),
    ],
    ("secondary", "IPCO"): [
        ("Avicenna College {m}", "general"),
        ("Islamitisch College Al-Noor {m}", "general"),
    ],
    ("secondary", "FOPEM"): [
        ("Freinetmiddenschool {t} {m}", "general"),
        ("Methodeschool secundair {t} {m}", "general"),
    ],
    ("primary", "KOV"): [
        ("Vrije Basisschool {t} {m}", "primary"),
        ("Vrije Basisschool {s} {m}", "primary"),
        ("{c}school {m}", "primary"),
        ("Vrije Kleuterschool {t} {m}", "kleuter"),
        ("Basisschool {s} {m}", "primary"),
        ("Vrije Buitengewone Basisschool {t} {m}", "special"),
    ],
    ("primary", "GO"): [
        ("GO! Basisschool {t} {m}", "primary"),
        ("GO! Basisschool {m}", "primary"),
        ("GO! Kleuter- en Lagere School {t} {m}", "primary"),
        ("GO! Basisschool voor Buitengewoon Onderwijs {t} {m}", "special"),
    ],
    ("primary", "OVSG"): [
        ("Gemeentelijke Basisschool {t} {m}", "primary"),
        ("Gemeentelijke Basisschool {m}", "primary"),
        ("Stedelijke Basisschool {t} {m}", "primary"),
        ("Gemeentelijke Buitengewone Basisschool {t} {m}", "special"),
    ],
    ("primary", "POV"): [
        ("Provinciale Basisschool voor Buitengewoon Onderwijs {t} {m}", "special"),
        ("Provinciale Oefenschool {m}", "primary"),
    ],
    ("primary", "OKO"): [
        ("Steinerschool {t} {m}", "primary"),
        ("Rudolf Steinerschool {m}", "primary"),
    ],
    ("primary", "VOOP"): [
        ("Protestants-Christelijke Basisschool {t} {m}", "primary"),
        ("Evangelische Basisschool {t} {m}", "primary"),
    ],
    ("primary", "IPCO"): [
        ("Islamitische Basisschool Al-Ihsaan {m}", "primary"),
        ("Islamitische Basisschool {t} {m}", "primary"),
    ],
    ("primary", "FOPEM"): [
        ("Freinetschool {t} {m}", "primary"),
        ("Methodeschool {t} {m}", "primary"),
        ("Jenaplanschool {t} {m}", "primary"),
    ],
}

# Hogescholen and universities with teacher training: (organisation, e-mail label,
# [(campus, street, postcode, [training kind codes]), ...]).
PROVIDERS = [
    ("Arteveldehogeschool", "arteveldehs", [
        ("Campus Kattenberg", "Kattenberg 9", "9000", ["BA_SO", "BA_LO", "BA_KO"]),
    ]),
    ("AP Hogeschool", "ap", [
        ("Campus Lange Nieuwstraat", "Lange Nieuwstraat 101", "2000",
         ["BA_SO", "BA_LO", "BA_KO", "GRAD_SO"]),
        ("Koninklijk Conservatorium Antwerpen", "Desguinlei 25", "2018", ["MA_EDU_KUNST"]),
    ]),
    ("Karel de Grote Hogeschool", "kdg", [
        ("Campus Groenplaats", "Nationalestraat 5", "2000",
         ["BA_SO", "BA_LO", "BA_KO", "GRAD_SO"]),
    ]),
    ("Hogeschool PXL", "pxl", [
        ("Campus Vildersstraat", "Vildersstraat 5", "3500",
         ["BA_SO", "BA_LO", "BA_KO", "GRAD_SO"]),
        ("PXL-MAD School of Arts", "Elfde-Liniestraat 25", "3500", ["MA_EDU_KUNST"]),
    ]),
    ("UCLL", "ucll", [
        ("Campus Heverlee", "Hertogstraat 178", "3001", ["BA_SO", "BA_LO", "BA_KO", "GRAD_SO"]),
        ("Campus Diepenbeek", "Agoralaan gebouw B", "3590", ["BA_SO", "BA_LO", "BA_KO"]),
    ]),
    ("VIVES", "vives", [
        ("Campus Brugge Xaverianenstraat", "Xaverianenstraat 10", "8200",
         ["BA_SO", "BA_LO", "BA_KO", "GRAD_SO"]),
        ("Campus Torhout", "Sint-Jozefstraat 1", "8820", ["BA_LO", "BA_KO"]),
        ("Campus Kortrijk", "Doorniksesteenweg 145", "8500", ["BA_SO", "BA_LO", "BA_KO"]),
    ]),
    ("Odisee", "odisee", [
        ("Campus Aalst", "Kwalestraat 154", "9320", ["BA_SO", "BA_LO", "BA_KO", "GRAD_SO"]),
        ("Campus Brussel", "Warmoesberg 26", "1000", ["BA_SO", "BA_LO", "BA_KO"]),
        ("Campus Sint-Niklaas", "Hospitaalstraat 23", "9100", ["BA_SO", "BA_LO", "BA_KO"]),
    ]),
    ("Thomas More", "thomasmore", [
        ("Campus Vorselaar", "Lepelstraat 2", "2290", ["BA_SO", "BA_LO", "BA_KO"]),
        ("Campus De Vest", "Zandpoortvest 60", "2800", ["BA_SO", "BA_LO", "BA_KO", "GRAD_SO"]),
        ("Campus Turnhout", "Campus Blairon 800", "2300", ["BA_LO", "BA_KO"]),
    ]),
    ("Erasmushogeschool Brussel", "ehb", [
        ("Campus Jette", "Laarbeeklaan 121", "1090", ["BA_SO", "BA_LO", "BA_KO", "GRAD_SO"]),
        ("Koninklijk Conservatorium Brussel", "Zuidstraat 50", "1000", ["MA_EDU_KUNST"]),
    ]),
    ("HOGENT", "hogent", [
        ("Campus Aalst", "Arbeidstraat 14", "9300", ["BA_SO", "BA_LO", "BA_KO"]),
        ("KASK & Conservatorium", "Jozef Kluyskensstraat 2", "9000", ["MA_EDU_KUNST"]),
    ]),
    ("KU Leuven", "kuleuven", [
        ("Campus Sociale Wetenschappen", "Parkstraat 45", "3000", ["MA_EDU"]),
        ("Kulak Kortrijk", "Etienne Sabbelaan 53", "8500", ["MA_EDU"]),
    ]),
    ("Universiteit Gent", "ugent", [
        ("Campus Dunant", "Henri Dunantlaan 2", "9000", ["MA_EDU"]),
    ]),
    ("Universiteit Antwerpen", "uantwerpen", [
        ("Stadscampus", "Prinsstraat 13", "2000", ["MA_EDU"]),
    ]),
    ("Vrije Universiteit Brussel", "vub", [
        ("Campus Etterbeek", "Pleinlaan 2", "1050", ["MA_EDU"]),
    ]),
    ("UHasselt", "uhasselt", [
        ("Campus Diepenbeek", "Agoralaan gebouw D", "3590", ["MA_EDU"]),
    ]),
]

# The programmes of the small demo, in this order: (organisation, campus, training kind).
# Together they cover every region and every kind of teacher training.
FEATURED_PROGRAMMES = [
    ("Arteveldehogeschool", "Campus Kattenberg", "BA_SO"),
    ("AP Hogeschool", "Campus Lange Nieuwstraat", "BA_LO"),
    ("UCLL", "Campus Heverlee", "BA_KO"),
    ("Hogeschool PXL", "Campus Vildersstraat", "GRAD_SO"),
    ("VIVES", "Campus Brugge Xaverianenstraat", "BA_SO"),
    ("Erasmushogeschool Brussel", "Campus Jette", "BA_LO"),
    ("KU Leuven", "Campus Sociale Wetenschappen", "MA_EDU"),
    ("HOGENT", "KASK & Conservatorium", "MA_EDU_KUNST"),
]

# Extra study tracks when a scale asks for more programmes than campus × kind pairs exist.
PROGRAMME_TRACKS = ["traject voor werkstudenten", "verkort traject", "afstandsonderwijs"]

MONTHS_NL = [
    "", "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
    "september", "oktober", "november", "december",
]

# Subject names that keep their capital in the middle of a sentence.
LANGUAGES = [
    "Nederlands", "Frans", "Engels", "Duits", "Spaans", "Italiaans", "Latijn", "Grieks",
]

KIND_NL = {
    "observation": "observatiestage",
    "teaching": "onderwijsstage",
    "long_term": "langlopende stage",
}

OFFER_NOTES = [
    "",
    "",
    "Graag een kennismakingsgesprek met de mentor twee weken voor de start.",
    "Lesvoorbereidingen ten laatste twee werkdagen vooraf doorsturen naar de mentor.",
    "Ook geschikt voor een observatiestage.",
    "Maximaal één stagiair per klas tegelijk.",
    "De school ligt vlak bij het station; fietsenstalling aanwezig.",
    "Stagiairs nemen deel aan het personeelsoverleg op maandag.",
    "Smartschool-account voor de stagiair wordt aangemaakt bij de start.",
    "Voorkeur voor studenten die ook het tweede onderwijsvak kunnen geven.",
    "Stagiairs welkom tijdens de projectweek; vraag naar het programma.",
    "Parkeren kan op het schoolterrein, ingang via de achterpoort.",
]

REQUEST_MESSAGES = [
    "Beste stagecoördinator, {student} zoekt een {kind} voor {subject} van {start} tot "
    "{end}. Mogen we vragen of dit bij u kan? Alvast bedankt.",
    "Goedemiddag, graag vragen we een stageplaats aan voor {student}: een {kind} voor "
    "{subject}. De stagebegeleider komt één keer langs voor een lesbezoek.",
    "Beste, {student} woont in de buurt van uw school en zou graag een {kind} doen voor "
    "{subject} in de periode {start} - {end}.",
    "Hallo, voor {student} zoeken we een {kind} voor {subject}. De stagebundel met "
    "doelstellingen vindt u in bijlage bij de bevestiging.",
]

DECLINE_REASONS = [
    "Alle stageplaatsen voor dit vak zijn in die periode al ingevuld.",
    "De mentor is in die periode afwezig.",
    "De klassen zitten in die periode in de examens.",
    "Er loopt in die periode al een stage in deze klassen.",
    "Dit vak wordt dit schooljaar niet in de gevraagde graad gegeven.",
]

CANCEL_REASONS = [
    "De student heeft de opleiding stopgezet.",
    "Langdurige afwezigheid van de mentor; we zoeken samen een andere plaats.",
    "De student doet de stage in een andere school dichter bij huis.",
    "De stage is verschoven naar het volgende semester.",
]

# Short threads between programme and school: (first message, answer).
THREAD_SUBMITTED = [
    ("Kan de student al een week vroeger komen kennismaken met de klas?",
     "Dat kan, liefst op woensdagvoormiddag. Graag een seintje aan het secretariaat."),
    ("Is er in die periode ook een vak in de 3de graad mogelijk?",
     "We bekijken het met de vakgroep en laten het u voor de antwoorddatum weten."),
    ("De student heeft ook een attest EHBO; is dat nuttig voor de sportdag?",
     "Zeker, bedankt! We nemen het mee in de planning."),
]
THREAD_ACCEPTED = [
    ("Welkom! Kan de student zich de eerste dag om 8.15 uur aanmelden op het secretariaat?",
     "Dank u, dat geven we door. De student neemt deze week contact op met de mentor."),
    ("De mentor stelt voor om de eerste week vooral te observeren. Past dat in het stageplan?",
     "Ja, dat past. De stagebegeleider komt in de tweede stageweek op lesbezoek."),
    ("Graag het stagecontract en de evaluatiefiches vooraf bezorgen.",
     "Ze zijn vandaag per mail vertrokken. Alvast bedankt voor de begeleiding!"),
]

WITHDRAW_REASONS = [
    "",
    "De student vond een stageplaats via een andere aanvraag.",
    "Aanvraag per vergissing verstuurd.",
]
# fmt: on
