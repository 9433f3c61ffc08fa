"""The basemap: river, parks and neighbourhood greens."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from geoapp.demo import names as nm
from geoapp.demo.generator.districts import _poly, _shrink
from geoapp.demo.generator.frame import CRS, Int
from geoapp.demo.generator.geography import (
    _RIVER_NAMES,
    _river_parts,
    _to_xy,
    city_extent,
)
from geoapp.demo.generator.sampling import _round

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
_GREENS = {"small": 12, "city": 150, "region": 700}


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
