"""Vector tiles of the public layers with PostGIS ST_AsMVT (parameterised SQL only).

Layer properties come from the allowlist in :mod:`public.selectors`; the column list is
built from those constants, never from the request. z/x/y are validated integers and
are passed as parameters.

The basemap tiles (:func:`basemap_tile_bytes`, one ``basemap`` layer with ``kind``,
``name`` and ``class``) draw the city's own water, rivers, parks, main roads and
buildings (``layers.BasemapFeature``: ``import_osm`` or the demo city) when no online
tile service is configured (``settings.MAP_TILES_URL``); :func:`tiles_config` tells the
map pages which one to draw.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from layers.models import BasemapFeature

from .models import PublishedCommunity, PublishedDistrict
from .selectors import COMMUNITY_MAP_FIELDS

#: tile layer -> property columns (SQL expressions over ``c`` / ``d``), all allowlisted
_COMMUNITY_COLUMNS = {
    "code": "c.code",
    "name": "c.name",
    "district": "c.district_code",
    "completion_year": "c.completion_year",
    "households": "c.households",
    "stage": "c.stage",
}
assert tuple(_COMMUNITY_COLUMNS) == COMMUNITY_MAP_FIELDS  # noqa: S101 - module invariant

TILE_LAYER_FIELDS = {
    "communities": tuple(_COMMUNITY_COLUMNS),
    "districts": ("code", "name"),
}
#: communities only from this data zoom on (below, districts only: the province); the
#: public map draws data zoom z at display zoom z + 1, so a city fits at 10 with them
COMMUNITY_MIN_ZOOM = 9

#: how every tile query starts: the tile's envelope (EPSG:3857) and its part inside the
#: city in settings.SRID, from the parameters of :func:`tile_params`
TILE_BOUNDS = """WITH bounds AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS b3857),
bs AS (SELECT b3857, ST_Transform(
  ST_MakeEnvelope(%(minx)s, %(miny)s, %(maxx)s, %(maxy)s, 4326), %(srid)s) AS bsrid
  FROM bounds)"""


#: the tile's features, each ``ST_AsMVTGeom`` computed once: a plain CTE is inlined and
#: the outer ``geom IS NOT NULL`` pushed into the scan, which then computed the clipped
#: geometry twice per row (once in the filter, once in the output)
MVT_CTE = "mvtgeom AS MATERIALIZED"

#: a geometry cut to the tile (plus a margin, 1/8 of the tile on each side, far more
#: than the MVT buffer) *before* it is transformed: main roads, rivers, water and
#: district outlines span the city, and transforming a whole 1,800-vertex road for each
#: tile it touches cost ~35 ms of a street-zoom basemap tile (4 ms cut first)
CUT_TO_TILE = (
    "ST_ClipByBox2D({geom}, ST_Expand(bs.bsrid,"
    " (ST_XMax(bs.b3857) - ST_XMin(bs.b3857)) / 8))"
)


@contextmanager
def tile_cursor() -> Iterator:
    """A cursor for the tile queries, in a transaction with parallel query off.

    A tile's query is small (10-50 ms); a parallel plan spends more starting its worker
    than it saves, and a map asks for ~10 tiles at once: on a 2-core machine the
    street-zoom walk-network tile took 41 ms with a worker, 12 ms without (and
    without the double ``ST_AsMVTGeom``, :data:`MVT_CTE`)."""
    with transaction.atomic(savepoint=False), connection.cursor() as cur:
        cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield cur


def tile_params(z: int, x: int, y: int, clip) -> dict:
    """The parameters of :data:`TILE_BOUNDS` for a tile and its part inside the city."""
    params = {"z": z, "x": x, "y": y, "srid": settings.SRID}
    params.update(zip(("minx", "miny", "maxx", "maxy"), clip, strict=True))
    return params


def _sql() -> tuple[str, str]:
    # the published snapshot (public.publishing), never the live layers
    comm = connection.ops.quote_name(PublishedCommunity._meta.db_table)
    dist = connection.ops.quote_name(PublishedDistrict._meta.db_table)
    cols = ", ".join(f"{expr} AS {name}" for name, expr in _COMMUNITY_COLUMNS.items())
    cut_d = CUT_TO_TILE.format(geom="d.geom")
    communities = f"""
{TILE_BOUNDS},
{MVT_CTE} (
  SELECT ST_AsMVTGeom(ST_Transform(c.geom, 3857), bs.b3857, 4096, 64, true) AS geom,
         {cols}
  FROM {comm} c, bs
  WHERE c.geom && bs.bsrid
)
SELECT ST_AsMVT(mvtgeom.*, 'communities', 4096, 'geom') FROM mvtgeom
WHERE geom IS NOT NULL"""
    districts = f"""
{TILE_BOUNDS},
{MVT_CTE} (
  SELECT ST_AsMVTGeom(ST_Transform({cut_d}, 3857), bs.b3857, 4096, 64, true) AS geom,
         d.code AS code, d.name AS name
  FROM {dist} d, bs
  WHERE d.geom && bs.bsrid
)
SELECT ST_AsMVT(mvtgeom.*, 'districts', 4096, 'geom') FROM mvtgeom
WHERE geom IS NOT NULL"""
    return communities, districts


def tile_lonlat_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of an XYZ tile (pure math)."""
    n = 2.0**z

    def lat(yy: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * yy / n))))

    return (x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y))


