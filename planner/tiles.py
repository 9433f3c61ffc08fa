"""Vector tiles of the internal map layers (home and planner maps) with PostGIS ST_AsMVT.

One tile layer per map layer, named by its key (``walk_network``, ``communities``,
``amenities``, ``idle_land``, ``vacant_housing``) and, per life-circle run, ``islands``
(the walk-network components the run left out of snapping). Parameterised SQL only: the table and column lists are constants here,
z/x/y and the run are validated integers passed as parameters.

Tiles carry no private column of any model (``Model.private_fields``, asserted below), so
every signed-in role may read every tile; the full record of one feature, with the
columns the reader's role may see, comes from ``planner-feature`` when it is clicked.

Each layer is in the tiles from its own data zoom (``min_zoom``); the maps say so below
it. There is no feature cap: a tile holds every feature it touches.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from layers.models import (
    Amenity,
    AmenityCategory,
    Community,
    District,
    IdleLand,
    VacantHousing,
    WalkSegment,
)
from lifecircle.models import NetworkIsland
from public.tiles import TILE_BOUNDS, city_clip, tile_params

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

    def sql(self) -> str:
        table = connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(f"{expr} AS {name}" for name, expr in self.columns.items())
        run = "AND t.run_id = %(run)s" if self.per_run else ""
        return f"""
{TILE_BOUNDS},
mvtgeom AS (
  SELECT ST_AsMVTGeom(ST_Transform(t.geom, 3857), bs.b3857, {EXTENT}, {BUFFER}, true)
           AS geom, {cols}
  FROM {table} t {self.joins}, bs
  WHERE t.geom && bs.bsrid {run}
)
SELECT ST_AsMVT(mvtgeom.*, '{self.key}', {EXTENT}, 'geom') FROM mvtgeom
WHERE geom IS NOT NULL"""


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _layers() -> dict[str, TileLayer]:
    category = _table(AmenityCategory)
    district = _table(District)
    return {
        layer.key: layer
        for layer in (
            TileLayer(
                "walk_network",
                WalkSegment,
                {
                    "code": "t.code",
                    "name": "t.name",
                    "kind": "t.kind",
                    "is_barrier": "t.is_barrier",
                    "length_m": "round(t.length_m::numeric, 1)::float8",
                },
                min_zoom=13,
            ),
            TileLayer(
                "communities",
                Community,
                {
                    "code": "t.code",
                    "name": "t.name",
                    "stage": "t.stage",
                    "district": "d.code",
                },
                min_zoom=9,
                joins=f"JOIN {district} d ON d.id = t.district_id",
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
            ),
            TileLayer(
                "idle_land",
                IdleLand,
                {"code": "t.code", "name": "t.name", "kind": "t.kind"},
                min_zoom=10,
            ),
            TileLayer(
                "vacant_housing",
                VacantHousing,
                {"code": "t.code", "name": "t.name"},
                min_zoom=10,
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


def tile_bytes(key: str, z: int, x: int, y: int, run: int | None = None) -> bytes:
    """The MVT tile of layer ``key`` for validated z/x/y (empty below its zoom or
    outside the city)."""
    layer = LAYERS[key]
    clip = city_clip(z, x, y)
    if clip is None or z < layer.min_zoom:
        return b""
    params = {**tile_params(z, x, y, clip), "run": run}
    with connection.cursor() as cur:
        cur.execute(layer.sql(), params)
        return bytes(cur.fetchone()[0] or b"")
