"""The official list of institutions (*instellingen*) imported from a CSV export.

Columns (a header line names them; order, case and extra columns do not matter; comma or
semicolon; UTF-8, with or without byte-order mark):

* ``instellingsnummer``: 6 digits, the key: a re-import updates, never duplicates;
* ``naam``: the official name;
* ``net``: the network umbrella, as its code (``GO``, ``OVSG``, ``POV``, ``KOV``, ``OKO``,
  ``VOOP``, ``IPCO``, ``FOPEM``; ``GO!`` too) or its full name; may be empty;
* ``postcode``: 4 digits in Flanders or Brussels, which gives the province;
* ``niveau``: ``secundair`` or ``basis`` (or a level code such as ``secondary``, or the
  level's name); may be empty.

A school not yet on the platform is added with status ``registry``: it counts as known
(for adoption) and is claimed when it signs up with the same number. For every school in
the list the official name, network and level are taken over; the address only while it
has not signed up (then it gave its own). The whole file is checked first; one wrong line
refuses the whole import.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.catalogue.models import EducationLevel
from core.institutions.models import Campus, Institution, InstitutionKind, RegistrationStatus
from core.reference.models import Network, Postcode

COLUMNS = ("instellingsnummer", "naam", "net", "postcode", "niveau")
LEVEL_ALIASES = {
    "secundair": "secondary",
    "secundair onderwijs": "secondary",
    "so": "secondary",
    "basis": "primary",
    "basisonderwijs": "primary",
    "bao": "primary",
    "lager onderwijs": "primary",
    "kleuteronderwijs": "primary",
}


class RegistryRefused(Exception):
    """The file cannot be imported; the message is one sentence for the operator."""


@dataclass(frozen=True)
class RegistryRow:
    number: str
    name: str
    network_code: str | None
    postcode: Postcode
    level_code: str | None


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _lines(content: bytes) -> list[dict[str, str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RegistryRefused("The file is not UTF-8 text.") from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = {(name or "").strip().lower() for name in reader.fieldnames or ()}
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise RegistryRefused(f"The header lacks the column(s) {', '.join(missing)}.")
    return [
        {(key or "").strip().lower(): (value or "").strip() for key, value in line.items()}
        for line in reader
    ]


def read_registry(session: Session, content: bytes) -> list[RegistryRow]:
    """Check every line of the CSV ``content``; raise :class:`RegistryRefused` naming the
    first wrong line (and how many more there are)."""
    networks = {}
    for code, name in session.execute(select(Network.code, Network.name)):
        networks[code.lower()] = networks[name.lower()] = code
    networks["go!"] = networks.get("go", "GO")
    levels = {}
    for code, name in session.execute(select(EducationLevel.code, EducationLevel.name_nl)):
        levels[code.lower()] = levels[name.lower()] = code
    levels.update({alias: code for alias, code in LEVEL_ALIASES.items() if code in levels.values()})
    postcodes = {}
    for postcode in session.scalars(select(Postcode).order_by(Postcode.municipality_refnis)):
        postcodes.setdefault(postcode.postcode, postcode)

    rows, problems, seen = [], [], set()
    for number, line in enumerate(_lines(content), start=2):
        problem = None
        key, name = line["instellingsnummer"], line["naam"]
        network, level = line["net"].lower(), line["niveau"].lower()
        if not re.fullmatch(r"\d{6}", key):
            problem = f"instellingsnummer {key!r} is not 6 digits"
        elif key in seen:
            problem = f"instellingsnummer {key} appears twice"
        elif not name:
            problem = "the name is empty"
        elif line["postcode"] not in postcodes:
            problem = f"postcode {line['postcode']!r} is not in Flanders or Brussels"
        elif network and network not in networks:
            problem = f"net {line['net']!r} is not a known network umbrella"
        elif level and level not in levels:
            problem = f"niveau {line['niveau']!r} is not a known level"
        if problem:
            problems.append(f"line {number}: {problem}")
            continue
        seen.add(key)
        rows.append(
            RegistryRow(
                key,
                name[:200],
                networks.get(network) if network else None,
                postcodes[line["postcode"]],
                levels.get(level) if level else None,
            )
        )
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise RegistryRefused(
            f"{problems[0][0].upper()}{problems[0][1:]}{more}; nothing was imported."
        )
    return rows


def import_registry(session: Session, rows: list[RegistryRow]) -> ImportResult:
    """Add the schools of ``rows`` that are new, update the known ones; never commits."""
    existing = {
        institution.institution_number: institution
        for institution in session.scalars(
            select(Institution).where(
                Institution.institution_number.in_([row.number for row in rows])
            )
        )
    }
    programmes = [n for n, i in existing.items() if i.kind != InstitutionKind.SCHOOL]
    if programmes:
        raise RegistryRefused(
            f"Instellingsnummer {programmes[0]} belongs to a teacher-training programme; "
            "nothing was imported."
        )
    levels = {level.code: level for level in session.scalars(select(EducationLevel))}
    created = updated = 0
    for row in rows:
        institution = existing.get(row.number)
        if institution is None:
            session.add(_new_school(row, levels))
            created += 1
        elif _update_school(institution, row, levels):
            updated += 1
    session.flush()
    return ImportResult(created, updated, len(rows) - created - updated)


def _new_school(row: RegistryRow, levels: dict) -> Institution:
    school = Institution(
        kind=InstitutionKind.SCHOOL,
        name=row.name,
        institution_number=row.number,
        network_code=row.network_code,
        region_code=row.postcode.municipality.region_code,
        status=RegistrationStatus.REGISTRY,
    )
    school.campuses.append(_campus(row))
    if row.level_code:
        school.levels.append(levels[row.level_code])
    return school


def _campus(row: RegistryRow) -> Campus:
    return Campus(
        name=row.name,
        street="",
        postcode=row.postcode.postcode,
        municipality_refnis=row.postcode.municipality_refnis,
        is_main=True,
    )


def _update_school(school: Institution, row: RegistryRow, levels: dict) -> bool:
    """Take over the official facts; True when something changed."""
    changed = False
    if school.name != row.name:
        school.name, changed = row.name, True
    if row.network_code and school.network_code != row.network_code:
        school.network_code, changed = row.network_code, True
    if row.level_code and row.level_code not in {level.code for level in school.levels}:
        school.levels.append(levels[row.level_code])
        changed = True
    if school.status == RegistrationStatus.REGISTRY:  # the address is still the list's
        main = school.main_campus
        if main is None:
            school.campuses.append(_campus(row))
            changed = True
        elif main.postcode != row.postcode.postcode:
            main.postcode = row.postcode.postcode
            main.municipality_refnis = row.postcode.municipality_refnis
            changed = True
        if school.region_code != row.postcode.municipality.region_code:
            school.region_code, changed = row.postcode.municipality.region_code, True
    return changed
