"""What the readers accept and return: the formats, the results, the choice of dataset, the CRS."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pyproj import CRS
from pyproj.exceptions import CRSError

from layers.io.errors import NeedsInput, UnsupportedFormat
from layers.io.geometry import ImportReport
from layers.io.safety import check_vector_driver, gdal_self_check, prepare_upload

if TYPE_CHECKING:
    import geopandas as gpd
    from affine import Affine

#: Ningbo municipality in lon/lat (minx, miny, maxx, maxy). Official extent is
#: 28°51'–30°33'N, 120°55'–122°16'E; real OSM schools in Ninghai reach 29.11°N and
#: Xiangshan islands ~122.3°E, so the box is that plus a small margin.
NINGBO_EXTENT = (120.8, 28.8, 122.5, 30.6)
STORAGE_CRS = "EPSG:4549"


FIELD_TABLE = "field_names.json"  # written by layers.io.writers for shapefiles
EXTRA_CELLS = "__extra_cells__"

VECTOR_SUFFIXES = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".gpkg": "GPKG",
    ".shp": "ESRI Shapefile",
    ".kml": "KML",
    ".csv": "CSV",
    ".txt": "CSV",
    ".xlsx": "XLSX",
}


@dataclass
class ReadResult:
    """A vector upload read into ``target_crs``."""

    gdf: gpd.GeoDataFrame  # index = source row number (1-based)
    source_crs: str
    source_file: str
    report: ImportReport
    layer: str | None = None
    encoding: str | None = None
    info: dict = field(default_factory=dict)


@dataclass
class RasterResult:
    array: np.ndarray  # (bands, rows, cols)
    transform: Affine
    crs: str
    nodata: float | None
    source_file: str
    info: dict = field(default_factory=dict)


_GDAL_CHECKED: list[dict] = []


def _ensure_safe_gdal() -> None:
    """Run :func:`gdal_self_check` once per process; raises if GDAL is unsafe."""
    if not _GDAL_CHECKED:
        _GDAL_CHECKED.append(gdal_self_check())


def _parse_crs(value) -> CRS:
    try:
        return CRS.from_user_input(value)
    except CRSError as exc:
        msg = f"unknown coordinate reference system {value!r}"
        raise NeedsInput(msg, code="bad_crs") from exc


def _crs_label(crs: CRS) -> str:
    auth = crs.to_authority(min_confidence=70)
    return f"{auth[0]}:{auth[1]}" if auth else crs.to_wkt()


def _pick_dataset(files: list[Path], layer: str | None) -> tuple[Path, str | None]:
    candidates = [f for f in files if f.suffix.lower() in VECTOR_SUFFIXES]
    # .txt/.json side files in a shapefile zip are not datasets
    if any(f.suffix.lower() == ".shp" for f in candidates):
        candidates = [f for f in candidates if f.suffix.lower() == ".shp"] + [
            f for f in candidates if f.suffix.lower() in (".gpkg", ".geojson", ".kml")
        ]
    candidates = [f for f in candidates if f.name != FIELD_TABLE]
    if any(f.suffix.lower() in (".tif", ".tiff") for f in files) and not candidates:
        msg = "this is a raster (GeoTIFF): use the raster import"
        raise UnsupportedFormat(msg, code="is_raster")
    if not candidates:
        names = ", ".join(sorted({f.suffix or f.name for f in files}))
        msg = (
            f"no supported dataset found ({names}); accepted: GeoJSON, GeoPackage, "
            "zipped Shapefile, KML/KMZ, CSV, XLSX"
        )
        raise UnsupportedFormat(msg, code="no_dataset")
    if len(candidates) == 1:
        return candidates[0], layer
    if layer is not None:
        for f in candidates:
            if layer in (f.stem, f.name):
                return f, None
    names = ", ".join(sorted(f.name for f in candidates))
    msg = f"the archive holds several datasets ({names}); choose one with layer="
    raise NeedsInput(msg, code="needs_layer")


def list_layers(path: str | os.PathLike[str]) -> list[str]:
    """Layer names of a GeoPackage (or the single layer of other formats)."""
    import pyogrio

    with tempfile.TemporaryDirectory(prefix="upl-") as wd:
        prepared = prepare_upload(path, wd)
        target, _ = _pick_dataset(prepared.files, None)
        if target.suffix.lower() in (".csv", ".txt", ".xlsx"):
            return [target.stem]
        check_vector_driver(target)
        return [str(n) for n in pyogrio.list_layers(target)[:, 0]]
