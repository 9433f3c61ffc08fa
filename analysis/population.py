"""Residents per polygon from a population raster (zonal sum), for communities with no count."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from rasterio import features
from rasterio.transform import rowcol


def zonal_sum(
    array: npt.NDArray[np.floating[Any]],
    transform: Any,
    geoms: Any,
) -> npt.NDArray[np.float64]:
    """Sum raster cells per polygon.

    Parameters
    ----------
    array
        2-D raster of counts per cell (no-data already filled with 0).
    transform
        The raster's affine transform (same CRS as ``geoms``).
    geoms
        Polygons (array-like of shapely geometries).

    Returns
    -------
    numpy.ndarray
        One sum per polygon.

    Notes
    -----
    Each cell belongs to at most one polygon: the one that covers its centre
    (``rasterio.features.rasterize``; later polygons win on overlap). A polygon
    that covers no cell centre (smaller than a cell) gets the value of the cell
    under its representative point, scaled by its share of the cell's area.
    """
    geoms = np.asarray(geoms, dtype=object)
    if array.ndim != 2:
        msg = f"array must be 2-D, got {array.ndim} dimensions."
        raise ValueError(msg)
    n = len(geoms)
    if n == 0:
        return np.zeros(0)
    labels = features.rasterize(
        ((g, i + 1) for i, g in enumerate(geoms) if g is not None and not g.is_empty),
        out_shape=array.shape,
        transform=transform,
        fill=0,
        dtype="int32",
    )
    sums = np.bincount(labels.ravel(), weights=array.ravel(), minlength=n + 1)[1:]
    counts = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    small = np.flatnonzero(counts == 0)
    if len(small):
        cell_area = abs(transform.a * transform.e)
        pts = shapely.point_on_surface(geoms[small])
        rows, cols = rowcol(transform, shapely.get_x(pts), shapely.get_y(pts))
        rows, cols = np.asarray(rows), np.asarray(cols)
        inside = (
            (rows >= 0)
            & (rows < array.shape[0])
            & (cols >= 0)
            & (cols < array.shape[1])
        )
        share = np.minimum(shapely.area(geoms[small]) / cell_area, 1.0)
        vals = np.zeros(len(small))
        vals[inside] = array[rows[inside], cols[inside]] * share[inside]
        sums[small] = vals
    return sums.astype(np.float64, copy=False)
