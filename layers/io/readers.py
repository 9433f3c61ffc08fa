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

import csv
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from layers.io import chinese_crs
from layers.io.encoding import decode_text_file, detect_dbf_encoding, normalise_encoding
from layers.io.errors import (
    ImportRejected,
    NeedsInput,
    OutOfExtent,
    UnsupportedFormat,
)
from layers.io.geometry import (
    ImportReport,
    RowIssue,
    check_geometries,
    check_json_file,
    strip_nonfinite_geojson,
)
from layers.io.safety import (
    DEFAULT_LIMITS,
    GDAL_SAFE_CONFIG,
    Limits,
    _short,
    check_shapefile_set,
    check_vector_driver,
    gdal_self_check,
    open_raster_checked,
    prepare_upload,
)

#: Ningbo municipality in lon/lat (minx, miny, maxx, maxy). Official extent is
#: 28°51'–30°33'N, 120°55'–122°16'E; real OSM schools in Ninghai reach 29.11°N and
#: Xiangshan islands ~122.3°E, so the box is that plus a small margin.
NINGBO_EXTENT = (120.8, 28.8, 122.5, 30.6)
STORAGE_CRS = "EPSG:4549"

LON_NAMES = ("lon", "lng", "long", "longitude", "经度", "x", "lon_wgs84", "gcj_lon")
LAT_NAMES = ("lat", "latitude", "纬度", "y", "lat_wgs84", "gcj_lat")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "shape", "几何")
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

    gdf: object  # geopandas.GeoDataFrame, index = source row number (1-based)
    source_crs: str
    source_file: str
    report: ImportReport
    layer: str | None = None
    encoding: str | None = None
    info: dict = field(default_factory=dict)


@dataclass
class RasterResult:
    array: np.ndarray  # (bands, rows, cols)
    transform: object  # affine.Affine
    crs: str
    nodata: float | None
    source_file: str
    info: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------
# helpers

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


def _user_encoding(encoding: str | None) -> str | None:
    return normalise_encoding(encoding) if encoding else None


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


# ---------------------------------------------------------------------------
# tabular (CSV / XLSX)


def _find_column(columns: list[str], names: tuple[str, ...]) -> str | None:
    lower = {c.strip().lower(): c for c in columns}
    for n in names:
        if n in lower:
            return lower[n]
    return None


def _paren_depth_ok(text: str, limit: int) -> bool:
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
            if depth > limit:
                return False
        elif ch == ")":
            depth -= 1
    return True


def _read_csv_rows(path: Path, encoding: str | None) -> list[dict]:
    text = decode_text_file(path.read_bytes(), encoding)
    csv.field_size_limit(16 * 1024 * 1024)
    sample = text[:65536]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    # cells beyond the header land under EXTRA_CELLS: such rows are rejected later
    reader = csv.DictReader(
        io.StringIO(text, newline=""), dialect=dialect, restkey=EXTRA_CELLS
    )
    try:
        rows = list(reader)
    except csv.Error as exc:
        msg = f"{path.name}: not a readable CSV (line {reader.line_num}: {exc})"
        raise UnsupportedFormat(msg, code="unreadable") from exc
    if reader.fieldnames is None:
        msg = f"{path.name}: empty CSV"
        raise UnsupportedFormat(msg, code="empty_file")
    return rows


def _read_xlsx_rows(path: Path, sheet: str | None, workdir: Path) -> list[dict]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = next(it, None)
        if header is None:
            msg = f"{path.name}: empty worksheet"
            raise UnsupportedFormat(msg, code="empty_file")
        cols = [str(h) if h is not None else f"col{i}" for i, h in enumerate(header)]
        rows = []
        for values in it:
            if values is None or all(v is None for v in values):
                continue
            rows.append({c: v for c, v in zip(cols, values)})
        return rows
    finally:
        wb.close()


