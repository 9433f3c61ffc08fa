"""A walking-distance surface on a regular grid, for a GeoTIFF that QGIS opens."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree


def distance_surface(
    node_xy: npt.NDArray[np.float64],
    node_distance_m: npt.NDArray[np.float64],
    bounds: tuple[float, float, float, float],
    *,
    cell_m: float = 50.0,
    max_offset_m: float = 150.0,
) -> tuple[npt.NDArray[np.float32], tuple[float, float, float, float, float, float]]:
    """Walking distance to the nearest facility for every cell centre of a grid.

    Parameters
    ----------
    node_xy
        Network node coordinates (n × 2, metric CRS).
    node_distance_m
        Network distance from each node to the nearest facility (``inf`` beyond the limit).
    bounds
        ``(minx, miny, maxx, maxy)`` of the grid in the same CRS.
    cell_m
        Cell size in metres.
    max_offset_m
        Cells farther than this from any network node are no-data (NaN).

    Returns
    -------
    tuple
        The float32 grid (north-up, NaN = no data / beyond the limit) and the GDAL
        geotransform ``(minx, cell, 0, maxy, 0, -cell)``.

    Notes
    -----
    A cell's value is the straight-line walk from its centre to the nearest network node
    plus that node's network distance: the walk onto the network is approximated by the
    nearest node (an over-estimate of at most half a segment).
    """
    if cell_m <= 0 or not np.isfinite(cell_m):
        msg = f"cell_m must be positive, got {cell_m!r}."
        raise ValueError(msg)
    minx, miny, maxx, maxy = bounds
    if not (maxx > minx and maxy > miny):
        msg = f"bounds must be ordered (minx, miny, maxx, maxy), got {bounds!r}."
        raise ValueError(msg)
    width = int(np.ceil((maxx - minx) / cell_m))
    height = int(np.ceil((maxy - miny) / cell_m))
    if width * height > 50_000_000:
        msg = f"grid of {width}×{height} cells is too large; use a bigger cell size."
        raise ValueError(msg)
    xs = minx + (np.arange(width) + 0.5) * cell_m
    ys = maxy - (np.arange(height) + 0.5) * cell_m
    gx, gy = np.meshgrid(xs, ys)
    tree = cKDTree(node_xy)
    offset, idx = tree.query(
        np.column_stack([gx.ravel(), gy.ravel()]), distance_upper_bound=max_offset_m
    )
    out = np.full(offset.shape, np.nan, dtype=np.float64)
    ok = np.isfinite(offset)
    out[ok] = offset[ok] + node_distance_m[idx[ok]]
    out[~np.isfinite(out)] = np.nan
    transform = (minx, cell_m, 0.0, maxy, 0.0, -cell_m)
    return out.reshape(height, width).astype(np.float32), transform


def surface_bounds(
    xy: Any, *, margin_m: float = 200.0
) -> tuple[float, float, float, float]:
    """Bounds of points with a margin."""
    xy = np.asarray(xy, dtype=float)
    return (
        float(xy[:, 0].min() - margin_m),
        float(xy[:, 1].min() - margin_m),
        float(xy[:, 0].max() + margin_m),
        float(xy[:, 1].max() + margin_m),
    )
