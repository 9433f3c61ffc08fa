"""CSV and XLSX with lon/lat or WKT columns, read in pure Python (no GDAL)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from layers.io.encoding import decode_text_file
from layers.io.errors import NeedsInput, UnsupportedFormat
from layers.io.geometry import ImportReport, RowIssue
from layers.io.readers.formats import EXTRA_CELLS

LON_NAMES = ("lon", "lng", "long", "longitude", "经度", "x", "lon_wgs84", "gcj_lon")
LAT_NAMES = ("lat", "latitude", "纬度", "y", "lat_wgs84", "gcj_lat")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "shape", "几何")


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
    geoms: list[shapely.Geometry | None] = []
    at: list[int] = []
    xy: list[tuple[float, float]] = []
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
                at.append(len(geoms))  # the point is made below, with all the others
                xy.append((x, y))
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
    if at:
        points = shapely.points(np.asarray(xy, dtype=float))
        for pos, p in zip(at, points.tolist(), strict=True):
            geoms[pos] = p
    df = pd.DataFrame(rows, index=pd.RangeIndex(1, len(rows) + 1))
    df = df.drop(columns=[c for c in needed if c in df.columns])
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, index=df.index))
