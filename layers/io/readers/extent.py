"""The CRS and extent check: rows outside the city extent, with a hint at the likely CRS."""

from __future__ import annotations

import numpy as np
from pyproj import CRS

from layers.io.errors import OutOfExtent
from layers.io.geometry import ImportReport, RowIssue
from layers.io.readers.formats import _crs_label


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
    west, south, east, north = (float(v) for v in b)
    return west, south, east, north


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