def _tabular_to_gdf(
    rows: list[dict],
    *,
    lonlat_columns: tuple[str, str] | None,
    wkt_column: str | None,
    report: ImportReport,
    name: str,
):
    import geopandas as gpd

    columns = list(rows[0].keys()) if rows else []
    columns = [c for c in columns if c != EXTRA_CELLS]
    if wkt_column is None and lonlat_columns is None:
        lon = _find_column(columns, LON_NAMES)
        lat = _find_column(columns, LAT_NAMES)
        if lon and lat:
            lonlat_columns = (lon, lat)
        else:
            wkt_column = _find_column(columns, WKT_NAMES)
    if lonlat_columns is None and wkt_column is None:
        msg = (
            f"{name}: no coordinate columns found; name them lon/lat (经度/纬度) or "
            "wkt, or pass lonlat_columns=(lon, lat) / wkt_column="
        )
        raise NeedsInput(msg, code="needs_columns")
    needed = list(lonlat_columns) if lonlat_columns else [wkt_column]
    missing = [c for c in needed if c not in columns]
    if missing and rows:
        msg = f"{name}: column(s) {missing} not found; columns are {columns}"
        raise NeedsInput(msg, code="needs_columns")
    geoms = []
    for i, row in enumerate(rows, start=1):
        g = None
        extra = [v for v in row.pop(EXTRA_CELLS, None) or [] if str(v).strip()]
        if extra:
            report.issues.append(
                RowIssue(
                    i,
                    "rejected",
                    f"{len(extra)} cell(s) more than the header has columns",
                    None,
                    str(extra)[:80],
                )
            )
            geoms.append(None)
            continue
        if lonlat_columns:
            raw = (row.get(lonlat_columns[0]), row.get(lonlat_columns[1]))
            try:
                x, y = (float(str(v).strip()) for v in raw)
                g = shapely.Point(x, y)
            except (TypeError, ValueError):
                report.issues.append(
                    RowIssue(
                        i,
                        "rejected",
                        "coordinates are not numbers",
                        "lon/lat",
                        str(raw),
                    )
                )
        else:
            text = str(row.get(wkt_column) or "").strip()
            if not _paren_depth_ok(text, 32):
                report.issues.append(
                    RowIssue(i, "rejected", "WKT nesting too deep", wkt_column)
                )
            else:
                g = shapely.from_wkt(text, on_invalid="ignore") if text else None
                if g is None:
                    report.issues.append(
                        RowIssue(i, "rejected", "not valid WKT", wkt_column, text[:80])
                    )
        geoms.append(g)
    drop = set(needed)
    data = [{k: v for k, v in r.items() if k not in drop} for r in rows]
    df = pd.DataFrame(data, index=pd.RangeIndex(1, len(rows) + 1))
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, index=df.index))


# ---------------------------------------------------------------------------
# GDAL formats


def _read_gdal(
    target: Path, *, layer, encoding: str | None, report: ImportReport, limits: Limits
):
    import pyogrio

    suffix = target.suffix.lower()
    if suffix in (".geojson", ".json"):
        check_json_file(target, limits.max_json_depth)
        # the target is our private copy (prepare_upload): rewrite it in place
        strict = target.with_name(f".finite-{target.name}")
        issues = strip_nonfinite_geojson(target, strict)
        if issues is not None:
            os.replace(strict, target)
            report.issues += issues
    enc = None
    if suffix == ".shp":
        check_shapefile_set(target)
        dbf = next(
            p
            for p in target.parent.iterdir()
            if p.stem == target.stem and p.suffix.lower() == ".dbf"
        )
        enc = _user_encoding(encoding) or detect_dbf_encoding(dbf)
    elif encoding:
        enc = _user_encoding(encoding)
    info = check_vector_driver(target)
    expected = VECTOR_SUFFIXES[suffix]
    driver = info["driver"]
    if not (driver == expected or {driver, expected} <= {"KML", "LIBKML"}):
        msg = f"{target.name}: content is {driver}, not {expected} as its name says"
        raise UnsupportedFormat(msg, code="format_mismatch")
    if suffix == ".gpkg":
        layers = [str(n) for n in pyogrio.list_layers(target)[:, 0]]
        if layer is None and len(layers) > 1:
            msg = (
                f"{target.name} has {len(layers)} layers ({', '.join(layers)}); "
                "choose one with layer="
            )
            raise NeedsInput(msg, code="needs_layer")
        if layer is not None and layer not in layers:
            msg = f"{target.name}: no layer {layer!r}; layers are {', '.join(layers)}"
            raise NeedsInput(msg, code="needs_layer")
        layer = layer or layers[0]
        info = check_vector_driver(target, layer=layer)
    elif suffix != ".shp":
        layer = None
    n = info.get("features", -1)
    if n is not None and n > 1_000_000:
        msg = f"{target.name}: {n} features (limit 1,000,000)"
        raise ImportRejected(msg, code="too_many_features")
    pyogrio.set_gdal_config_options(dict(GDAL_SAFE_CONFIG))
    try:
        gdf = pyogrio.read_dataframe(
            target,
            layer=layer if suffix == ".gpkg" else None,
            encoding=enc,
            on_invalid="ignore",
        )
    except Exception as exc:
        msg = f"{target.name}: the file could not be read ({_short(exc)})"
        raise UnsupportedFormat(msg, code="unreadable") from exc
    gdf.index = pd.RangeIndex(1, len(gdf) + 1)
    report.info.update({"driver": driver, "layer": layer, "encoding": enc})
    if suffix == ".shp":
        gdf = _restore_field_names(gdf, target.parent)
    return gdf, (layer if suffix == ".gpkg" else None), enc


