"""Deterministic demo city of central Ningbo (pure Python, no Django).

``generate_city`` builds every source layer of ``docs/DATA_MODEL.md`` for a
synthetic but plausible central Ningbo: six districts (区) tiled by a Voronoi
diagram of real-ish seeds, 3-8 streets (街道) per district (Voronoi cells of
seeds inside each district), the Y-shaped 余姚江 / 奉化江 / 甬江 meeting at
三江口, a walk network, communities (小区), idle land, vacant public housing,
amenities for every category of ``fixtures/rulesets/gb50180_2018.json`` and a
100 m population raster. All layers are in EPSG:4549 (metres).

How it is built
---------------
* **Walk network.** One lattice centred on 三江口, rotated by 12 degrees and
  radially warped (cell size ``spacing_m * (1 + r / warp_m)``), so blocks are
  small in the old core and grow outwards; every node is jittered. Only nodes
  where an "urban" field (Gaussian blobs around the district centres plus
  corridors between them) is high enough are kept. Lattice lines get a class
  by index: every 8th is an ``arterial`` (every 16th a barrier), every 4th
  ``secondary``, every 2nd ``local``, the rest ``alley`` in the old core and
  ``local`` elsewhere; 4 % become ``footway`` and 6 % of minor edges are
  removed (dead ends). Edges touching the river are dropped, and only a few
  lattice runs that cross it become ``bridge`` segments, spaced along the
  river, so walking distance exceeds straight-line distance. Only the largest
  connected component is kept. Each segment joins two lattice nodes whose
  coordinates are rounded to 0.01 m once, so endpoints are shared exactly.
* **Barriers.** ``is_barrier`` marks barrier arterials. At every third
  intersection along a barrier the perpendicular segments touching it are
  ``is_crossing``; an analysis that honours barriers should only let walkers
  cross a barrier arterial through those segments.
* **Communities, idle land, vacant housing.** A lattice cell whose four
  corners survive and that is clear of the river is a block. Communities are
  blocks (20 % of them split in two) shrunk towards their centre, so they
  never cross a street or the river and never overlap; idle plots use other
  blocks (never a community's), shrunk to 100-20 000 m². Vacant housing sits
  inside communities, with a small footprint for 60 % of them.
* **Attributes** follow the brief: mostly 1975-2000 walk-ups, about 20 %
  built 2001-2015 (higher, bigger, lifts), ~3 % villas, ~4 % in a shanty-town
  plan, ~3 % in an expropriation plan, ~5 % collective land, ~5 % with unknown
  residents (``pandas.NA`` in a nullable ``Int64`` column).
* **Amenities** are placed in two layers. *Service-driven*: every community
  gets a service level (high in the old core around 三江口 and in 鄞州 new
  town, lower at the outer town centres of 北仑 / 镇海 / 奉化 and lowest at
  their edges, plus a random effect per street and per committee, so well and
  poorly served neighbourhoods cluster). Per category a community is meant to
  be served when its level plus a small committee-level noise exceeds the
  category's threshold ``tau``; the densest such communities first get a
  facility next to them (5-minute ones between a gate and the street in
  front of it, larger ones near a network node within 0.3 x the tier
  distance), which also serves their neighbours. Thresholds make basic
  shops, bus stops, clinics and banks almost universal in the core, while
  elderly day care, nurseries, community canteens, small sports grounds and
  public toilets are often missing. 街道 service centres and community health
  centres get one per street first. *Background*: density-driven points
  (urban field ** ``expo``, boosted near street centres, with whole streets
  left out at probability ``gap``) for the rest of the supply; at ``city``
  scale they bring the count above 50 000.
* **Basemap** (what a planner finds the way by when no online tiles are
  configured): the three rivers meeting at 三江口 as water areas (余姚江, 奉化江,
  甬江, the same surfaces the network avoids), the arterial and secondary roads
  merged per name, and parks: the well-known ones near their real places (月湖,
  中山, 日湖 …) on the nearest block that no community or idle plot uses, plus
  neighbourhood green spaces on other free blocks. Drawn from a random stream of
  its own (``[seed, 0xBA5E]``), so the rest of the city is the same with or without.
* **Population raster.** 100 m cells over the city extent. The residents of
  each community (``households * 2.6`` when ``residents`` is null) are spread
  evenly over the cells whose centre lies in its polygon (the cell under its
  centroid when none does), so summing the raster over a community's cells
  gives back its residents. Other land cells get a thin background of at most
  3 people, proportional to the urban field squared; river cells are 0.

Determinism: one ``numpy.random.default_rng(seed)`` drives every draw, in a
fixed order; no set or dict iteration order or hashing is involved, all
coordinates are rounded to 0.01 m, and the GeoTIFF is written with fixed
creation options, so the same seed gives equal frames and identical bytes.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from os import PathLike
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from numpy.typing import NDArray
from pyproj import Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from tqdm import tqdm

from geoapp.demo import names as nm

__all__ = [
    "CATEGORY_CODES",
    "CRS",
    "DemoCity",
    "basemap",
    "city_extent",
    "generate_city",
    "river_polygon",
    "write_population_tiff",
]

CRS = "EPSG:4549"
CELL_M = 100.0
SANJIANGKOU = (121.550, 29.875)
_LONLAT_BOUNDS = (121.30, 29.60, 122.00, 30.10)
_ROTATION_DEG = 12.0
_OLD_CORE_M = 3500.0

Float = NDArray[np.float64]
Bool = NDArray[np.bool_]
Int = NDArray[np.int64]


@dataclass(frozen=True)
class _Scale:
    spacing_m: float
    warp_m: float
    communities: int
    amenity_factor: float
    idle: int
    vacant: int
    bridge_core_m: float
    bridge_far_m: float


_SCALES: dict[str, _Scale] = {
    "small": _Scale(175.0, 9000.0, 600, 1.0, 200, 100, 900.0, 2500.0),
    "city": _Scale(27.0, 12000.0, 3200, 25.0, 2200, 600, 700.0, 1800.0),
}


# Amenity categories. ``bg`` is the small-scale count of the *background*
# (density-driven) amenities, drawn from the urban field ** ``expo`` with a
# per-street ``gap`` probability (times ``_Scale.amenity_factor``); ``tau`` is the *service threshold* of
# the service-driven placement (a community whose service level plus noise
# exceeds it gets the facility within ``reach_m`` of it, see ``_amenities``;
# ``None`` = no service-driven placement); ``reach_m`` is the placement distance: the
# tier distance of the first rule set (5/10/15 min = 300/500/1000 m), kept when a
# category later moved tier (便利店 and 邮件快件 to the 居住街坊, 商场 and 银行 to
# 10 min) so that the demo's random stream, and every figure drawn from it, stays.
@dataclass(frozen=True)
class _Cat:
    code: str
    bg: int
    expo: float
    gap: float
    tau: float | None
    reach_m: float
    suffix: str
    cap: tuple[int, int] | None
    area: float | None


_CATS: tuple[_Cat, ...] = tuple(
    _Cat(*row)
    for row in (
        ("kindergarten", 8, 1.5, 0.25, 0.70, 300.0, "幼儿园", (150, 450), 2200.0),
        ("nursery", 2, 1.5, 0.4, 1.00, 300.0, "托儿所", (30, 90), 200.0),
        (
            "elderly_daycare",
            0,
            1.5,
            0.3,
            0.82,
            300.0,
            "居家养老服务中心",
            (20, 60),
            350.0,
        ),
        (
            "community_service_station",
            6,
            1.5,
            0.1,
            0.48,
            300.0,
            "社区服务站",
            None,
            800.0,
        ),
        ("community_canteen", 0, 2.0, 0.45, 0.98, 300.0, "社区食堂", (50, 200), 250.0),
        ("culture_station", 6, 1.5, 0.25, 0.60, 300.0, "文化活动站", None, 200.0),
        ("small_sports_ground", 3, 1.0, 0.35, 0.74, 300.0, "小型运动场", None, None),
        ("outdoor_fitness", 24, 1.0, 0.15, 0.50, 300.0, "健身点", None, None),
        ("health_station", 3, 1.5, 0.35, 0.85, 300.0, "社区卫生服务站", None, 120.0),
        ("community_shop", 40, 2.0, 0.1, 0.32, 300.0, "便民商店", None, 120.0),
        ("convenience_store", 900, 2.0, 0.05, 0.22, 300.0, "便利店", None, 50.0),
        ("parcel_locker", 36, 2.0, 0.15, 0.38, 300.0, "快递驿站", None, None),
        ("public_toilet", 12, 1.5, 0.15, 0.72, 300.0, "公共厕所", None, 60.0),
        ("recycling_point", 18, 1.0, 0.2, 0.52, 300.0, "再生资源回收点", None, None),
        ("primary_school", 4, 1.0, 0.2, 0.62, 500.0, "小学", (900, 2700), 9000.0),
        ("medium_sports_ground", 2, 1.0, 0.3, 0.72, 500.0, "运动场", None, None),
        ("market", 9, 1.5, 0.2, 0.46, 500.0, "菜市场", None, 1500.0),
        ("bus_stop", 700, 1.0, 0.03, 0.20, 500.0, "公交站", None, None),
        ("restaurant", 120, 2.0, 0.1, 0.25, 500.0, "饭店", None, 200.0),
        ("middle_school", 2, 1.0, 0.2, 0.50, 1000.0, "中学", (1000, 2400), 15000.0),
        ("large_sports_ground", 1, 0.5, 0.2, 0.72, 1000.0, "体育中心", None, None),
        ("health_center", 0, 1.0, 0.1, 0.85, 1000.0, "社区卫生服务中心", None, 2500.0),
        ("clinic", 18, 1.5, 0.15, 0.40, 1000.0, "诊所", None, 150.0),
        ("nursing_home", 3, 1.0, 0.2, 0.68, 1000.0, "养老院", (60, 400), 3000.0),
        ("culture_center", 1, 1.0, 0.2, 0.68, 1000.0, "文化中心", None, 4000.0),
        (
            "street_service_center",
            0,
            1.0,
            0.0,
            0.72,
            1000.0,
            "街道办事处便民服务中心",
            None,
            1500.0,
        ),
        ("shopping_mall", 2, 2.5, 0.2, 0.65, 1000.0, "购物中心", None, 40000.0),
        ("bank", 18, 2.0, 0.15, 0.40, 1000.0, "银行网点", None, 400.0),
        ("post_office", 3, 1.5, 0.15, 0.58, 1000.0, "邮政所", None, 300.0),
        # added with the 居住街坊 tier and the missing rules (issue 16): appended, so
        # the draws of the categories above (and their demo amenities) are unchanged
        ("garbage_point", 100, 1.5, 0.05, 0.25, 70.0, "垃圾分类收集点", None, None),
        ("garbage_station", 6, 1.0, 0.15, 0.45, 300.0, "垃圾收集站", None, 120.0),
        ("nursing_care_home", 2, 1.0, 0.2, 0.60, 1000.0, "老年养护院", (50, 300), 3e3),
        ("street_office", 0, 1.0, 0.0, 0.55, 1000.0, "街道办事处", None, 2000.0),
        ("judicial_office", 0, 1.0, 0.0, 0.58, 1000.0, "司法所", None, 300.0),
    )
)
CATEGORY_CODES: tuple[str, ...] = tuple(c.code for c in _CATS)
# one per street, at the community with the most residents around it
_PER_STREET = (
    "street_service_center",
    "health_center",
    "street_office",
    "judicial_office",
)
# a facility counts as serving the communities whose centre is within this
# share of its reach (straight line; the walk is longer)
_REACH_SHARE = 0.65
_ST_SD, _CM_SD, _CAT_CM_SD, _CAT_SD = 0.16, 0.15, 0.04, 0.02
_LEVEL_BASE = 0.32
# service hubs: lon, lat, sigma (m), weight. The old core around 三江口 and
# 鄞州 new town are best served; the outer town centres (北仑 新碶,
# 镇海 招宝山, 奉化 锦屏) less; their edges least.
_HUBS: tuple[tuple[float, float, float, float], ...] = (
    (SANJIANGKOU[0], SANJIANGKOU[1], 7000.0, 0.62),
    (121.560, 29.815, 4000.0, 0.55),
    (121.845, 29.900, 4000.0, 0.45),
    (121.705, 29.955, 3000.0, 0.42),
    (121.410, 29.660, 3000.0, 0.42),
)

_STAGES = (
    "not_started",
    "applied",
    "planned",
    "in_reserve",
    "in_annual_plan",
    "under_construction",
    "accepted",
    "handed_over",
    "post_evaluated",
)
_BANKS = ("工商银行", "农业银行", "中国银行", "建设银行", "宁波银行", "鄞州银行")
_STORES = ("快客", "好德", "十足", "喜士多", "罗森", "全家")
_OWNERS_STATE = (
    "海曙区住建局",
    "江北区住建局",
    "鄞州区住建局",
    "宁波市国资委",
    "宁波城投集团",
    "街道办事处",
)


@dataclass(frozen=True, eq=False)
class DemoCity:
    """A generated demo city: every source layer plus the population raster.

    All GeoDataFrames use EPSG:4549 and ``geometry`` as the active geometry
    column; columns follow ``docs/DATA_MODEL.md``.
    """

    districts: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    idle_land: gpd.GeoDataFrame
    vacant_housing: gpd.GeoDataFrame
    amenities: gpd.GeoDataFrame
    walk_segments: gpd.GeoDataFrame
    population: NDArray[np.float32]
    population_transform: Affine
    seed: int
    scale: str
    stage_history: pd.DataFrame | None = None
    basemap: gpd.GeoDataFrame | None = None


# --------------------------------------------------------------------- helpers


@functools.cache
def _transformer() -> Transformer:
    return Transformer.from_crs("EPSG:4326", CRS, always_xy=True)


def _to_xy(lon: Any, lat: Any) -> tuple[Float, Float]:
    tr = _transformer()
    x, y = tr.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


@functools.cache
def city_extent() -> tuple[float, float, float, float]:
    """Return the city extent ``(xmin, ymin, xmax, ymax)`` in EPSG:4549.

    Returns
    -------
    tuple of float
        The largest 100 m-aligned rectangle inside lon 121.30-122.00,
        lat 29.60-30.10; every generated geometry lies inside it.
    """
    lo0, la0, lo1, la1 = _LONLAT_BOUNDS
    xs, ys = _to_xy([lo0, lo0, lo1, lo1], [la0, la1, la0, la1])
    xmin = math.ceil(max(xs[0], xs[1]) / CELL_M) * CELL_M
    xmax = math.floor(min(xs[2], xs[3]) / CELL_M) * CELL_M
    ymin = math.ceil(max(ys[0], ys[2]) / CELL_M) * CELL_M
    ymax = math.floor(min(ys[1], ys[3]) / CELL_M) * CELL_M
    return (xmin, ymin, xmax, ymax)


_RIVERS: tuple[tuple[tuple[tuple[float, float], ...], float], ...] = (
    # 余姚江 (from the west), half width in metres
    (
        (
            (121.29, 29.965),
            (121.36, 29.945),
            (121.42, 29.915),
            (121.47, 29.900),
            (121.51, 29.888),
            SANJIANGKOU,
        ),
        55.0,
    ),
    # 奉化江 (from the south-west, through 奉化)
    (
        (
            (121.33, 29.59),
            (121.40, 29.650),
            (121.45, 29.720),
            (121.50, 29.780),
            (121.535, 29.830),
            (121.545, 29.860),
            SANJIANGKOU,
        ),
        70.0,
    ),
    # 甬江 (to the sea at 招宝山)
    (
        (
            SANJIANGKOU,
            (121.575, 29.895),
            (121.610, 29.905),
            (121.650, 29.925),
            (121.690, 29.945),
            (121.725, 29.965),
            (121.760, 29.985),
        ),
        120.0,
    ),
)


_RIVER_NAMES = ("余姚江", "奉化江", "甬江")


def _river_parts() -> list[Any]:
    """Each river's surface (buffered centre line), unclipped, in _RIVERS order."""
    parts = []
    for line, half in _RIVERS:
        x, y = _to_xy([p[0] for p in line], [p[1] for p in line])
        parts.append(shapely.buffer(shapely.linestrings(x, y), half, quad_segs=4))
    return parts


