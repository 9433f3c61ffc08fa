"""Idle land and vacant public housing."""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geoapp.demo import names as nm
from geoapp.demo.generator.districts import _poly, _shrink
from geoapp.demo.generator.frame import CRS, Int, _Scale
from geoapp.demo.generator.sampling import _choice, _round

_OWNERS_STATE = (
    "海曙区住建局",
    "江北区住建局",
    "鄞州区住建局",
    "宁波市国资委",
    "宁波城投集团",
    "街道办事处",
)


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