def _restore_field_names(gdf, folder: Path):
    table = folder / FIELD_TABLE
    if not table.is_file() or table.stat().st_size > 1_000_000:
        return gdf
    try:
        mapping = json.loads(table.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return gdf
    if isinstance(mapping, dict):
        ren = {
            str(short): str(long)
            for long, short in mapping.items()
            if str(short) in gdf.columns
        }
        gdf = gdf.rename(columns=ren)
    return gdf


# ---------------------------------------------------------------------------
# CRS + extent


def _hint(bounds_lonlat, src: CRS, extent) -> str:
    minx, miny, maxx, maxy = bounds_lonlat
    ex0, ey0, ex1, ey1 = extent
    hints = []
    if ex0 <= miny and maxy <= ex1 and ey0 <= minx and maxx <= ey1:
        hints.append("latitude and longitude look swapped")
    if src.is_geographic and max(abs(minx), abs(maxx), abs(miny), abs(maxy)) > 360:
        hints.append("values look like metres: projected data without a .prj?")
    if not hints:
        hints.append(
            "wrong CRS declared? (CGCS2000 Gauss-Kruger zone/CM, GCJ-02 or BD-09 "
            "coordinates, or a projected file without .prj)"
        )
    return "; ".join(hints)


def _geographic_bounds(gdf) -> tuple[float, float, float, float] | None:
    valid = gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if valid.empty:
        return None
    b = valid.to_crs("EPSG:4326").total_bounds
    return tuple(float(v) for v in b)


def _check_extent(gdf, src: CRS, extent, report: ImportReport, name: str):
    if extent is None or gdf.empty:
        return gdf
    ex0, ey0, ex1, ey1 = extent
    with np.errstate(all="ignore"):
        wgs = gdf.geometry.to_crs("EPSG:4326")
    b = wgs.bounds
    inside = (b.minx >= ex0) & (b.maxx <= ex1) & (b.miny >= ey0) & (b.maxy <= ey1)
    inside &= np.isfinite(b).all(axis=1)
    if not inside.any():
        raw = gdf.geometry.bounds
        rb = (raw.minx.min(), raw.miny.min(), raw.maxx.max(), raw.maxy.max())
        if src.is_geographic:
            look = rb
        else:
            look = (b.minx.min(), b.miny.min(), b.maxx.max(), b.maxy.max())
        msg = (
            f"{name}: the data lies outside the city extent "
            f"(lon {ex0}–{ex1}, lat {ey0}–{ey1}); bounds {tuple(round(v, 4) for v in look)}"
            f" in {_crs_label(src)}: {_hint(look, src, extent)}"
        )
        raise OutOfExtent(msg, code="out_of_extent")
    for row in gdf.index[~inside.to_numpy()]:
        report.issues.append(
            RowIssue(int(row), "rejected", "outside the city extent", "geometry")
        )
    return gdf[inside.to_numpy()]


def _finalise_counts(report: ImportReport, n_read: int, n_out: int) -> None:
    report.read = n_read
    report.imported = n_out
    report.rejected = len({i.row for i in report.issues if i.status == "rejected"})
    report.repaired = len({i.row for i in report.issues if i.status == "repaired"})
    report.issues.sort(key=lambda i: i.row)


# ---------------------------------------------------------------------------
# public


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


__all__ = [
    "NINGBO_EXTENT",
    "ReadResult",
    "RasterResult",
    "list_layers",
    "read_raster",
    "read_vector",
]
