"""Vector tiles of the internal map layers (home and planner maps) with PostGIS ST_AsMVT.

One tile layer per map layer, named by its key (``walk_network``, ``communities``,
``amenities``, ``idle_land``, ``vacant_housing``) and, per life-circle run, ``islands``
(the walk-network components the run left out of snapping) and ``results`` (each
community's score in the run, joined in SQL: the choropleth). Parameterised SQL only:
the table and column lists are constants here, z/x/y and the run are validated integers
passed as parameters.

One tile may hold several layers (:func:`tiles_bytes`, the URL's ``a+b+c``): the maps
draw every tiled layer on one canvas from one request per tile, which is what makes a pan
at street zoom cheap in the browser (one canvas and one request per tile instead of one
per layer and tile).

Tiles carry no private column of any model (``Model.private_fields``, asserted below), so
every signed-in role may read every tile; the full record of one feature, with the
columns the reader's role may see, comes from ``planner-feature`` when it is clicked.

Each layer is in the tiles from its own data zoom (``min_zoom``); the maps say so below
it. There is no feature cap: a tile holds every feature it touches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

from layers import stamps
from layers.models import (
    Amenity,
    AmenityCategory,
    BasemapFeature,
    Community,
    District,
    IdleLand,
    VacantHousing,
    WalkSegment,
)
from lifecircle.models import CoverageResult, NetworkIsland, ParkingRatios
from public.caching import LocalLRU
from public.tiles import (
    BASEMAP_FIELDS,
    MVT_CTE,
    TILE_BOUNDS,
    basemap_params,
    basemap_sql,
    city_clip,
    tile_cursor,
    tile_params,
)

EXTENT = 4096
BUFFER = 64


@dataclass(frozen=True)
class TileLayer:
    """One tile layer: its table (alias ``t``, with ``geom``), joins and properties."""

    key: str
    model: type
    columns: dict[str, str]  # property -> SQL expression
    min_zoom: int
    joins: str = ""
    per_run: bool = False
    #: the column that selects the run's rows (per-run layers)
    run_column: str = "t.run_id"
    #: the change stamps (layers.stamps) of the tables its tiles read
    stamps: tuple[str, ...] = ()
    #: its tiles also read the parking ratios (not a layer: no change stamp)
    parking: bool = False
    #: a layer with its own query (the basemap's, public.tiles), else built here
    own_sql: Callable[[], str] | None = None

    def sql(self) -> str:
        if self.own_sql is not None:
            return self.own_sql()
        table = connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(f"{expr} AS {name}" for name, expr in self.columns.items())
        run = f"AND {self.run_column} = %(run)s" if self.per_run else ""
        return f"""
{TILE_BOUNDS},
{MVT_CTE} (
  SELECT ST_AsMVTGeom(ST_Transform(t.geom, 3857), bs.b3857, {EXTENT}, {BUFFER}, true)
           AS geom, {cols}
  FROM {table} t {self.joins}, bs
  WHERE t.geom && bs.bsrid {run}
)
SELECT ST_AsMVT(mvtgeom.*, '{self.key}', {EXTENT}, 'geom') FROM mvtgeom
WHERE geom IS NOT NULL"""


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


#: the parking ratio of a community (alias ``t``, its district ``d``) in the version in
#: force today: its district's ratio for its housing type, else the default's, else the
#: default's "*" — analysis.parking.demand_ratios in SQL (tests/planner hold them equal)
PARKING_RATIO_JOIN = """
LEFT JOIN LATERAL (
  SELECT coalesce(
           (v.data -> 'districts' -> d.code ->> t.housing_type)::float8,
           (v.data -> 'default' ->> t.housing_type)::float8,
           (v.data -> 'default' ->> '*')::float8) AS ratio
  FROM {table} v
  WHERE v.effective_from <= current_date
    AND (v.effective_to IS NULL OR v.effective_to >= current_date)
  ORDER BY v.effective_from DESC LIMIT 1
) pr ON true"""
#: demand = round(households × ratio) (half away from zero, as analysis.parking)
PARKING_DEMAND = "round((t.households * pr.ratio)::numeric)::int"


def _layers() -> dict[str, TileLayer]:
    category = _table(AmenityCategory)
    district = _table(District)
    result = _table(CoverageResult)
    ratios = PARKING_RATIO_JOIN.format(table=_table(ParkingRatios))
    return {
        layer.key: layer
        for layer in (
            TileLayer(
                "walk_network",
                WalkSegment,
                # no code: nothing opens a segment by id, and its unique strings were a
                # third of a street-zoom tile in the old town
                {
                    "name": "t.name",
                    "kind": "t.kind",
                    "is_barrier": "t.is_barrier",
                    "length_m": "round(t.length_m::numeric, 1)::float8",
                },
                min_zoom=13,
                stamps=("walk_segment",),
            ),
            TileLayer(
                "communities",
                Community,
                {
                    "code": "t.code",
                    "name": "t.name",
                    "stage": "t.stage",
                    "district": "d.code",
                    # the parking theme: NULL gap where the spaces were not surveyed
                    "parking_spaces": "t.parking_spaces",
                    "parking_demand": PARKING_DEMAND,
                    "parking_gap": f"{PARKING_DEMAND} - t.parking_spaces",
                },
                min_zoom=9,
                joins=f"JOIN {district} d ON d.id = t.district_id {ratios}",
                stamps=("community", "district"),
                parking=True,
            ),
            TileLayer(
                "amenities",
                Amenity,
                {
                    "code": "t.code",
                    "name": "t.name",
                    "category": "c.code",
                    "category_name": "c.name",
                    "tier": "c.tier_minutes",
                },
                min_zoom=13,
                joins=f"JOIN {category} c ON c.id = t.category_id",
                stamps=("amenity", "amenity_category"),
            ),
            TileLayer(
                "idle_land",
                IdleLand,
                {"code": "t.code", "name": "t.name", "kind": "t.kind"},
                min_zoom=10,
                stamps=("idle_land",),
            ),
            TileLayer(
                "vacant_housing",
                VacantHousing,
                {"code": "t.code", "name": "t.name"},
                min_zoom=10,
                stamps=("vacant_housing",),
            ),
            TileLayer(
                "islands",
                NetworkIsland,
                {
                    "component": "t.component",
                    "nodes": "t.nodes",
                    "edges": "t.edges",
                    "length_m": "round(t.length_m::numeric, 1)::float8",
                    "amenities_nearest": "t.amenities_nearest",
                    "access_points_nearest": "t.access_points_nearest",
                },
                min_zoom=9,
                per_run=True,
            ),
            TileLayer(
                "results",
                Community,
                {
                    "code": "t.code",
                    "name": "t.name",
                    "residents": "r.residents",
                    "score": "round(r.score::numeric, 1)::float8",
                    "score_capacity": (
                        "round((r.capacity->>'score')::numeric, 1)::float8"
                    ),
                    "reachable": "r.reachable",
                    # one category's gaps when the URL names one (?category=; NULL
                    # properties are left out of the tile): its network distance,
                    # within reach of the run's threshold (有没有), and where the run
                    # has a capacity standard for it, enough (够不够) and the shortfall
                    "distance_m": (
                        "round((r.distances_m->>%(category)s)::numeric, 1)::float8"
                    ),
                    "covered": (
                        "CASE WHEN %(category)s::text IS NULL THEN NULL ELSE"
                        " coalesce((r.distances_m->>%(category)s)::float8"
                        " <= %(threshold)s::float8, false) END"
                    ),
                    "adequate": (
                        "(r.capacity->'categories'->%(category)s->>'adequate')::boolean"
                    ),
                    "shortfall": (
                        "(r.capacity->'categories'->%(category)s->>'shortfall')::float8"
                    ),
                },
                min_zoom=9,
                joins=f"JOIN {result} r ON r.community_id = t.id",
                per_run=True,
                run_column="r.run_id",
                stamps=("community",),  # a finished run's results never change
            ),
            # the city's own basemap (public.tiles, the public maps' basemap tiles),
            # here too so that the home and planner maps get it in the same request
            # per tile as their layers (half the requests of a pan)
            TileLayer(
                "basemap",
                BasemapFeature,
                dict.fromkeys(BASEMAP_FIELDS, ""),
                min_zoom=0,
                stamps=("basemap",),
                own_sql=basemap_sql,
            ),
        )
    }


LAYERS = _layers()
#: the layers of the whole city, and those of one life-circle run
CITY_LAYERS = tuple(k for k, v in LAYERS.items() if not v.per_run)
RUN_LAYERS = tuple(k for k, v in LAYERS.items() if v.per_run)

# module invariant: no private column of any model in any tile
for _layer in LAYERS.values():
    assert not set(_layer.columns) & set(  # noqa: S101
        getattr(_layer.model, "private_fields", ())
    ), _layer.key


def layer_keys(text: str, allowed: tuple[str, ...]) -> tuple[str, ...] | None:
    """The layers of a tile URL's ``a+b+c`` (each one of ``allowed``, once), or None."""
    keys = tuple(text.split("+"))
    if not keys or len(set(keys)) != len(keys) or not set(keys) <= set(allowed):
        return None
    return keys


