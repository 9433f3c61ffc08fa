"""Amenities of every category, placed by density and by service level."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from geoapp.demo import names as nm
from geoapp.demo.generator.districts import _locate
from geoapp.demo.generator.frame import CRS, SANJIANGKOU, Float, Int, _Scale
from geoapp.demo.generator.geography import _to_xy, _Urban, city_extent
from geoapp.demo.generator.network import _Network


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


_BANKS = ("工商银行", "农业银行", "中国银行", "建设银行", "宁波银行", "鄞州银行")
_STORES = ("快客", "好德", "十足", "喜士多", "罗森", "全家")


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
