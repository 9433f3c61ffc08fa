"""OpenStreetMap (.osm / .osm.pbf) to our layers, with pyosmium.

Outputs (GeoDataFrames in ``target_crs``, EPSG:4549 by default):

* ``walk_segment`` — ways a pedestrian may use, split at every node shared with
  another walkable way (or revisited by the same way), so each segment runs from
  intersection to intersection. Filter as OSMnx ``network_type="walk"``: excludes
  ``highway`` in :data:`EXCLUDED_HIGHWAYS`, ``area=yes``, ``foot=no``,
  ``access=private|no`` (unless ``foot=yes|designated``), ``service=private``.
  ``kind`` follows DATA_MODEL.md via :data:`HIGHWAY_KIND`.
* ``amenity`` — POIs mapped to the GB 50180-2018 category codes of
  ``fixtures/rulesets/gb50180_2018.json`` by :func:`amenity_category`; polygons
  become their representative point.
* ``community`` — ``landuse=residential`` areas (candidates for 小区; a planner
  confirms each before it becomes a community).
* ``basemap`` — what a planner finds the way by, drawn under the layers when no
  online tiles are configured: water areas and rivers, parks, main roads and
  building footprints (:func:`basemap_kind`); buildings keep ``building:levels``
  (``levels``), which the community candidates' household estimate reads.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from layers.io.errors import TooLarge, UnsafeFile, UnsupportedFormat
from layers.io.geometry import ImportReport, check_geometries
from layers.io.readers import NINGBO_EXTENT, _check_extent

if TYPE_CHECKING:
    import geopandas as gpd

EXCLUDED_HIGHWAYS = frozenset(
    {
        "motorway",
        "motorway_link",
        "construction",
        "proposed",
        "abandoned",
        "platform",
        "raceway",
        "bus_guideway",
        "escape",
        "cycleway",
        "bridleway",
        "elevator",
        "rest_area",
        "services",
        "planned",
    }
)

#: OSM highway → DATA_MODEL walk_segment.kind
HIGHWAY_KIND = {
    "trunk": "arterial",
    "trunk_link": "arterial",
    "primary": "arterial",
    "primary_link": "arterial",
    "secondary": "secondary",
    "secondary_link": "secondary",
    "tertiary": "secondary",
    "tertiary_link": "secondary",
    "residential": "local",
    "living_street": "local",
    "unclassified": "local",
    "road": "local",
    "service": "alley",
    "track": "alley",
    "footway": "footway",
    "pedestrian": "footway",
    "path": "footway",
    "steps": "footway",
    "corridor": "footway",
    "crossing": "footway",
}

_PRIMARY = re.compile(r"小学|小學|primary", re.I)
_MIDDLE = re.compile(r"中学|中學|初中|高中|初級中學|middle|high school", re.I)


def _school(tags) -> str | None:
    isced = tags.get("isced:level", "")
    name = tags.get("name", "") + " " + tags.get("name:en", "")
    if _PRIMARY.search(name) or isced.startswith("1"):
        return "primary_school"
    if _MIDDLE.search(name) or isced[:1] in ("2", "3"):
        return "middle_school"
    return None


def _clinic(tags) -> str:
    name = tags.get("name", "")
    if "卫生服务站" in name or "卫生室" in name:
        return "health_station"
    if "卫生服务中心" in name:
        return "health_center"
    return "clinic"


#: (key, value) → category code, or a function of the tags returning one (or None);
#: None: not a category (the other keys of the tags are still tried)
AMENITY_TABLE: dict[tuple[str, str], str | Callable[..., str | None] | None] = {
    ("amenity", "kindergarten"): "kindergarten",
    ("amenity", "childcare"): "nursery",
    ("amenity", "school"): _school,
    ("amenity", "hospital"): "health_center",
    ("amenity", "clinic"): _clinic,
    ("amenity", "doctors"): _clinic,
    ("healthcare", "centre"): "health_center",
    ("amenity", "pharmacy"): "community_shop",
    ("shop", "convenience"): "convenience_store",
    ("shop", "supermarket"): "market",
    ("shop", "greengrocer"): "market",
    ("amenity", "marketplace"): "market",
    ("amenity", "parcel_locker"): "parcel_locker",
    ("amenity", "toilets"): "public_toilet",
    ("amenity", "recycling"): "recycling_point",
    ("amenity", "waste_transfer_station"): "recycling_point",
    ("highway", "bus_stop"): "bus_stop",
    ("amenity", "bus_station"): "bus_stop",
    ("amenity", "bank"): "bank",
    ("amenity", "post_office"): "post_office",
    ("social_facility", "nursing_home"): "nursing_home",
    ("amenity", "nursing_home"): "nursing_home",
    ("social_facility", "day_care"): "elderly_daycare",
    ("leisure", "pitch"): "small_sports_ground",
    ("leisure", "sports_centre"): "medium_sports_ground",
    ("leisure", "stadium"): "large_sports_ground",
    ("leisure", "fitness_station"): "outdoor_fitness",
    ("amenity", "restaurant"): "restaurant",
    ("amenity", "fast_food"): "restaurant",
    ("amenity", "food_court"): "restaurant",
    ("amenity", "community_centre"): "community_service_station",
    ("amenity", "social_centre"): "community_service_station",
    ("amenity", "arts_centre"): "culture_center",
    ("amenity", "library"): "culture_station",
    ("shop", "mall"): "shopping_mall",
    ("shop", "department_store"): "shopping_mall",
    ("office", "government"): None,
}
_KEYS = ("social_facility", "amenity", "healthcare", "shop", "leisure", "highway")


#: highway values drawn as main roads on the basemap
MAIN_ROADS = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
    }
)
_WATER_LANDUSE = frozenset({"reservoir", "basin"})
_PARKS = {
    "leisure": frozenset({"park", "garden", "nature_reserve"}),
    "landuse": frozenset({"recreation_ground", "village_green"}),
}
_RIVERS = frozenset({"river", "canal", "stream"})


def basemap_kind(tags, *, area: bool) -> str | None:
    """Basemap kind of an OSM area (``area=True``) or way: water, river, park, road,
    building, or None."""
    if area:
        if tags.get("natural") == "water" or tags.get("waterway") == "riverbank":
            return "water"
        if tags.get("landuse") in _WATER_LANDUSE:
            return "water"
        if any(tags.get(k) in v for k, v in _PARKS.items()):
            return "park"
        if tags.get("building") not in (None, "no"):
            return "building"
        return None
    if tags.get("waterway") in _RIVERS:
        return "river"
    if tags.get("highway") in MAIN_ROADS and tags.get("area") != "yes":
        return "road"
    return None


def _levels(tags) -> int | None:
    """``building:levels`` as a whole number of storeys (1–120), else None."""
    raw = str(tags.get("building:levels") or "").strip().replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        return None
    if not (1 <= value <= 120):
        return None
    return round(value)


def amenity_category(tags) -> str | None:
    """GB 50180 category code for a tag dict (or osmium TagList), or None."""
    for key in _KEYS:
        value = tags.get(key)
        if value is None:
            continue
        rule = AMENITY_TABLE.get((key, value))
        if callable(rule):
            rule = rule(tags)
        if rule:
            return rule
    return None


def _walkable(tags) -> bool:
    hw = tags.get("highway")
    if hw is None or hw in EXCLUDED_HIGHWAYS:
        return False
    if tags.get("area") == "yes":
        return False
    foot = tags.get("foot")
    if foot == "no":
        return False
    if tags.get("access") in ("private", "no") and foot not in ("yes", "designated"):
        return False
    return tags.get("service") != "private"


@dataclass
class OsmLayers:
    walk_segment: gpd.GeoDataFrame
    amenity: gpd.GeoDataFrame
    community: gpd.GeoDataFrame
    basemap: gpd.GeoDataFrame | None = None
    report: dict[str, ImportReport] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _check_osm_file(path: Path, max_bytes: int) -> None:
    size = path.stat().st_size
    if size > max_bytes:
        msg = f"{path.name}: {size} bytes is above the limit of {max_bytes}"
        raise TooLarge(msg, code="upload_too_large")
    name = path.name.lower()
    if not (
        name.endswith(".osm") or name.endswith(".osm.pbf") or name.endswith(".pbf")
    ):
        msg = f"{path.name}: expected .osm or .osm.pbf"
        raise UnsupportedFormat(msg, code="no_dataset")
    if name.endswith(".osm"):
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                low = chunk.lower()
                if b"<!doctype" in low or b"<!entity" in low:
                    msg = f"{path.name}: XML with DOCTYPE/ENTITY is not accepted"
                    raise UnsafeFile(msg, code="xml_entity")


def read_osm(
    path: str | os.PathLike[str],
    *,
    target_crs="EPSG:4549",
    extent=None,
    max_bytes: int = 500 * 1024 * 1024,
) -> OsmLayers:
    """Read an OSM file into walk segments, amenities and community candidates.

    ``extent`` (min lon, min lat, max lon, max lat) defaults to Ningbo; features
    outside it are dropped (listed in the reports), and a file entirely outside
    raises :class:`~layers.io.errors.OutOfExtent`.
    """
    import geopandas as gpd
    import osmium
    import shapely
    from pyproj import CRS

    extent = NINGBO_EXTENT if extent is None else extent
    p = Path(path)
    _check_osm_file(p, max_bytes)
    wkb = osmium.geom.WKBFactory()

    ways: list[tuple[int, dict, list[tuple[int, float, float]]]] = []
    amen_rows: list[dict] = []
    comm_rows: list[dict] = []
    base_rows: list[dict] = []
    skipped: Counter[str] = Counter()
    try:
        fp = osmium.FileProcessor(str(p)).with_locations().with_areas()
        for obj in fp:
            if isinstance(obj, osmium.osm.Node):
                cat = amenity_category(obj.tags)
                if cat and obj.location.valid():
                    amen_rows.append(
                        _amenity_row(
                            "n",
                            obj.id,
                            obj.tags,
                            cat,
                            shapely.Point(obj.location.lon, obj.location.lat),
                        )
                    )
            elif isinstance(obj, osmium.osm.Way):
                walkable = _walkable(obj.tags)
                line_kind = basemap_kind(obj.tags, area=False)
                if walkable or line_kind:
                    try:
                        nodes = [(n.ref, n.lon, n.lat) for n in obj.nodes]
                    except osmium.InvalidLocationError:
                        skipped["way_missing_nodes"] += 1
                        continue
                    if len(nodes) < 2:
                        continue
                    if walkable:
                        ways.append((obj.id, dict(obj.tags), nodes))
                    if line_kind:
                        base_rows.append(
                            _basemap_row(
                                "w",
                                obj.id,
                                obj.tags,
                                line_kind,
                                shapely.LineString([(x, y) for _, x, y in nodes]),
                            )
                        )
            elif isinstance(obj, osmium.osm.Area):
                tags = obj.tags
                cat = amenity_category(tags)
                is_comm = tags.get("landuse") == "residential"
                area_kind = basemap_kind(tags, area=True)
                if not (cat or is_comm or area_kind):
                    continue
                try:
                    geom = shapely.from_wkb(
                        wkb.create_multipolygon(obj), on_invalid="ignore"
                    )
                except (RuntimeError, osmium.InvalidLocationError):
                    skipped["broken_area"] += 1
                    continue
                if geom is None or geom.is_empty:
                    skipped["broken_area"] += 1
                    continue
                kind = "w" if obj.from_way() else "r"
                if cat:
                    amen_rows.append(
                        _amenity_row(
                            kind,
                            obj.orig_id(),
                            tags,
                            cat,
                            shapely.point_on_surface(geom),
                        )
                    )
                if is_comm:
                    comm_rows.append(
                        {
                            "code": f"osm-{kind}{obj.orig_id()}",
                            "name": tags.get("name") or "",
                            "source": "OpenStreetMap",
                            "geometry": geom,
                        }
                    )
                if area_kind:
                    base_rows.append(
                        _basemap_row(kind, obj.orig_id(), tags, area_kind, geom)
                    )
    except RuntimeError as exc:
        msg = f"{p.name}: not a readable OSM file ({str(exc)[:200]})"
        raise UnsupportedFormat(msg, code="unreadable") from exc

    segments = _split_ways(ways)
    src = CRS.from_epsg(4326)
    out = {}
    reports = {}
    for name, rows, gtype in (
        ("walk_segment", segments, "LineString"),
        ("amenity", amen_rows, "Point"),
        ("community", comm_rows, "MultiPolygon"),
        ("basemap", base_rows, None),
    ):
        report = ImportReport(source_file=p.name)
        cols = ["code", "geometry"]
        gdf = gpd.GeoDataFrame(
            rows, columns=list(rows[0]) if rows else cols, geometry="geometry", crs=src
        )
        gdf.index = range(1, len(gdf) + 1)
        checked, statuses, report = check_geometries(
            list(gdf.geometry), gtype, report=report
        )
        gdf = gdf.set_geometry(gpd.GeoSeries(checked, index=gdf.index, crs=src))
        gdf = gdf[np.array([s != "rejected" for s in statuses], dtype=bool)]
        if len(gdf):
            gdf = _check_extent(gdf, src, extent, report, p.name)
        report.imported = len(gdf)
        report.rejected = len({i.row for i in report.issues if i.status == "rejected"})
        if skipped:
            report.warnings.append(f"skipped: {dict(skipped)}")
        out[name] = gdf.to_crs(target_crs)
        reports[name] = report
    return OsmLayers(
        walk_segment=out["walk_segment"],
        amenity=out["amenity"],
        community=out["community"],
        basemap=out["basemap"],
        report=reports,
        counts={k: len(v) for k, v in out.items()},
    )


def _amenity_row(kind: str, osm_id: int, tags, cat: str, point) -> dict:
    return {
        "code": f"osm-{kind}{osm_id}",
        "name": tags.get("name"),
        "category": cat,
        "capacity": None,
        "floor_area_m2": None,
        "source": "OpenStreetMap",
        "geometry": point,
    }


def _basemap_row(kind: str, osm_id: int, tags, base_kind: str, geom) -> dict:
    road = base_kind == "road"
    building = base_kind == "building"
    return {
        # one OSM way can be a road line and, closed, a park area: the kind keeps
        # the codes unique
        "code": f"osm-{kind}{osm_id}-{base_kind}",
        "kind": base_kind,
        "name": tags.get("name") or "",
        "road_class": (tags.get("highway") or "") if road else "",
        "building": (tags.get("building") or "") if building else "",
        "levels": _levels(tags) if building else None,
        "source": "OpenStreetMap",
        "geometry": geom,
    }


def _split_ways(ways) -> list[dict]:
    """Split walkable ways at nodes shared with another way or revisited."""
    import shapely

    use: Counter[int] = Counter()
    for _, _, nodes in ways:
        for ref, _, _ in nodes:
            use[ref] += 1
        use[nodes[0][0]] += 1  # endpoints always split
        use[nodes[-1][0]] += 1
    rows = []
    for way_id, tags, nodes in ways:
        hw = tags.get("highway")
        kind = HIGHWAY_KIND.get(hw, "footway")
        if tags.get("bridge") not in (None, "no") and kind != "arterial":
            kind = "bridge"
        is_crossing = tags.get("footway") == "crossing" or hw == "crossing"
        part = [nodes[0]]
        n = 0
        last = len(nodes) - 1
        for i, node in enumerate(nodes[1:], start=1):
            part.append(node)
            if use[node[0]] > 1 or i == last:
                if len(part) >= 2:
                    n += 1
                    rows.append(
                        {
                            "code": f"osm-w{way_id}-{n}",
                            "kind": kind,
                            "name": tags.get("name"),
                            "is_barrier": kind == "arterial",
                            "is_crossing": is_crossing,
                            "highway": hw,
                            "geometry": shapely.LineString(
                                [(x, y) for _, x, y in part]
                            ),
                        }
                    )
                part = [node]
    return rows