def river_polygon() -> shapely.MultiPolygon | shapely.Polygon:
    """Return the river surface (余姚江, 奉化江, 甬江) in EPSG:4549.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        The buffered centre lines, clipped to the city extent. No walk segment
        other than a ``bridge`` intersects it.
    """
    parts = _river_parts()
    river = shapely.intersection(shapely.union_all(parts), shapely.box(*city_extent()))
    return shapely.set_precision(river, 0.01)


_URBAN_BLOBS: tuple[tuple[float, float, float, float], ...] = (
    # lon, lat, sigma (m), weight
    (121.545, 29.872, 6500.0, 1.0),
    (121.565, 29.815, 3800.0, 1.0),
    (121.500, 29.900, 3000.0, 0.9),
    (121.620, 29.930, 2600.0, 0.85),
    (121.705, 29.955, 3000.0, 0.95),
    (121.845, 29.900, 4200.0, 0.95),
    (121.770, 29.925, 2200.0, 0.8),
    (121.410, 29.660, 3000.0, 0.95),
)
_CORRIDORS: tuple[tuple[int, int], ...] = ((0, 4), (4, 5), (1, 7), (0, 3))


class _Urban:
    """The "urban intensity" field in [0, 1] used for masks and weights."""

    def __init__(self) -> None:
        lon = [b[0] for b in _URBAN_BLOBS]
        lat = [b[1] for b in _URBAN_BLOBS]
        self.cx, self.cy = _to_xy(lon, lat)
        self.sigma = np.array([b[2] for b in _URBAN_BLOBS])
        self.weight = np.array([b[3] for b in _URBAN_BLOBS])
        self.corridors = [
            (self.cx[a], self.cy[a], self.cx[b], self.cy[b]) for a, b in _CORRIDORS
        ]

    def __call__(self, x: Float, y: Float) -> Float:
        out = np.zeros(np.shape(x), dtype=float)
        for k in range(len(self.cx)):
            d2 = (x - self.cx[k]) ** 2 + (y - self.cy[k]) ** 2
            out = np.maximum(out, self.weight[k] * np.exp(-d2 / self.sigma[k] ** 2))
        for ax, ay, bx, by in self.corridors:
            dx, dy = bx - ax, by - ay
            t = np.clip(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy), 0, 1)
            d = np.hypot(x - ax - t * dx, y - ay - t * dy)
            out = np.maximum(out, 0.55 * np.exp(-((d / 900.0) ** 2)))
        return out


def _pick(rng: np.random.Generator, p: Float, n: int) -> Int:
    """Draw ``n`` distinct indices with probabilities ``p`` (sorted)."""
    p = p / p.sum()
    n = min(n, int(np.count_nonzero(p)))
    return np.sort(rng.choice(len(p), size=n, replace=False, p=p))