@dataclass(frozen=True)
class Gaps:
    """One category of a life-circle run drawn by the ``results`` tiles: its code and
    the run's distance threshold for it (metres)."""

    category: str
    threshold_m: float | None


def tiles_bytes(
    keys: tuple[str, ...],
    z: int,
    x: int,
    y: int,
    run: int | None = None,
    gaps: Gaps | None = None,
) -> bytes:
    """One MVT tile holding the layers ``keys`` for validated z/x/y: each layer's part
    is empty below its zoom or outside the city (then no query for it)."""
    clip = city_clip(z, x, y)
    todo = [LAYERS[k] for k in keys if z >= LAYERS[k].min_zoom]
    if clip is None or not todo:
        return b""
    params = {
        **tile_params(z, x, y, clip),
        "run": run,
        "category": gaps.category if gaps else None,
        "threshold": gaps.threshold_m if gaps else None,
        **basemap_params(),
    }
    out = b""
    with tile_cursor() as cur:
        for layer in todo:
            cur.execute(layer.sql(), params)
            out += bytes(cur.fetchone()[0] or b"")
    # concatenated MVT messages are one valid tile (repeated ``layers`` field)
    return out


def tile_bytes(key: str, z: int, x: int, y: int, run: int | None = None) -> bytes:
    """The MVT tile of layer ``key`` alone."""
    return tiles_bytes((key,), z, x, y, run)


