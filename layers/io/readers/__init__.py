"""Read uploaded vector and raster files safely into the storage CRS.

Formats: GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ (GDAL through pyogrio,
after :mod:`layers.io.safety` checks), CSV and XLSX with lon/lat or WKT columns
(pure Python, no GDAL), GeoTIFF rasters (rasterio).

The result is always in ``target_crs`` (EPSG:4549 by default) with the source
row number (1-based) as index, plus an :class:`~layers.io.geometry.ImportReport`.
Bad rows are left out and listed in the report; whole-file problems raise
:class:`~layers.io.errors.ImportRejected` subclasses.
"""

from __future__ import annotations

from layers.io.readers.extent import _check_extent
from layers.io.readers.formats import (
    EXTRA_CELLS,
    FIELD_TABLE,
    NINGBO_EXTENT,
    STORAGE_CRS,
    VECTOR_SUFFIXES,
    RasterResult,
    ReadResult,
    list_layers,
)
from layers.io.readers.raster import read_raster
from layers.io.readers.tabular import LAT_NAMES, LON_NAMES, WKT_NAMES
from layers.io.readers.vector import read_vector

__all__ = [
    "EXTRA_CELLS",
    "FIELD_TABLE",
    "LAT_NAMES",
    "LON_NAMES",
    "NINGBO_EXTENT",
    "RasterResult",
    "ReadResult",
    "STORAGE_CRS",
    "VECTOR_SUFFIXES",
    "WKT_NAMES",
    "_check_extent",
    "list_layers",
    "read_raster",
    "read_vector",
]