def _choice(rng: np.random.Generator, values: tuple[str, ...], p: Float) -> Any:
    """Pick from ``values`` per row of a probability matrix ``p`` (n, k)."""
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(p))[:, None]
    idx = np.minimum((u > cum).sum(axis=1), len(values) - 1)
    return np.array(values, dtype=object)[idx]


def _round(geoms: Any) -> Any:
    return shapely.set_precision(np.asarray(geoms), 0.01)


def _multi(polys: Any) -> Any:
    polys = np.asarray(polys)
    out = np.empty(len(polys), dtype=object)
    for k, g in enumerate(polys):
        out[k] = g if isinstance(g, shapely.MultiPolygon) else shapely.MultiPolygon([g])
    return out


# --------------------------------------------------------------------- network


@dataclass(frozen=True)
class _Network:
    segments: gpd.GeoDataFrame
    x: Float  # lattice node coordinates (nr, nc)
    y: Float
    alive: Bool  # node belongs to the kept network (nr, nc)
    spacing: Float  # local spacing per lattice node
    line_names: dict[tuple[int, int, int], str]


def _build_network(
    rng: np.random.Generator, sc: _Scale, urban: _Urban, river: Any
) -> _Network:
    xmin, ymin, xmax, ymax = city_extent()
    cx, cy = _to_xy(*SANJIANGKOU)
    cx0, cy0 = float(cx), float(cy)
    corners = np.array([[xmin, ymin], [xmin, ymax], [xmax, ymin], [xmax, ymax]])
    dmax = float(np.max(np.hypot(corners[:, 0] - cx0, corners[:, 1] - cy0)))
    rho_max = (-1 + math.sqrt(1 + 4 * dmax / sc.warp_m)) * sc.warp_m / 2
    n = int(math.ceil(rho_max / sc.spacing_m)) + 1
    ax = np.arange(-n, n + 1, dtype=float)
    u, v = np.meshgrid(ax, ax)  # rows i follow v, cols j follow u
    qx, qy = u * sc.spacing_m, v * sc.spacing_m
    rho = np.hypot(qx, qy)
    g = 1 + rho / sc.warp_m
    local = sc.spacing_m * g
    jit = 0.16 * local
    qx = qx * g + rng.uniform(-1, 1, qx.shape) * jit
    qy = qy * g + rng.uniform(-1, 1, qy.shape) * jit
    t = math.radians(_ROTATION_DEG)
    x = np.round(cx0 + qx * math.cos(t) - qy * math.sin(t), 2)
    y = np.round(cy0 + qx * math.sin(t) + qy * math.cos(t), 2)

    margin = 50.0
    inside = (x > xmin + margin) & (x < xmax - margin)
    inside &= (y > ymin + margin) & (y < ymax - margin)
    urb = np.zeros_like(x)
    urb[inside] = urban(x[inside], y[inside])
    keep = inside & (urb > 0.32 + rng.uniform(-0.04, 0.04, x.shape))
    wet_node = np.zeros_like(keep)
    wet_node[keep] = shapely.contains_xy(river, x[keep], y[keep])
    dry = keep & ~wet_node

    nr, nc = x.shape
    idx = np.arange(nr * nc).reshape(nr, nc)
    shapely.prepare(river)

    def edges(axis: int) -> dict[str, Any]:
        if axis == 1:  # along rows (constant i)
            a, b = idx[:, :-1], idx[:, 1:]
            line = np.broadcast_to(np.arange(nr)[:, None], a.shape)
            along = np.broadcast_to(np.arange(nc - 1)[None, :], a.shape)
        else:
            a, b = idx[:-1, :], idx[1:, :]
            line = np.broadcast_to(np.arange(nc)[None, :], a.shape)
            along = np.broadcast_to(np.arange(nr - 1)[:, None], a.shape)
        return {"a": a, "b": b, "line": line, "along": along}

    xf, yf = x.ravel(), y.ravel()
    keepf, dryf, wetf = keep.ravel(), dry.ravel(), wet_node.ravel()

    def wet_edges(e: dict[str, Any]) -> Bool:
        a, b = e["a"], e["b"]
        both = keepf[a] | keepf[b]
        cand = both & (keepf[a] | wetf[a]) & (keepf[b] | wetf[b])
        out = np.zeros(a.shape, dtype=bool)
        sel = np.nonzero(cand)
        coords = np.stack(
            [
                np.stack([xf[a[sel]], yf[a[sel]]], -1),
                np.stack([xf[b[sel]], yf[b[sel]]], -1),
            ],
            1,
        )
        out[sel] = shapely.intersects(shapely.linestrings(coords), river)
        return out

    eh, ev = edges(1), edges(0)
    wet_h, wet_v = wet_edges(eh), wet_edges(ev)

    # bridge candidates: runs of wet edges along a lattice line with dry ends
    cand: list[tuple[int, int]] = []
    for e, wet in ((eh, wet_h), (ev, wet_v)):
        a_arr, b_arr = e["a"], e["b"]
        w2 = wet
        if e is ev:
            a_arr, b_arr, w2 = a_arr.T, b_arr.T, w2.T
        rows = np.nonzero(w2.any(axis=1))[0]
        for r in rows.tolist():
            wr = w2[r].astype(np.int8)
            d = np.diff(np.concatenate([[0], wr, [0]]))
            starts = np.nonzero(d == 1)[0]
            ends = np.nonzero(d == -1)[0] - 1
            for s, f in zip(starts.tolist(), ends.tolist()):
                na, nb = int(a_arr[r, s]), int(b_arr[r, f])
                inner = b_arr[r, s:f]
                blen = math.hypot(xf[na] - xf[nb], yf[na] - yf[nb])
                if blen > 700 or not (dryf[na] and dryf[nb]):
                    continue
                if inner.size and not bool(np.all(wetf[inner])):
                    continue
                cand.append((na, nb))
    cand_arr = np.array(cand, dtype=np.int64).reshape(-1, 2)
    order = rng.permutation(len(cand_arr))
    mx = (xf[cand_arr[:, 0]] + xf[cand_arr[:, 1]]) / 2
    my = (yf[cand_arr[:, 0]] + yf[cand_arr[:, 1]]) / 2
    core_d = np.hypot(mx - cx0, my - cy0)
    min_gap = np.where(core_d < 6000, sc.bridge_core_m, sc.bridge_far_m)
    chosen: list[int] = []
    for k in order.tolist():
        if chosen:
            ch = np.array(chosen)
            if np.min(np.hypot(mx[ch] - mx[k], my[ch] - my[k])) < min_gap[k]:
                continue
        chosen.append(k)
    bridges = cand_arr[np.sort(np.array(chosen, dtype=np.int64))]

    # line classes and attributes
    def classify(e: dict[str, Any], wet: Bool, other_n: int) -> dict[str, Any]:
        a, b = e["a"].ravel(), e["b"].ravel()
        line = e["line"].ravel() - n
        along = e["along"].ravel()
        ok = dryf[a] & dryf[b] & ~wet.ravel()
        mid_r = np.hypot((xf[a] + xf[b]) / 2 - cx0, (yf[a] + yf[b]) / 2 - cy0)
        al = np.abs(line)
        kind = np.where(
            al % 8 == 0,
            "arterial",
            np.where(
                al % 4 == 0,
                "secondary",
                np.where((al % 2 == 0) | (mid_r > _OLD_CORE_M), "local", "alley"),
            ),
        ).astype(object)
        return {
            "a": a,
            "b": b,
            "line": line,
            "along": along,
            "ok": ok,
            "kind": kind,
        }

    ch_ = classify(eh, wet_h, nc)
    cv_ = classify(ev, wet_v, nr)
    a = np.concatenate([ch_["a"], cv_["a"], bridges[:, 0]])
    b = np.concatenate([ch_["b"], cv_["b"], bridges[:, 1]])
    nb_ = len(bridges)
    orient = np.concatenate(
        [np.zeros(len(ch_["a"]), int), np.ones(len(cv_["a"]), int), np.full(nb_, 2)]
    )
    line = np.concatenate([ch_["line"], cv_["line"], np.zeros(nb_, int)])
    along = np.concatenate([ch_["along"], cv_["along"], np.arange(nb_)])
    kind = np.concatenate([ch_["kind"], cv_["kind"], np.full(nb_, "bridge", object)])
    ok = np.concatenate([ch_["ok"], cv_["ok"], np.ones(nb_, bool)])
    minor = (kind == "local") | (kind == "alley")
    drop = minor & (rng.random(len(a)) < 0.06)
    ok &= ~drop
    foot = minor & (rng.random(len(a)) < 0.04)
    kind = np.where(foot, "footway", kind).astype(object)

    a, b, orient, line, along, kind = (
        arr[ok] for arr in (a, b, orient, line, along, kind)
    )
    # largest connected component
    m = nr * nc
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(m, m))
    _, lab = connected_components(graph, directed=False)
    used = np.zeros(m, bool)
    used[a] = True
    used[b] = True
    counts = np.bincount(lab[used], minlength=lab.max() + 1)
    big = int(np.argmax(counts))
    sel = lab[a] == big
    a, b, orient, line, along, kind = (
        arr[sel] for arr in (a, b, orient, line, along, kind)
    )
    alive = np.zeros(m, bool)
    alive[a] = True
    alive[b] = True

    barrier = (kind == "arterial") & (np.abs(line) % 16 == 0)
    # crossings: perpendicular edges touching a barrier line every 3rd node
    ia, ja = np.divmod(a, nc)
    ib, jb = np.divmod(b, nc)
    col_bar = np.abs(np.arange(nc) - n) % 16 == 0
    row_bar = np.abs(np.arange(nr) - n) % 16 == 0
    crossing = np.zeros(len(a), bool)
    h = orient == 0
    vv = orient == 1
    crossing[h] = (col_bar[ja[h]] | col_bar[jb[h]]) & (ia[h] % 3 == 0)
    crossing[vv] = (row_bar[ia[vv]] | row_bar[ib[vv]]) & (ja[vv] % 3 == 0)

    # names: one per (orientation, line, 2.5 km chunk)
    chunk = np.where(orient == 2, along, along // max(1, int(2500 / sc.spacing_m)))
    keys = np.stack([orient, line, chunk], 1)
    uk, inv = np.unique(keys, axis=0, return_inverse=True)
    inv = inv.ravel()
    k_kind = np.empty(len(uk), object)
    k_kind[inv] = kind
    lab_art = np.abs(uk[:, 1]) % 8 == 0
    lab_alley = np.abs(uk[:, 1]) % 2 == 1
    place = nm.compose(rng, len(uk), nm.PLACE_PARTS)
    road = nm.compose(rng, len(uk), nm.ROAD_PARTS[:5])
    lane = nm.compose(rng, len(uk), nm.ROAD_PARTS[5:])
    art = nm.compose(rng, len(uk), nm.ARTERIAL_NAMES)
    key_names = []
    for k in range(len(uk)):
        if uk[k, 0] == 2:
            bn = nm.BRIDGE_NAMES[int(uk[k, 2]) % len(nm.BRIDGE_NAMES)]
            rep = int(uk[k, 2]) // len(nm.BRIDGE_NAMES)
            key_names.append(bn if rep == 0 else f"{bn[:-1]}{rep + 1}号桥")
        elif lab_art[k]:
            key_names.append(art[k])
        elif lab_alley[k]:
            key_names.append(place[k] + lane[k])
        else:
            key_names.append(place[k] + road[k])
    seg_name = np.array(key_names, dtype=object)[inv]
    line_names = {
        (int(o), int(li), int(c)): key_names[k]
        for k, (o, li, c) in enumerate(uk.tolist())
    }

    coords = np.stack(
        [np.stack([xf[a], yf[a]], -1), np.stack([xf[b], yf[b]], -1)], axis=1
    )
    geoms = shapely.linestrings(coords)
    segs = gpd.GeoDataFrame(
        {
            "code": [f"W{k:07d}" for k in range(len(a))],
            "kind": kind.astype(object),
            "name": seg_name,
            "is_barrier": barrier.astype(bool),
            "is_crossing": crossing.astype(bool),
        },
        geometry=geoms,
        crs=CRS,
    )
    return _Network(segs, x, y, alive.reshape(nr, nc), local, line_names)


# ------------------------------------------------------------------- districts


def _districts(rng: np.random.Generator, net: _Network, urban: _Urban) -> Any:
    box = shapely.box(*city_extent())
    dx, dy = _to_xy([d[2] for d in nm.DISTRICTS], [d[3] for d in nm.DISTRICTS])
    cells = shapely.voronoi_polygons(
        shapely.multipoints(np.stack([dx, dy], 1)), extend_to=box, ordered=True
    )
    dpolys = _round(shapely.intersection(shapely.get_parts(cells), box))
    districts = gpd.GeoDataFrame(
        {
            "code": [d[0] for d in nm.DISTRICTS],
            "name": [d[1] for d in nm.DISTRICTS],
            "is_central": np.array([d[4] for d in nm.DISTRICTS], dtype=bool),
        },
        geometry=_multi(dpolys),
        crs=CRS,
    )

    ax = net.x[net.alive]
    ay = net.y[net.alive]
    s_codes, s_names, s_dist, s_geoms = [], [], [], []
    seeds_x, seeds_y = [], []
    for k, d in enumerate(nm.DISTRICTS):
        poly = dpolys[k]
        inside = shapely.contains_xy(poly, ax, ay)
        px, py = ax[inside], ay[inside]
        w = urban(px, py) ** 2 if len(px) else np.zeros(0)
        n_st = len(d[5])
        order = (
            rng.choice(len(px), size=min(len(px), 400), replace=False, p=w / w.sum())
            if len(px) > n_st
            else np.zeros(0, int)
        )
        sx: list[float] = []
        sy: list[float] = []
        for gap in (1800.0, 1000.0, 500.0, 0.0):
            for o in order.tolist():
                if len(sx) == n_st:
                    break
                if (
                    sx
                    and np.min(np.hypot(np.array(sx) - px[o], np.array(sy) - py[o]))
                    < gap
                ):
                    continue
                sx.append(float(px[o]))
                sy.append(float(py[o]))
            if len(sx) == n_st:
                break
        # fill up with random points in the district polygon (rural seeds)
        minx, miny, maxx, maxy = poly.bounds
        while len(sx) < n_st:
            rx, ry = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if shapely.contains_xy(poly, rx, ry):
                sx.append(float(rx))
                sy.append(float(ry))
        sv = shapely.voronoi_polygons(
            shapely.multipoints(np.stack([sx, sy], 1)), extend_to=poly, ordered=True
        )
        spolys = _round(shapely.intersection(shapely.get_parts(sv), poly))
        for m_, nm_ in enumerate(d[5]):
            s_codes.append(f"{d[0]}{m_ + 1:03d}")
            s_names.append(nm_)
            s_dist.append(d[0])
            s_geoms.append(spolys[m_])
        seeds_x += sx
        seeds_y += sy
    # snap the rounded cells into one exact coverage (no slivers or overlaps)
    cleaned = shapely.coverage_clean(np.array(s_geoms, dtype=object), gap_width=0.5)
    cleaned = _round(cleaned)
    streets = gpd.GeoDataFrame(
        {"code": s_codes, "name": s_names, "district_code": s_dist},
        geometry=_multi(cleaned),
        crs=CRS,
    )
    return districts, streets, np.array(seeds_x), np.array(seeds_y)


def _locate(points: Any, polys: Any) -> Int:
    """Index of the polygon containing each point (nearest when none)."""
    tree = shapely.STRtree(polys)
    out = np.full(len(points), -1, dtype=np.int64)
    pi, ti = tree.query(points, predicate="intersects")
    order = np.lexsort((ti, pi))
    pi, ti = pi[order], ti[order]
    first = np.ones(len(pi), bool)
    first[1:] = pi[1:] != pi[:-1]
    out[pi[first]] = ti[first]
    miss = np.nonzero(out < 0)[0]
    if len(miss):
        out[miss] = tree.query_nearest(points[miss], return_distance=False)[1]
    return out


# ---------------------------------------------------------------------- blocks


def _blocks(net: _Network, river: Any) -> dict[str, Any]:
    al = net.alive
    ok = al[:-1, :-1] & al[:-1, 1:] & al[1:, 1:] & al[1:, :-1]
    ii, jj = np.nonzero(ok)
    x, y = net.x, net.y
    quad = np.stack(
        [
            np.stack([x[ii, jj], y[ii, jj]], -1),
            np.stack([x[ii, jj + 1], y[ii, jj + 1]], -1),
            np.stack([x[ii + 1, jj + 1], y[ii + 1, jj + 1]], -1),
            np.stack([x[ii + 1, jj], y[ii + 1, jj]], -1),
        ],
        axis=1,
    )
    polys = shapely.polygons(quad)
    clear = shapely.is_valid(polys) & ~shapely.intersects(
        polys, shapely.buffer(river, 15.0)
    )
    return {"i": ii[clear], "j": jj[clear], "quad": quad[clear]}


def _shrink(quad: Float, f: Float, centre: Float | None = None) -> Float:
    c = quad.mean(axis=1, keepdims=True) if centre is None else centre[:, None, :]
    return np.round(c + (quad - c) * f[:, None, None], 2)


def _poly(quad: Float) -> Any:
    return shapely.polygons(np.concatenate([quad, quad[:, :1]], axis=1))


# ----------------------------------------------------------------- communities


def _communities(
    rng: np.random.Generator,
    sc: _Scale,
    net: _Network,
    blk: dict[str, Any],
    urban: _Urban,
    streets: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, Int]:
    quad = blk["quad"]
    cen = quad.mean(axis=1)
    w = urban(cen[:, 0], cen[:, 1]) ** 3
    n_cells = int(round(sc.communities / 1.2))
    pick = _pick(rng, w, n_cells)
    q = quad[pick]
    split = rng.random(len(pick)) < 0.2
    # halves across the middle of the "row" sides
    m01 = (q[:, 0] + q[:, 1]) / 2
    m32 = (q[:, 3] + q[:, 2]) / 2
    left = np.stack([q[:, 0], m01, m32, q[:, 3]], 1)
    right = np.stack([m01, q[:, 1], q[:, 2], m32], 1)
    quads = np.concatenate([q[~split], left[split], right[split]])
    cell = np.concatenate([pick[~split], pick[split], pick[split]])
    srt = np.lexsort((quads[:, 0, 0], cell))
    quads, cell = quads[srt], cell[srt]
    n = len(quads)
    # most of a street block is built: neighbouring communities face each other
    # across a street 10-30 m wide, as in Ningbo's old core (what 连片改造 bundles)
    f = rng.uniform(0.87, 0.95, n)
    f = np.minimum(
        f, np.sqrt(rng.uniform(60000, 130000, n) / shapely.area(_poly(quads)))
    )
    sq = _shrink(quads, f)
    # cut a corner from ~30 % of them: a pentagon instead of a quadrilateral
    cut = rng.random(n) < 0.3
    t1 = rng.uniform(0.2, 0.45, n)
    t2 = rng.uniform(0.2, 0.45, n)
    p_a = np.round(sq[:, 0] + (sq[:, 1] - sq[:, 0]) * t1[:, None], 2)
    p_b = np.round(sq[:, 0] + (sq[:, 3] - sq[:, 0]) * t2[:, None], 2)
    penta = np.stack([p_a, sq[:, 1], sq[:, 2], sq[:, 3], p_b, p_a], 1)
    geoms = np.where(cut, shapely.polygons(penta), _poly(sq))
    bad = ~shapely.is_valid(geoms)
    geoms[bad] = _poly(sq[bad])

    c = shapely.centroid(geoms)
    cx, cy = shapely.get_x(c), shapely.get_y(c)
    area = shapely.area(geoms)
    cx0, cy0 = _to_xy(*SANJIANGKOU)
    r_km = np.hypot(cx - cx0, cy - cy0) / 1000
    st_idx = _locate(c, streets.geometry.values)

    late = rng.random(n) < np.clip(0.08 + 0.03 * r_km, 0.05, 0.6)
    year_old = np.clip(
        np.round(1975 + 25 * rng.beta(1.6 + 0.25 * r_km, 1.6, n)), 1975, 2000
    )
    year = np.where(late, rng.integers(2001, 2016, n), year_old).astype(np.int64)
    types = ("commodity", "work_unit", "resettlement", "affordable", "mixed", "villa")
    p_old = np.array([0.37, 0.38, 0.10, 0.07, 0.05, 0.03])
    p_new = np.array([0.55, 0.03, 0.22, 0.12, 0.05, 0.03])
    htype = _choice(rng, types, np.where(late[:, None], p_new, p_old))
    villa = htype == "villa"

    floors = np.where(late, rng.integers(11, 19, n), rng.integers(4, 8, n))
    floors = np.where(late & (rng.random(n) < 0.15), 6, floors)
    floors = np.where(villa, rng.integers(2, 4, n), floors).astype(np.int64)
    far = np.where(late, rng.uniform(1.8, 3.0, n), rng.uniform(1.1, 1.9, n))
    unit = np.where(late, rng.uniform(85, 120, n), rng.uniform(50, 75, n))
    hh = area * far / unit
    hh = np.where(villa, rng.integers(80, 160, n), hh)
    hh = np.where(late, np.clip(hh, 300, 3000), np.clip(hh, 80, 2200))
    hh = np.round(hh).astype(np.int64)
    floor_area = np.round(hh * np.where(villa, rng.uniform(180, 300, n), unit), 1)
    per_bldg = floors * np.where(villa, 0.5, rng.uniform(4, 10, n))
    buildings = np.maximum(1, np.ceil(hh / per_bldg)).astype(np.int64)
    res = np.round(hh * rng.uniform(2.4, 2.9, n)).astype(np.int64)
    res_null = rng.random(n) < 0.05
    residents = pd.array(res, dtype="Int64")
    residents[res_null] = pd.NA
    lifts = np.where(
        late & ~villa,
        buildings * rng.integers(1, 3, n),
        np.where(rng.random(n) < 0.1, rng.integers(1, 5, n), 0),
    ).astype(np.int64)
    shanty = (rng.random(n) < 0.04 * 1.2) & ~late
    expro = (rng.random(n) < 0.03 * 1.15) & ~shanty
    dang_c = np.where(
        (~late) & (rng.random(n) < 0.15), rng.integers(1, 4, n), 0
    ).astype(np.int64)
    dang_d = np.where((~late) & (rng.random(n) < 0.04), 1, 0).astype(np.int64)
    pm = _choice(
        rng,
        ("none", "professional", "self"),
        np.where(late[:, None], [0.03, 0.9, 0.07], [0.35, 0.35, 0.30]),
    )
    tenure = np.where(
        rng.random(n) < np.where(htype == "resettlement", 0.2, 0.035),
        "collective",
        "state",
    ).astype(object)
    fund_std = np.round(floor_area * rng.uniform(30, 50, n), 2)
    frac = np.where(pm == "none", rng.beta(1.2, 4, n), rng.beta(2.2, 2.0, n))
    fund_bal = np.round(fund_std * frac, 2)
    age = np.clip((2001 - year) / 26, 0, 1)
    adv = np.where(late, 0.04, 0.2 + 0.4 * age)
    later = np.linspace(1.0, 0.5, 8)[None, :] * (
        1 + age[:, None] * np.linspace(0, 1, 8)
    )
    later = later / later.sum(axis=1, keepdims=True) * adv[:, None]
    stage = _choice(rng, _STAGES, np.concatenate([(1 - adv)[:, None], later], 1))

    # names
    sfx = np.array(nm.COMMUNITY_SUFFIXES, dtype=object)[
        rng.integers(0, len(nm.COMMUNITY_SUFFIXES), n)
    ]
    sfx = np.where(htype == "villa", "别墅", sfx)
    sfx = np.where((htype == "work_unit") & (rng.random(n) < 0.5), "宿舍", sfx)
    sfx = np.where(htype == "resettlement", "安置小区", sfx)
    place = np.array(nm.compose(rng, n, nm.PLACE_PARTS), dtype=object)
    digits = ("一", "二", "三", "四", "五")
    num = np.where(
        rng.random(n) < 0.15,
        np.array(digits, dtype=object)[rng.integers(0, 5, n)] + "期",
        "",
    )
    name = place + sfx + num
    # committees: one per street and 1.2 km square
    key = np.stack([st_idx, np.floor(cx / 1200), np.floor(cy / 1200)], 1)
    uk, kinv = np.unique(key, axis=0, return_inverse=True)
    cname = np.array(nm.compose(rng, len(uk), nm.PLACE_PARTS, "社区"), dtype=object)
    committee = cname[kinv.ravel()]
    # address: road of the block's first row line
    ci = blk["i"][cell]
    cj = blk["j"][cell]
    nr, nc = net.x.shape
    n0 = (nr - 1) // 2
    chunk_len = max(1, int(2500 / (float(net.spacing.min()))))
    roads = [
        net.line_names.get((0, int(i_) - n0, int(j_) // chunk_len))
        or net.line_names.get((1, int(j_) - n0, int(i_) // chunk_len))
        or "中山路"
        for i_, j_ in zip(ci.tolist(), cj.tolist())
    ]
    nums = rng.integers(1, 400, n)
    address = [f"{r}{k}号" for r, k in zip(roads, nums.tolist())]

    # entrances on the boundary for ~70 %
    has_ent = rng.random(n) < 0.7
    n_ent = np.where(has_ent, rng.integers(1, 4, n), 0)
    owner = np.repeat(np.arange(n), n_ent)
    rings = shapely.get_exterior_ring(geoms)
    pts = shapely.line_interpolate_point(
        rings[owner], rng.random(len(owner)), normalized=True
    )
    pts = _round(pts)
    entr = np.full(n, None, dtype=object)
    if len(owner):
        uo, oi = np.unique(owner, return_inverse=True)
        entr[uo] = shapely.multipoints(pts, indices=oi.ravel())

    codes = [f"CM{k + 1:05d}" for k in range(n)]
    st = streets.iloc[st_idx]
    frame = gpd.GeoDataFrame(
        {
            "code": codes,
            "name": name,
            "district_code": st["district_code"].to_numpy(),
            "street_code": st["code"].to_numpy(),
            "committee": committee,
            "address": np.array(address, dtype=object),
            "completion_year": year,
            "land_tenure": tenure,
            "housing_type": htype,
            "buildings": buildings,
            "max_floors": floors,
            "households": hh,
            "residents": residents,
            "floor_area_m2": floor_area.astype(float),
            "lifts": lifts,
            "in_shanty_plan": shanty.astype(bool),
            "in_expropriation_plan": expro.astype(bool),
            "dangerous_c": dang_c,
            "dangerous_d": dang_d,
            "property_management": pm,
            "fund_balance_yuan": fund_bal.astype(float),
            "fund_standard_yuan": fund_std.astype(float),
            "stage": stage,
            "entrances": gpd.GeoSeries(entr, crs=CRS),
        },
        geometry=_multi(_round(geoms)),
        crs=CRS,
    )
    used_cells = np.unique(cell)
    return frame, used_cells


# ------------------------------------------------------------------ idle land


def _idle_land(
    rng: np.random.Generator, sc: _Scale, blk: dict[str, Any], used: Int
) -> gpd.GeoDataFrame:
    free = np.ones(len(blk["quad"]), bool)
    free[used] = False
    cand = np.nonzero(free)[0]
    pick = np.sort(rng.choice(cand, size=min(sc.idle, len(cand)), replace=False))
    q = blk["quad"][pick]
    n = len(pick)
    cell_area = shapely.area(_poly(q))
    target = np.exp(rng.uniform(math.log(100), math.log(20000), n))
    f = np.clip(np.sqrt(target / cell_area), 0.05, 0.85)
    # centre between the cell centre and a random corner, so plots wander
    corner = q[np.arange(n), rng.integers(0, 4, n)]
    mid = q.mean(axis=1)
    t = rng.uniform(0, 0.5, n) * (0.85 - f) / 0.85
    centre = mid + (corner - mid) * t[:, None]
    geoms = _poly(_shrink(q, f, centre))
    safe = _poly(_shrink(q, np.full(n, 0.9)))
    bad = ~(shapely.is_valid(geoms) & shapely.within(geoms, safe))
    geoms[bad] = _poly(_shrink(q[bad], f[bad]))
    geoms = _round(geoms)
    kinds = ("vacant", "wasteland", "idle", "corner", "demolition", "green")
    kind = _choice(rng, kinds, np.tile([0.2, 0.1, 0.2, 0.25, 0.1, 0.15], (n, 1)))
    collective = rng.random(n) < 0.15
    village = np.array(nm.compose(rng, n, nm.PLACE_PARTS, "村股份经济合作社"))
    owner = np.where(
        collective,
        village,
        np.array(_OWNERS_STATE, dtype=object)[rng.integers(0, len(_OWNERS_STATE), n)],
    ).astype(object)
    consent = _choice(
        rng,
        ("unknown", "asked", "granted", "refused"),
        np.tile([0.35, 0.25, 0.27, 0.13], (n, 1)),
    )
    status = _choice(
        rng, ("available", "reserved", "used"), np.tile([0.8, 0.12, 0.08], (n, 1))
    )
    label = {
        "vacant": "空地",
        "wasteland": "荒地",
        "idle": "闲置地",
        "corner": "边角地",
        "demolition": "拆违腾退地块",
        "green": "公共绿地",
    }
    place = nm.compose(rng, n, nm.PLACE_PARTS)
    names = [f"{p}{label[k]}{i + 1}" for i, (p, k) in enumerate(zip(place, kind))]
    return gpd.GeoDataFrame(
        {
            "code": [f"IL{k + 1:05d}" for k in range(n)],
            "name": np.array(names, dtype=object),
            "kind": kind,
            "owner": owner,
            "tenure": np.where(collective, "collective", "state").astype(object),
            "consent": consent,
            "status": status,
        },
        geometry=geoms,
        crs=CRS,
    )


# -------------------------------------------------------------- vacant housing


def _vacant_housing(
    rng: np.random.Generator, sc: _Scale, comm: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    n = min(sc.vacant, len(comm))
    pick = np.sort(rng.choice(len(comm), size=n, replace=False))
    polys = shapely.get_geometry(comm.geometry.values[pick], 0)
    area = np.exp(rng.uniform(math.log(60), math.log(2000), n))
    floors = rng.integers(1, 7, n)
    foot = area / floors
    c = shapely.centroid(polys)
    side = np.sqrt(foot)
    ratio = rng.uniform(0.6, 1.6, n)
    w, h = side * ratio / 2, side / ratio / 2
    px, py = shapely.get_x(c), shapely.get_y(c)
    boxes = shapely.box(px - w, py - h, px + w, py + h)
    ok = shapely.within(boxes, polys)
    # fall back to a smaller footprint; drop the footprint when it still fails
    small = shapely.box(px - w / 2, py - h / 2, px + w / 2, py + h / 2)
    boxes = np.where(ok, boxes, small)
    ok = shapely.within(boxes, polys)
    has = ok & (rng.random(n) < 0.6)
    footprint = np.where(has, _round(boxes), None)
    pts = _round(shapely.points(np.round(px, 2), np.round(py, 2)))
    owner = _choice(
        rng, ("public", "commercial", "work_unit"), np.tile([0.5, 0.2, 0.3], (n, 1))
    )
    status = _choice(
        rng, ("available", "reserved", "used"), np.tile([0.75, 0.15, 0.1], (n, 1))
    )
    label = {"public": "公房", "commercial": "商业用房", "work_unit": "单位用房"}
    cname = comm["name"].to_numpy()[pick]
    names = [f"{c_}闲置{label[o]}" for c_, o in zip(cname, owner)]
    return gpd.GeoDataFrame(
        {
            "code": [f"VH{k + 1:05d}" for k in range(n)],
            "name": np.array(names, dtype=object),
            "address": comm["address"].to_numpy()[pick],
            "floor_area_m2": np.round(area, 1),
            "floors": floors.astype(np.int64),
            "owner_kind": owner,
            "status": status,
            "footprint": gpd.GeoSeries(footprint, crs=CRS),
        },
        geometry=pts,
        crs=CRS,
    )


# ------------------------------------------------------------------- amenities


def _service_level(
    rng: np.random.Generator, comm: gpd.GeoDataFrame
) -> tuple[Float, Int, int]:
    """Service level of each community and its committee index.

    The level is high in the old core around 三江口 (海曙 / 江北 / 鄞州) and
    falls off outwards (北仑, 镇海, 奉化 and the edges keep only what their own
    town centre gives), plus a random effect per street (街道) and per
    committee (社区), so that well and poorly served neighbourhoods cluster.
    """
    c = shapely.centroid(comm.geometry.values)
    cx, cy = shapely.get_x(c), shapely.get_y(c)
    hx, hy = _to_xy([h[0] for h in _HUBS], [h[1] for h in _HUBS])
    hub = np.zeros(len(cx))
    for k, (_, _, sigma, weight) in enumerate(_HUBS):
        d2 = (cx - hx[k]) ** 2 + (cy - hy[k]) ** 2
        hub = np.maximum(hub, weight * np.exp(-d2 / sigma**2))
    street = comm["street_code"].to_numpy(dtype=str)
    _, st_inv = np.unique(street, return_inverse=True)
    key = np.char.add(np.char.add(street, "|"), comm["committee"].to_numpy(dtype=str))
    cm_keys, cm_inv = np.unique(key, return_inverse=True)
    st_eff = rng.normal(0.0, _ST_SD, int(st_inv.max()) + 1)[st_inv.ravel()]
    cm_eff = rng.normal(0.0, _CM_SD, len(cm_keys))[cm_inv.ravel()]
    level = _LEVEL_BASE + hub + st_eff + cm_eff
    return level, cm_inv.ravel().astype(np.int64), len(cm_keys)


@dataclass(frozen=True)
class _Sites:
    """Where facilities can go: community anchors and network nodes."""

    cxy: Float  # community centroids (n, 2)
    ctree: cKDTree
    people: Float  # residents per community
    anc_start: Int  # anchors of community i: rows anc_start[i]:anc_start[i+1]
    anc_xy: Float  # gates (8 boundary points when a community has none)
    anc_street: Float  # nearest point of the walk network to each anchor
    nxy: Float  # alive network nodes (m, 2)
    ntree: cKDTree
    nsp: Float  # local lattice spacing per node


def _sites(rng: np.random.Generator, comm: gpd.GeoDataFrame, net: _Network) -> _Sites:
    geoms = shapely.get_geometry(comm.geometry.values, 0)
    n = len(geoms)
    c = shapely.centroid(geoms)
    cxy = np.stack([shapely.get_x(c), shapely.get_y(c)], 1)
    res = comm["residents"].to_numpy(dtype=float, na_value=np.nan)
    hh = comm["households"].to_numpy(dtype=float)
    ent = comm["entrances"].values
    has = ~(shapely.is_missing(ent) | shapely.is_empty(ent))
    counts = np.full(n, 8, np.int64)
    counts[has] = shapely.get_num_geometries(ent[has])
    start = np.concatenate([[0], np.cumsum(counts)])
    anc = np.zeros((int(start[-1]), 2))
    if has.any():
        rows = np.concatenate(
            [np.arange(start[i], start[i + 1]) for i in np.flatnonzero(has)]
        )
        anc[rows] = shapely.get_coordinates(ent[has])
    no = np.flatnonzero(~has)
    if len(no):
        frac = (rng.random(len(no))[:, None] + np.arange(8)[None, :] / 8) % 1.0
        rings = np.repeat(shapely.get_exterior_ring(geoms[no]), 8)
        pts = shapely.line_interpolate_point(rings, frac.ravel(), normalized=True)
        rows = (start[no][:, None] + np.arange(8)[None, :]).ravel()
        anc[rows] = shapely.get_coordinates(pts)
    segs = net.segments.geometry.values
    pts = shapely.points(anc)
    near = shapely.STRtree(segs).query_nearest(
        pts, return_distance=False, all_matches=False
    )
    pi, si = near
    on = shapely.line_interpolate_point(
        segs[si], shapely.line_locate_point(segs[si], pts[pi])
    )
    street = np.zeros_like(anc)
    street[pi] = shapely.get_coordinates(on)
    nxy = np.stack([net.x[net.alive], net.y[net.alive]], 1)
    return _Sites(
        cxy=cxy,
        ctree=cKDTree(cxy),
        people=np.where(np.isnan(res), hh * 2.6, res),
        anc_start=start,
        anc_xy=anc,
        anc_street=street,
        nxy=nxy,
        ntree=cKDTree(nxy),
        nsp=net.spacing[net.alive],
    )


def _site_near(
    rng: np.random.Generator, s: _Sites, i: int, reach: float
) -> tuple[float, float, float, float]:
    """A facility spot serving community ``i``, plus a dry fallback spot.

    5-minute facilities (small shops, stations, often in a ground-floor
    room) go between one of the community's gates and the street in front of
    it; larger ones near a network node within ``0.3 * reach`` of that
    street point.
    """
    k = int(s.anc_start[i] + rng.integers(0, s.anc_start[i + 1] - s.anc_start[i]))
    ax, ay = s.anc_xy[k]
    sx, sy = s.anc_street[k]
    if reach <= 300.0:
        t = float(rng.uniform(0.3, 0.9))
        return ax + (sx - ax) * t, ay + (sy - ay) * t, ax, ay
    near = sorted(s.ntree.query_ball_point([sx, sy], 0.3 * reach))
    j = (
        near[int(rng.integers(0, len(near)))]
        if near
        else int(s.ntree.query([sx, sy])[1])
    )
    ang = float(rng.uniform(0, 2 * math.pi))
    rad = float(rng.uniform(0.03, 0.3)) * s.nsp[j]
    nx_, ny_ = s.nxy[j]
    return nx_ + rad * math.cos(ang), ny_ + rad * math.sin(ang), nx_, ny_


def _serve(
    rng: np.random.Generator,
    cat: _Cat,
    s: _Sites,
    level: Float,
    committee: Int,
    n_committees: int,
    street: Int,
    seeds: tuple[Float, Float],
) -> Float:
    """Service-driven facilities of one category: ``(k, 4)`` spots + fallbacks.

    A community is *meant* to be served when its service level plus a
    committee-level and a community-level noise exceeds ``cat.tau``. Walking
    the communities in random order, each one that is meant to be served and
    is not yet near a facility (centre within ``0.6 * reach``, a margin for
    the walk being longer than the straight line) gets a new facility next to
    it; that facility also serves its neighbours. Communities that are not
    meant to be served stay uncovered unless a neighbour's facility reaches
    them, so gaps come in clusters, more often where the level is low.
    Categories of ``_PER_STREET`` first get one facility per street, at the
    community with the most residents within 700 m (at the street's seed when
    the street has no community).
    """
    n = len(s.cxy)
    noise = rng.normal(0.0, _CAT_CM_SD, n_committees)[committee]
    noise += rng.normal(0.0, _CAT_SD, n)
    want = level + noise > (cat.tau if cat.tau is not None else np.inf)
    covered = np.zeros(n, bool)
    out: list[tuple[float, float, float, float]] = []

    def add(i: int) -> None:
        spot = _site_near(rng, s, i, cat.reach_m)
        out.append(spot)
        covered[i] = True
        covered[s.ctree.query_ball_point(spot[:2], _REACH_SHARE * cat.reach_m)] = True

    if cat.code in _PER_STREET:
        around = s.ctree.query_ball_point(s.cxy, 700.0)
        pop = np.array([s.people[np.asarray(a, np.int64)].sum() for a in around])
        for st in range(len(seeds[0])):
            members = np.flatnonzero(street == st)
            if len(members):
                add(int(members[np.argmax(pop[members])]))
            else:
                k = int(s.ntree.query([seeds[0][st], seeds[1][st]])[1])
                out.append((*s.nxy[k], *s.nxy[k]))
    # densest first (residents meant to be served around), random tie-break
    cand = np.flatnonzero(want)
    around = s.ctree.query_ball_point(s.cxy[cand], _REACH_SHARE * cat.reach_m)
    dense = np.array(
        [s.people[np.asarray(a, np.int64)][want[a]].sum() for a in around]
    ).reshape(-1)
    dense = dense * rng.uniform(0.7, 1.0, len(cand))
    for i in cand[np.argsort(-dense, kind="stable")].tolist():
        if not covered[i]:
            add(i)
    return np.array(out, dtype=float).reshape(-1, 4)


def _amenities(
    rng: np.random.Generator,
    sc: _Scale,
    net: _Network,
    urban: _Urban,
    river: Any,
    streets: gpd.GeoDataFrame,
    comm: gpd.GeoDataFrame,
    seeds: tuple[Float, Float],
    bar: Callable[[Iterator[Any]], Iterator[Any]],
) -> gpd.GeoDataFrame:
    alive = net.alive
    nx_, ny_ = net.x[alive], net.y[alive]
    sp = net.spacing[alive]
    base = urban(nx_, ny_)
    tree = cKDTree(np.stack(seeds, 1))
    dseed, _ = tree.query(np.stack([nx_, ny_], 1))
    centre = 1 + 2.5 * np.exp(-((dseed / 900.0) ** 2))
    node_street = _locate(shapely.points(nx_, ny_), streets.geometry.values)
    n_st = len(streets)
    street_of = {c: k for k, c in enumerate(streets["code"].tolist())}
    comm_street = np.array(
        [street_of[c] for c in comm["street_code"].tolist()], dtype=np.int64
    )
    sites = _sites(rng, comm, net)
    level, committee, n_cm = _service_level(rng, comm)
    xmin, ymin, xmax, ymax = city_extent()
    xs: list[Float] = []
    ys: list[Float] = []
    cats: list[NDArray[Any]] = []
    caps: list[NDArray[Any]] = []
    areas: list[Float] = []
    for cat in bar(iter(_CATS)):
        # service-driven facilities next to the communities they serve
        sv = _serve(rng, cat, sites, level, committee, n_cm, comm_street, seeds)
        # background: density-driven, the rest of the city's supply
        mask = rng.random(n_st) >= cat.gap
        w = base**cat.expo * centre * mask[node_street]
        k = int(round(cat.bg * sc.amenity_factor))
        sel = rng.choice(len(w), size=k, replace=True, p=w / w.sum())
        ang = rng.uniform(0, 2 * math.pi, k)
        rad = rng.uniform(0.03, 0.3, k) * sp[sel]
        px = np.round(np.concatenate([sv[:, 0], nx_[sel] + rad * np.cos(ang)]), 2)
        py = np.round(np.concatenate([sv[:, 1], ny_[sel] + rad * np.sin(ang)]), 2)
        fx = np.round(np.concatenate([sv[:, 2], nx_[sel]]), 2)
        fy = np.round(np.concatenate([sv[:, 3], ny_[sel]]), 2)
        ok = ~shapely.contains_xy(river, px, py)
        ok &= (px > xmin) & (px < xmax) & (py > ymin) & (py < ymax)
        # keep the fallback spot (a gate or a node) when the offset is wet
        px = np.where(ok, px, fx)
        py = np.where(ok, py, fy)
        m = len(px)
        xs.append(px)
        ys.append(py)
        cats.append(np.full(m, cat.code, dtype=object))
        if cat.cap is None:
            caps.append(np.full(m, -1, dtype=np.int64))
        else:
            cv = rng.integers(cat.cap[0], cat.cap[1] + 1, m)
            caps.append(np.where(rng.random(m) < 0.1, -1, cv))
        if cat.area is None:
            areas.append(np.full(m, np.nan))
        else:
            av = np.round(cat.area * rng.uniform(0.6, 1.8, m), 1)
            areas.append(np.where(rng.random(m) < 0.15, np.nan, av))
    x = np.concatenate(xs)
    y = np.concatenate(ys)
    cat_arr = np.concatenate(cats)
    cap_arr = np.concatenate(caps)
    capacity = pd.array(cap_arr, dtype="Int64")
    capacity[cap_arr < 0] = pd.NA
    n = len(x)
    place = np.array(nm.compose(rng, n, nm.PLACE_PARTS), dtype=object)
    suffix_of = {c.code: c.suffix for c in _CATS}
    bank = np.array(_BANKS, dtype=object)[rng.integers(0, len(_BANKS), n)]
    store = np.array(_STORES, dtype=object)[rng.integers(0, len(_STORES), n)]
    names = []
    for k, (c, p) in enumerate(zip(cat_arr.tolist(), place.tolist())):
        if c == "bank":
            names.append(f"{bank[k]}{p}支行")
        elif c == "convenience_store":
            names.append(f"{store[k]}便利{p}店")
        elif c == "bus_stop":
            names.append(f"{p}公交站")
        else:
            names.append(p + suffix_of[c])
    return gpd.GeoDataFrame(
        {
            "code": [f"AM{k + 1:06d}" for k in range(n)],
            "name": np.array(names, dtype=object),
            "category": cat_arr,
            "capacity": capacity,
            "floor_area_m2": np.concatenate(areas),
            "source": np.full(n, "demo", dtype=object),
        },
        geometry=shapely.points(x, y),
        crs=CRS,
    )


# ------------------------------------------------------------------ population


def _population(
    comm: gpd.GeoDataFrame, urban: _Urban, river: Any
) -> tuple[NDArray[np.float32], Affine]:
    from rasterio.features import rasterize

    xmin, ymin, xmax, ymax = city_extent()
    width = int(round((xmax - xmin) / CELL_M))
    height = int(round((ymax - ymin) / CELL_M))
    transform = Affine(CELL_M, 0.0, xmin, 0.0, -CELL_M, ymax)
    geoms = comm.geometry.values
    ids = rasterize(
        ((g, k + 1) for k, g in enumerate(geoms)),
        out_shape=(height, width),
        transform=transform,
        fill=0,
        dtype="int32",
    )
    people = comm["residents"].to_numpy(dtype=float, na_value=np.nan)
    hh = comm["households"].to_numpy(dtype=float)
    people = np.where(np.isnan(people), hh * 2.6, people)
    flat = ids.ravel()
    counts = np.bincount(flat, minlength=len(geoms) + 1)[1:]
    pop = np.zeros(height * width, dtype=np.float64)
    has = flat > 0
    pop[has] = people[flat[has] - 1] / counts[flat[has] - 1]
    miss = np.nonzero(counts == 0)[0]
    if len(miss):
        c = shapely.centroid(geoms[miss])
        col = np.floor((shapely.get_x(c) - xmin) / CELL_M).astype(np.int64)
        row = np.floor((ymax - shapely.get_y(c)) / CELL_M).astype(np.int64)
        np.add.at(pop, row * width + col, people[miss])
    cols = np.arange(width)
    rows = np.arange(height)
    gx, gy = np.meshgrid(xmin + (cols + 0.5) * CELL_M, ymax - (rows + 0.5) * CELL_M)
    gx, gy = gx.ravel(), gy.ravel()
    bg = np.round(3.0 * urban(gx, gy) ** 2, 2)
    wet = shapely.contains_xy(river, gx, gy)
    empty = (pop == 0) & ~wet
    pop[empty] = bg[empty]
    return pop.reshape(height, width).astype(np.float32), transform


# ------------------------------------------------------------------ public API


def generate_city(
    *, seed: int = 42, scale: str = "small", progress: bool = False
) -> DemoCity:
    """Generate the demo city of central Ningbo.

    Parameters
    ----------
    seed
        Seed of the only random generator; the same seed gives identical
        layers and raster.
    scale
        ``"small"`` (~600 communities, a few thousand walk nodes; what
        ``make run`` loads) or ``"city"`` (>= 3 000 communities, >= 150 000
        walk nodes, >= 50 000 amenities; for benchmarks).
    progress
        Show a tqdm progress bar over the generation steps.

    Returns
    -------
    DemoCity
        All layers in EPSG:4549 with the columns of ``docs/DATA_MODEL.md``.

    Raises
    ------
    ValueError
        When ``scale`` is unknown.
    """
    if scale not in _SCALES:
        raise ValueError(f"scale must be one of {sorted(_SCALES)}, got {scale!r}")
    sc = _SCALES[scale]
    rng = np.random.default_rng(seed)
    steps = tqdm(
        total=8, desc=f"demo city ({scale})", disable=not progress, unit="step"
    )

    def step(label: str) -> None:
        steps.set_postfix_str(label)
        steps.update(1)

    def bar(it: Iterator[Any]) -> Iterator[Any]:
        return iter(
            tqdm(
                it,
                total=len(_CATS),
                desc="amenities",
                disable=not progress,
                leave=False,
            )
        )

    urban = _Urban()
    river = river_polygon()
    shapely.prepare(river)
    step("river")
    net = _build_network(rng, sc, urban, river)
    step("walk network")
    districts, streets, sx, sy = _districts(rng, net, urban)
    step("districts and streets")
    blk = _blocks(net, river)
    comm, used = _communities(rng, sc, net, blk, urban, streets)
    step("communities")
    idle = _idle_land(rng, sc, blk, used)
    step("idle land")
    vacant = _vacant_housing(rng, sc, comm)
    step("vacant housing")
    amen = _amenities(rng, sc, net, urban, river, streets, comm, (sx, sy), bar)
    step("amenities")
    pop, transform = _population(comm, urban, river)
    step("population raster")
    base = basemap(seed, scale, net.segments, blk, used, idle)
    steps.close()
    return DemoCity(
        districts=districts,
        streets=streets,
        communities=comm,
        idle_land=idle,
        vacant_housing=vacant,
        amenities=amen,
        walk_segments=net.segments,
        population=pop,
        population_transform=transform,
        seed=seed,
        scale=scale,
        stage_history=stage_history(comm, seed=seed),
        basemap=base,
    )


#: real parks of central Ningbo near their places (lon, lat); each takes the nearest
#: free block within _PARK_REACH_M
_PARKS: tuple[tuple[str, float, float], ...] = (
    ("月湖公园", 121.5440, 29.8690),
    ("中山公园", 121.5480, 29.8745),
    ("日湖公园", 121.5680, 29.8930),
    ("湾头公园", 121.5560, 29.8890),
    ("老外滩公园", 121.5610, 29.8800),
    ("鄞州公园", 121.5530, 29.8150),
    ("东部新城中央公园", 121.6000, 29.8700),
    ("镇海公园", 121.7150, 29.9500),
    ("北仑中河公园", 121.8450, 29.9000),
    ("奉化锦屏公园", 121.4100, 29.6600),
)
_PARK_REACH_M = 1500.0
#: neighbourhood green spaces on other free blocks, per scale
_GREENS = {"small": 12, "city": 150}


def basemap(
    seed: int,
    scale: str,
    segments: gpd.GeoDataFrame,
    blk: dict[str, Any],
    used: Int,
    idle: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """The basemap of the demo city: rivers, main roads and parks (module docstring).

    Columns ``code``, ``kind`` (water / road / park), ``name``, ``road_class``,
    ``levels`` (always null: no buildings), ``source``; EPSG:4549.
    """
    rng = np.random.default_rng([seed, 0xBA5E])
    rows: list[tuple[str, str, str, str, Any]] = []
    ext = shapely.box(*city_extent())
    for i, (name, part) in enumerate(zip(_RIVER_NAMES, _river_parts(), strict=True)):
        geom = shapely.set_precision(shapely.intersection(part, ext), 0.01)
        rows.append((f"demo-water-{i + 1}", "water", name, "", geom))
    main = segments[segments["kind"].isin(["arterial", "secondary"])]
    for k, ((kind, name), grp) in enumerate(
        main.groupby(["kind", "name"], sort=True), start=1
    ):
        merged = shapely.line_merge(shapely.union_all(grp.geometry.to_numpy()))
        road_class = "primary" if kind == "arterial" else "secondary"
        rows.append((f"demo-road-{k:05d}", "road", str(name), road_class, merged))
    # parks on blocks that no community or idle plot uses
    free = np.ones(len(blk["quad"]), bool)
    free[used] = False
    cells = _poly(blk["quad"])
    if len(idle):
        hit = shapely.STRtree(idle.geometry.to_numpy()).query(cells, "intersects")[0]
        free[np.unique(hit)] = False
    cand = np.flatnonzero(free)
    if cand.size:
        centres = blk["quad"][cand].mean(axis=1)
        tree = cKDTree(centres)
        taken: set[int] = set()
        n_park = 0
        px, py = _to_xy([p[1] for p in _PARKS], [p[2] for p in _PARKS])
        for (name, _lon, _lat), x, y in zip(_PARKS, px, py, strict=True):
            d, j = tree.query([x, y], k=min(8, cand.size))
            for dd, jj in zip(np.atleast_1d(d), np.atleast_1d(j), strict=True):
                if dd <= _PARK_REACH_M and int(jj) not in taken:
                    taken.add(int(jj))
                    n_park += 1
                    geom = _poly(_shrink(blk["quad"][cand[[jj]]], np.array([0.9])))[0]
                    rows.append((f"demo-park-{n_park:04d}", "park", name, "", geom))
                    break
        rest = np.array([j for j in range(cand.size) if j not in taken], dtype=np.int64)
        n = min(_GREENS.get(scale, 0), rest.size)
        pick = np.sort(rng.choice(rest, size=n, replace=False)) if n else rest[:0]
        place = nm.compose(rng, n, nm.PLACE_PARTS)
        shrink = rng.uniform(0.55, 0.85, n)
        for j, p, f in zip(pick, place, shrink, strict=True):
            n_park += 1
            geom = _poly(_shrink(blk["quad"][cand[[j]]], np.array([f])))[0]
            rows.append((f"demo-park-{n_park:04d}", "park", f"{p}绿地", "", geom))
    return gpd.GeoDataFrame(
        {
            "code": [r[0] for r in rows],
            "kind": [r[1] for r in rows],
            "name": [r[2] for r in rows],
            "road_class": [r[3] for r in rows],
            "levels": pd.array([None] * len(rows), dtype="Int64"),
            "source": "demo",
        },
        geometry=_round(np.array([r[4] for r in rows], dtype=object)),
        crs=CRS,
    )


HISTORY_START = pd.Timestamp("2021-03-01", tz="Asia/Shanghai")
HISTORY_END = pd.Timestamp("2026-10-31", tz="Asia/Shanghai")


def stage_history(communities: pd.DataFrame, *, seed: int) -> pd.DataFrame:
    """How each community reached its current stage: one row per recorded state.

    Every community gets a first record (``not_started``) some time after
    ``HISTORY_START``, then one record per stage up to its current one, 1–8
    months apart, all before ``HISTORY_END``; the last record is the current
    state. Old walk-ups (built before 2000) that are renovated now (竣工验收 or
    later) and have lifts got them in the works (加装电梯, 二(二)): their lifts
    are 0 until the ``accepted`` record. Drawn from a random stream of its own
    (``[seed, 0x5747]``), so adding this history leaves the rest of the city
    exactly as it was.

    Returns a DataFrame with ``code``, ``date`` (tz-aware), ``stage``,
    ``lifts`` and ``first`` (the creation record), ordered by code and date.
    """
    rng = np.random.default_rng([seed, 0x5747])
    order = {s: i for i, s in enumerate(_STAGES)}
    accepted = order["accepted"]
    codes = communities["code"].to_numpy()
    stages = communities["stage"].map(order).to_numpy(np.int64)
    lifts = communities["lifts"].to_numpy(np.int64)
    old = communities["completion_year"].to_numpy(np.int64) < 2000
    span_days = (HISTORY_END - HISTORY_START).days
    rows: list[tuple] = []
    for i, code in enumerate(codes):
        k = int(stages[i])
        gaps = rng.uniform(30, 240, size=k + 1)  # first record, then one per stage
        gaps[0] = rng.uniform(0, 120)
        days = np.cumsum(gaps)
        if days[-1] > span_days:
            days = days * (span_days / days[-1])
        days = np.floor(days).astype(np.int64)
        installed = bool(old[i] and k >= accepted and lifts[i] > 0)
        for j in range(k + 1):
            at = HISTORY_START + pd.Timedelta(days=int(days[j]), hours=9 + j % 8)
            before = installed and j < accepted
            rows.append((code, at, _STAGES[j], 0 if before else int(lifts[i]), j == 0))
    return pd.DataFrame(rows, columns=["code", "date", "stage", "lifts", "first"])


def write_population_tiff(city: DemoCity, path: str | PathLike[str]) -> None:
    """Write the population raster as a deterministic GeoTIFF.

    Parameters
    ----------
    city
        A generated city.
    path
        Output file; overwritten.

    Notes
    -----
    GTiff, one float32 band of residents per 100 m cell, EPSG:4549, DEFLATE
    compression, no nodata and no timestamp, so equal cities give identical
    bytes.
    """
    import rasterio

    h, w = city.population.shape
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=h,
        width=w,
        count=1,
        dtype="float32",
        crs=CRS,
        transform=city.population_transform,
        compress="deflate",
    ) as dst:
        dst.write(city.population, 1)
