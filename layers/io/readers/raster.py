"""read_raster: a GeoTIFF into the storage CRS."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from pyproj import CRS

from layers.io.errors import NeedsInput, UnsupportedFormat
from layers.io.readers.formats import (
    RasterResult,
    _crs_label,
    _ensure_safe_gdal,
    _parse_crs,
)
from layers.io.safety import (
    DEFAULT_LIMITS,
    GDAL_SAFE_CONFIG,
    Limits,
    open_raster_checked,
    prepare_upload,
)


def read_raster(
    path: str | os.PathLike[str],
    *,
    crs=None,
    limits: Limits = DEFAULT_LIMITS,
) -> RasterResult:
    """Read a GeoTIFF (only) after sniffing and dimension checks."""
    import rasterio

    _ensure_safe_gdal()
    workdir = Path(tempfile.mkdtemp(prefix="upl-"))
    try:
        prepared = prepare_upload(path, workdir / "in", limits)
        tifs = [f for f in prepared.files if f.suffix.lower() in (".tif", ".tiff")]
        if len(prepared.files) != 1 or (prepared.from_archive and not tifs):
            msg = "raster uploads must be a single GeoTIFF"
            raise UnsupportedFormat(msg, code="no_dataset")
        target = prepared.files[0]
        with open(target, "rb") as fh:
            magic = fh.read(4)
        if magic not in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
            msg = f"{target.name}: not a GeoTIFF"
            raise UnsupportedFormat(msg, code="driver_not_allowed")
        ds = open_raster_checked(target, limits)
        try:
            with rasterio.Env(**GDAL_SAFE_CONFIG):
                src_crs = ds.crs
                if crs is not None:
                    src_crs = _parse_crs(crs)
                elif src_crs is None:
                    msg = f"{target.name}: raster has no CRS; give crs="
                    raise NeedsInput(msg, code="needs_crs")
                arr = ds.read()
                label = _crs_label(CRS.from_user_input(src_crs))
                return RasterResult(
                    array=arr,
                    transform=ds.transform,
                    crs=label,
                    nodata=ds.nodata,
                    source_file=Path(path).name,
                    info={"width": ds.width, "height": ds.height, "count": ds.count},
                )
        finally:
            ds.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
