"""Vector tiles of the public layers with PostGIS ST_AsMVT (parameterised SQL only).

Layer properties come from the allowlist in :mod:`public.selectors`; the column list is
built from those constants, never from the request. z/x/y are validated integers and
are passed as parameters.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.db import connection

from layers.models import Community, District

from .selectors import COMMUNITY_MAP_FIELDS

#: tile layer -> property columns (SQL expressions over ``c`` / ``d``), all allowlisted
_COMMUNITY_COLUMNS = {
    "code": "c.code",
    "name": "c.name",
    "district": "d.code",
    "completion_year": "c.completion_year",
    "households": "c.households",
    "stage": "c.stage",
}
assert tuple(_COMMUNITY_COLUMNS) == COMMUNITY_MAP_FIELDS  # noqa: S101 - module invariant

TILE_LAYER_FIELDS = {
    "communities": tuple(_COMMUNITY_COLUMNS),
    "districts": ("code", "name"),
}
#: communities only from this zoom on (below, districts only: city-scale overview)
COMMUNITY_MIN_ZOOM = 10


def _sql() -> tuple[str, str]:
    comm = connection.ops.quote_name(Community._meta.db_table)
    dist = connection.ops.quote_name(District._meta.db_table)
    cols = ", ".join(f"{expr} AS {name}" for name, expr in _COMMUNITY_COLUMNS.items())
    communities = f"""
WITH bounds AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS b3857),
bs AS (SELECT b3857, ST_Transform(
  ST_MakeEnvelope(%(minx)s, %(miny)s, %(maxx)s, %(maxy)s, 4326), %(srid)s) AS bsrid
  FROM bounds),
mvtgeom AS (
  SELECT ST_AsMVTGeom(ST_Transform(c.geom, 3857), bs.b3857, 4096, 64, true) AS geom,
         {cols}
  FROM {comm} c JOIN {dist} d ON d.id = c.district_id, bs
  WHERE c.geom && bs.bsrid
)
SELECT ST_AsMVT(mvtgeom.*, 'communities', 4096, 'geom') FROM mvtgeom
WHERE geom IS NOT NULL"""
    districts = f"""
WITH bounds AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS b3857),
bs AS (SELECT b3857, ST_Transform(
  ST_MakeEnvelope(%(minx)s, %(miny)s, %(maxx)s, %(maxy)s, 4326), %(srid)s) AS bsrid
  FROM bounds),
mvtgeom AS (
  SELECT ST_AsMVTGeom(ST_Transform(d.geom, 3857), bs.b3857, 4096, 64, true) AS geom,
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
    params = {"z": z, "x": x, "y": y, "srid": settings.SRID}
    params.update(zip(("minx", "miny", "maxx", "maxy"), clip, strict=True))
    out = b""
    with connection.cursor() as cur:
        cur.execute(districts, params)
        out += bytes(cur.fetchone()[0] or b"")
        if z >= COMMUNITY_MIN_ZOOM:
            cur.execute(communities, params)
            out += bytes(cur.fetchone()[0] or b"")
    # concatenated MVT messages are one valid tile (repeated ``layers`` field)
    return out
