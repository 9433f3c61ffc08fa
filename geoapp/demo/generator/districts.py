"""Districts and streets (Voronoi cells) and the blocks between streets."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geoapp.demo import names as nm
from geoapp.demo.generator.frame import CRS, Float, Int
from geoapp.demo.generator.geography import _to_xy, _Urban, city_extent
from geoapp.demo.generator.network import _Network
from geoapp.demo.generator.sampling import _multi, _round


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
