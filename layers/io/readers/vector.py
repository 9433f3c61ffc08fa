"""read_vector: any vector file into the storage CRS, with its report."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
from pyproj import CRS

from layers.io import chinese_crs
from layers.io.errors import NeedsInput
from layers.io.geometry import ImportReport, check_geometries
from layers.io.readers.extent import _check_extent
from layers.io.readers.formats import (
    NINGBO_EXTENT,
    STORAGE_CRS,
    ReadResult,
    _crs_label,
    _ensure_safe_gdal,
    _parse_crs,
    _pick_dataset,
)
from layers.io.readers.gdal_formats import _read_gdal
from layers.io.readers.tabular import _read_csv_rows, _read_xlsx_rows, _tabular_to_gdf
from layers.io.safety import DEFAULT_LIMITS, Limits, prepare_upload


def _finalise_counts(report: ImportReport, n_read: int, n_out: int) -> None:
    report.read = n_read
    report.imported = n_out
    report.rejected = len({i.row for i in report.issues if i.status == "rejected"})
    report.repaired = len({i.row for i in report.issues if i.status == "repaired"})
    report.issues.sort(key=lambda i: i.row)


def read_vector(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    encoding: str | None = None,
    crs=None,
    from_gcj02: bool = False,
    from_bd09: bool = False,
    target_crs=STORAGE_CRS,
    lonlat_columns: tuple[str, str] | None = None,
    wkt_column: str | None = None,
    geometry_type: str | None = None,
    extent: tuple[float, float, float, float] | None = NINGBO_EXTENT,
    limits: Limits = DEFAULT_LIMITS,
) -> ReadResult:
    """Read one uploaded vector file into ``target_crs``.

    Parameters
    ----------
    path
        The uploaded file (GeoJSON, GPKG, zip with a Shapefile, KML, KMZ, CSV, XLSX).
    layer
        GeoPackage layer, shapefile name inside a zip, or XLSX sheet.
    encoding
        Attribute encoding; overrides ``.cpg`` and detection.
    crs
        Source CRS; overrides the file's. Needed for CSV/XLSX and files without one.
    from_gcj02, from_bd09
        Coordinates are GCJ-02 (Gaode/Tencent) or BD-09 (Baidu) lon/lat: converted
        to WGS84 first (see :mod:`layers.io.chinese_crs`).
    geometry_type
        Expected type (``Point``, ``LineString``, ``Polygon``, ``MultiPolygon``...).
        Other types are rejected per row; Polygon ↔ MultiPolygon promotion allowed.
    extent
        (min lon, min lat, max lon, max lat) of the city; ``None`` disables the check.
    """
    import geopandas as gpd

    _ensure_safe_gdal()
    if from_gcj02 and from_bd09:
        msg = "choose at most one of from_gcj02 and from_bd09"
        raise NeedsInput(msg, code="bad_crs")
    src_name = Path(path).name
    report = ImportReport(source_file=src_name)
    workdir = Path(tempfile.mkdtemp(prefix="upl-"))
    try:
        suffix = Path(path).suffix.lower()
        if suffix == ".xlsx":
            prepared = None
            target = Path(path)
        else:
            prepared = prepare_upload(path, workdir / "in", limits)
            target, layer_in_zip = _pick_dataset(prepared.files, layer)
            if layer_in_zip is None and target.suffix.lower() == ".shp":
                layer = None
        kind = target.suffix.lower()
        enc = None
        if kind in (".csv", ".txt", ".xlsx"):
            if kind == ".xlsx":
                # an xlsx is a zip: size, slip and bomb checks + sniffing first
                prepare_upload(path, workdir / "xlsx", limits)
                rows = _read_xlsx_rows(target, layer, workdir)
            else:
                rows = _read_csv_rows(target, encoding)
                enc = encoding
            gdf = _tabular_to_gdf(
                rows,
                lonlat_columns=lonlat_columns,
                wkt_column=wkt_column,
                report=report,
                name=src_name,
            )
            file_crs = None
            layer = None
        else:
            gdf, layer, enc = _read_gdal(
                target, layer=layer, encoding=encoding, report=report, limits=limits
            )
            file_crs = gdf.crs
        if from_gcj02 or from_bd09:
            src = _parse_crs(crs) if crs is not None else CRS.from_epsg(4326)
            if not src.is_geographic:
                msg = "GCJ-02/BD-09 coordinates must be longitude/latitude"
                raise NeedsInput(msg, code="bad_crs")
        elif crs is not None:
            src = _parse_crs(crs)
        elif file_crs is not None:
            src = CRS.from_user_input(file_crs)
        else:
            msg = (
                f"{src_name}: the coordinate reference system is not declared "
                "(no .prj / crs); give it, e.g. crs='EPSG:4549' (CGCS2000 GK CM 120E), "
                "'EPSG:4490' or 'EPSG:4326', or from_gcj02=True for Gaode/Tencent "
                "coordinates"
            )
            raise NeedsInput(msg, code="needs_crs")
        # geometry checks in source coordinates, before any transformation
        prior = {i.row for i in report.issues}
        n_read = len(gdf)
        checked, statuses, report = check_geometries(
            list(gdf.geometry), geometry_type, report=report
        )
        report.issues = [
            i
            for i in report.issues
            if not (i.row in prior and i.reason == "missing geometry")
        ]
        keep = np.array(
            [s != "rejected" and (i + 1) not in prior for i, s in enumerate(statuses)],
            dtype=bool,
        )
        gdf = gpd.GeoDataFrame(
            gdf.drop(columns=gdf.geometry.name),
            geometry=gpd.GeoSeries(checked, index=gdf.index),
        )
        gdf = gdf[keep] if len(gdf) else gdf
        gdf = gdf.set_crs(src, allow_override=True)
        if from_gcj02 or from_bd09:
            func = (
                chinese_crs.gcj02_to_wgs84 if from_gcj02 else chinese_crs.bd09_to_wgs84
            )
            if not src.equals(CRS.from_epsg(4326)) and len(gdf):
                gdf = gdf.to_crs("EPSG:4326")
            geoms = chinese_crs.transform_geometries(gdf.geometry.to_numpy(), func)
            gdf = gdf.set_geometry(
                gpd.GeoSeries(geoms, index=gdf.index, crs="EPSG:4326")
            )
            report.warnings.append(
                "coordinates converted from " + ("GCJ-02" if from_gcj02 else "BD-09")
            )
        gdf = _check_extent(gdf, CRS.from_user_input(gdf.crs), extent, report, src_name)
        out = (
            gdf.to_crs(target_crs)
            if len(gdf)
            else gdf.set_crs(target_crs, allow_override=True)
        )
        _finalise_counts(report, n_read, len(out))
        report.info["source_crs"] = _crs_label(src)
        report.info["target_crs"] = str(target_crs)
        return ReadResult(
            gdf=out,
            source_crs=_crs_label(src),
            source_file=src_name,
            report=report,
            layer=layer,
            encoding=enc,
            info=dict(report.info),
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
