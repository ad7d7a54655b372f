"""Generated input for the write operations: a bulk-upload CSV, the lists a Sint-Goriks
server serves, and a legacy ``stageaanvraag`` export. Pure functions: every id, number
and address is derived from a ``tag`` (unique per run) and a position, so each run adds
new students and records and every row is valid."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

LEVEL = "secondary"
SUBJECT = "WIS"
#: Level fields of a secondary request (as in the upload template and the API).
ATTRIBUTES = {"graad": "2", "finaliteit": "doorstroom", "onderwijsvorm": "ASO"}
BULK_COLUMNS = (
    "studentennummer",
    "voornaam",
    "familienaam",
    "e-mail",
    "instellingsnummer",
    "niveau",
    "vak",
    "begindatum",
    "einddatum",
    "soort",
    "uren",
    *ATTRIBUTES,
)
#: (region, postcode) of the schools the legacy export brings, one per region.
REGION_POSTCODES = (
    ("antwerpen", "2000"),
    ("vlaams-brabant", "3000"),
    ("west-vlaanderen", "8000"),
    ("oost-vlaanderen", "9000"),
    ("limburg", "3500"),
    ("brussel", "1000"),
)
BRUSSELS_POSTCODES = ("1000", "1020", "1030", "1040", "1050", "1060", "1070", "1080", "1090")
#: Shares of the Sint-Goriks lists in its records: few schools, more offers, most requests.
SCHOOL_SHARE, OFFER_SHARE = 0.02, 0.18
STUDENT_DOMAIN = "student.example.org"


def bulk_rows(
    tag: str, count: int, school_numbers: list[str], first_day: date
) -> list[dict[str, str]]:
    """``count`` upload rows, each for a new student, spread over the given schools."""
    end = first_day + timedelta(days=27)
    return [
        {
            "studentennummer": f"{tag}-{n:05d}",
            "voornaam": "Bench",
            "familienaam": f"Student {n}",
            "e-mail": f"{tag}.{n}@{STUDENT_DOMAIN}",
            "instellingsnummer": school_numbers[n % len(school_numbers)],
            "niveau": LEVEL,
            "vak": SUBJECT,
            "begindatum": first_day.strftime("%d/%m/%Y"),
            "einddatum": end.isoformat(),
            "soort": "onderwijs",
            "uren": "40",
            **ATTRIBUTES,
        }
        for n in range(count)
    ]


def csv_bytes(columns, rows: list[dict[str, str]], delimiter: str = ";") -> bytes:
    """A CSV file as Excel in Flanders writes it: ``;`` and a UTF-8 BOM."""
    text = io.StringIO()
    writer = csv.DictWriter(text, columns, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")


def sintgorik_lists(tag: str, records: int, school_year: str, moment: str) -> dict[str, list]:
    """The three lists of the exchange format (version 1), ``records`` items in all:
    schools, their offers, and requests for those offers (a quarter accepted, some
    declined, the rest waiting), each from one of ten programmes with a student of its own."""
    schools = max(1, round(records * SCHOOL_SHARE))
    offers = max(1, round(records * OFFER_SHARE))
    requests = records - schools - offers
    first_year = int(school_year[:4])
    period = {"start": f"{first_year + 1}-02-01", "end": f"{first_year + 1}-02-28"}
    return {
        "schools": [
            {
                "id": f"{tag}-S{n}",
                "name": f"Sint-Goriks {tag} school {n}",
                "network": "KOV",
                "street": f"Kerkstraat {n + 1}",
                "postcode": BRUSSELS_POSTCODES[n % len(BRUSSELS_POSTCODES)],
                "levels": [LEVEL],
                "updated_at": moment,
            }
            for n in range(schools)
        ],
        "offers": [
            {
                "id": f"{tag}-O{n}",
                "school_id": f"{tag}-S{n % schools}",
                "school_year": school_year,
                "level": LEVEL,
                "subject": SUBJECT,
                "places": 10,
                "attributes": ATTRIBUTES,
                "semester": "2",
                "updated_at": moment,
            }
            for n in range(offers)
        ],
        "requests": [
            {
                "id": f"{tag}-R{n}",
                "school_id": f"{tag}-S{(n % offers) % schools}",
                "offer_id": f"{tag}-O{n % offers}",
                "programme": {"id": f"{tag}-P{n % 10}", "name": f"Opleiding {tag} {n % 10}"},
                "student": {
                    "id": f"{tag}-ST{n}",
                    "first_name": "Bench",
                    "last_name": f"Student {n}",
                    "email": f"{tag}.sg{n}@{STUDENT_DOMAIN}",
                    "student_number": f"{tag}-{n}",
                },
                "level": LEVEL,
                "subject": SUBJECT,
                "attributes": ATTRIBUTES,
                "period": period,
                "kind": "teaching",
                "hours": 40,
                "status": "accepted" if n % 4 == 0 else "declined" if n % 7 == 0 else "submitted",
                "updated_at": moment,
            }
            for n in range(requests)
        ],
    }


def stageaanvraag_csv(tag: str, rows: int, first_day: date) -> bytes:
    """A legacy ``stageaanvraag`` export of ``rows`` requests: ten programmes, a school per
    fifty rows in every region, a student per row, most completed, some declined."""
    statuses = ("afgerond", "afgerond", "afgerond", "geweigerd", "aanvaard")
    lines = []
    for n in range(rows):
        school = n // 50
        region, postcode = REGION_POSTCODES[school % len(REGION_POSTCODES)]
        lines.append(
            {
                "AanvraagID": f"{tag}-A{n}",
                "OpleidingID": f"{tag}-LP{n % 10}",
                "Opleiding": f"Opleiding {tag} {n % 10}",
                "Hogeschool": "Hogeschool Bench",
                "StudentID": f"{tag}-LS{n}",
                "Studentennummer": f"{tag}-L{n}",
                "Voornaam": "Bench",
                "Familienaam": f"Student {n}",
                "Email": f"{tag}.l{n}@{STUDENT_DOMAIN}",
                "SchoolID": f"{tag}-LSCH{school}",
                "Schoolnaam": f"School {tag} {school}",
                "Net": "GO",
                "Regio": region,
                "Straat": f"Schoolstraat {school + 1}",
                "Postcode": postcode,
                "Niveau": "secundair",
                "Vak": SUBJECT,
                "Graad": ATTRIBUTES["graad"],
                "Finaliteit": ATTRIBUTES["finaliteit"],
                "Onderwijsvorm": ATTRIBUTES["onderwijsvorm"],
                "Van": first_day.isoformat(),
                "Tot": (first_day + timedelta(days=27)).isoformat(),
                "Soort": "onderwijs",
                "Uren": "40",
                "Status": statuses[n % len(statuses)],
                "Reden": "Geen mentor vrij" if statuses[n % len(statuses)] == "geweigerd" else "",
            }
        )
    return csv_bytes(list(lines[0]), lines)