def city_clip(z: int, x: int, y: int) -> tuple[float, float, float, float] | None:
    """The part of the tile inside the city extent, or None (then no query at all)."""
    b = tile_lonlat_bounds(z, x, y)
    ex = settings.CITY_EXTENT
    c = (max(b[0], ex[0]), max(b[1], ex[1]), min(b[2], ex[2]), min(b[3], ex[3]))
    if c[0] >= c[2] or c[1] >= c[3]:
        return None
    return c


def tile_bytes(z: int, x: int, y: int) -> bytes:
    """The MVT tile (districts + communities layers) for validated z/x/y."""
    clip = city_clip(z, x, y)
    if clip is None:
        return b""
    communities, districts = _sql()
    params = tile_params(z, x, y, clip)
    out = b""
    with tile_cursor() as cur:
        cur.execute(districts, params)
        out += bytes(cur.fetchone()[0] or b"")
        if z >= COMMUNITY_MIN_ZOOM:
            cur.execute(communities, params)
            out += bytes(cur.fetchone()[0] or b"")
    # concatenated MVT messages are one valid tile (repeated ``layers`` field)
    return out


#: the properties of the ``basemap`` tile layer (the SQL below selects exactly these)
BASEMAP_FIELDS = ("kind", "name", "class")
#: smallest zoom at which each kind of basemap feature is in the tiles (main roads by
#: class: the arterial grid first, then secondary and tertiary roads)
BASEMAP_MIN_ZOOM = {
    "water": 0,
    "primary": 9,
    "secondary": 11,
    "tertiary": 13,
    "park": 11,
    "river": 11,
    "building": 14,
}
_PRIMARY_ROADS = [
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
]
_SECONDARY_ROADS = ["secondary", "secondary_link"]


def basemap_sql() -> str:
    """The basemap tile's query; its parameters: :func:`basemap_params`."""
    table = connection.ops.quote_name(BasemapFeature._meta.db_table)
    cut = CUT_TO_TILE.format(geom="b.geom")
    return f"""
{TILE_BOUNDS},
{MVT_CTE} (
  SELECT ST_AsMVTGeom(ST_Transform({cut}, 3857), bs.b3857, 4096, 64, true) AS geom,
         b.kind AS kind, b.name AS name, b.road_class AS class
  FROM {table} b, bs
  WHERE b.geom && bs.bsrid
    AND (b.kind = 'water' AND %(z)s >= %(water)s
      OR b.kind = 'park' AND %(z)s >= %(park)s
      OR b.kind = 'river' AND %(z)s >= %(river)s
      OR b.kind = 'building' AND %(z)s >= %(building)s
      OR b.kind = 'road' AND (
           %(z)s >= %(tertiary)s
        OR %(z)s >= %(secondary)s AND b.road_class <> 'tertiary'
        OR %(z)s >= %(primary)s AND b.road_class = ANY(%(primary_roads)s)))
)
SELECT ST_AsMVT(mvtgeom.*, 'basemap', 4096, 'geom') FROM mvtgeom
WHERE geom IS NOT NULL"""


def basemap_params() -> dict:
    """The parameters of :func:`basemap_sql` besides those of :func:`tile_params`."""
    return {**BASEMAP_MIN_ZOOM, "primary_roads": _PRIMARY_ROADS}


def basemap_tile_bytes(z: int, x: int, y: int) -> bytes:
    """The MVT tile of the basemap (one layer, ``basemap``) for validated z/x/y."""
    clip = city_clip(z, x, y)
    if clip is None:
        return b""
    params = {**tile_params(z, x, y, clip), **basemap_params()}
    with tile_cursor() as cur:
        cur.execute(basemap_sql(), params)
        return bytes(cur.fetchone()[0] or b"")


def tiles_config() -> dict:
    """What a map page draws under its layers: the configured online tiles, else the
    city's own basemap tiles (protomaps-leaflet, static/maps/js/lib/basemap.js)."""
    return {
        "url": settings.MAP_TILES_URL,
        "attribution": settings.MAP_TILES_ATTRIBUTION,
        "basemap": (
            None
            if settings.MAP_TILES_URL
            else {
                "url": reverse(
                    "public-basemap-tile", kwargs={"z": "0", "x": "0", "y": "0"}
                ).replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt"),
                "attribution": gettext(BASEMAP_ATTRIBUTION),
                "max_data_zoom": 16,
            }
        ),
    }


#: the basemap holds OpenStreetMap data (ODbL) when imported with import_osm
BASEMAP_ATTRIBUTION = gettext_noop(
    "底图：本市数据；OpenStreetMap 部分 © OpenStreetMap contributors (ODbL)"
)
