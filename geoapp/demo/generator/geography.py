"""Central Ningbo's geography: extent, the three rivers, the urban field."""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer

from geoapp.demo.generator.frame import _LONLAT_BOUNDS, CELL_M, CRS, SANJIANGKOU, Float


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