# --- the tiles' cache ----------------------------------------------------------------
#: each layer's tile bytes by (layer, its stamps, run, z/x/y), per process: a view seen
#: again (a pan back, another user) is served without a query; an edit changes the
#: layer's stamp, so the key (no invalidation needed)
_CACHE = LocalLRU("PLANNER_TILE_CACHE_BYTES", 64 * 1024 * 1024)
CACHE_TTL_S = 3600.0


def layer_versions(
    keys: tuple[str, ...], run: int | None = None, gaps: Gaps | None = None
) -> dict[str, str]:
    """The version of each layer's tiles: its tables' change stamps (one tiny query,
    read before the data), the run of a per-run layer and the category of the
    ``results``."""
    names = list(dict.fromkeys(n for k in keys for n in LAYERS[k].stamps))
    got = stamps.layer_stamps(names) if names else {}
    ratios = parking_version() if any(LAYERS[k].parking for k in keys) else None
    return {
        k: repr(
            (
                [got[n] for n in LAYERS[k].stamps],
                run if LAYERS[k].per_run else None,
                *((ratios,) if LAYERS[k].parking else ()),
                gaps if k == "results" and gaps else None,
            )
        )
        for k in keys
    }


def parking_version() -> tuple:
    """The parking ratios' version: their newest history row and the day (the version
    in force changes at midnight). Every ORM write of the ratios (the admin, the
    migration) adds a history row; a raw SQL edit does not, and shows after the
    cache's hour."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT max(history_id), count(*), current_date::text "  # noqa: S608
            f"FROM {_table(ParkingRatios.history.model)}"
        )
        return tuple(cur.fetchone())


def tile_etag(versions: dict[str, str], z: int, x: int, y: int) -> str:
    """The (quoted) ETag of a tile of the layers of ``versions``."""
    digest = hashlib.sha1(
        repr((sorted(versions.items()), z, x, y)).encode(), usedforsecurity=False
    )
    return f'"{digest.hexdigest()[:24]}"'


def cached_tiles_bytes(
    versions: dict[str, str],
    z: int,
    x: int,
    y: int,
    run: int | None = None,
    gaps: Gaps | None = None,
) -> bytes:
    """:func:`tiles_bytes` of the layers of ``versions`` (in its order), each layer's
    part from the cache when its version was seen before."""
    out = b""
    for key, version in versions.items():
        ckey = f"ptile:{key}:{version}:{z}/{x}/{y}"
        body = _CACHE.get(ckey)
        if body is None:
            body = tiles_bytes((key,), z, x, y, run, gaps)
            _CACHE.set(ckey, body, CACHE_TTL_S)
        out += body
    return out


def cache_clear() -> None:
    _CACHE.clear()
