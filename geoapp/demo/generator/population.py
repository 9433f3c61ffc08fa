"""The 100 m population raster and its GeoTIFF."""

from __future__ import annotations

from os import PathLike
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine
from numpy.typing import NDArray

from geoapp.demo.generator.frame import CELL_M, CRS, DemoCity
from geoapp.demo.generator.geography import _Urban, city_extent


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
