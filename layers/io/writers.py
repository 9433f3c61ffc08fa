"""Export GeoDataFrames for the outside world.

Formats: GeoJSON (RFC 7946, EPSG:4326, 7 decimals), GeoPackage, zipped Shapefile
(UTF-8 with ``.cpg``), CSV (WKT or lon/lat columns) and XLSX (WKT column).
Everything is written in EPSG:4326 unless ``crs`` says otherwise (e.g. keep
EPSG:4549); GeoJSON is always EPSG:4326 as RFC 7946 requires.

Tables for people (:func:`table_export`): rows plus column specs (:class:`Column`:
code, label, value formatter) give CSV and XLSX with the labels as headers and the
formatted values, an XLSX legend sheet mapping each column code to its label, and
GeoJSON or GeoPackage (column codes as field names, raw values) where the rows have a
geometry. The apps reach it through :mod:`layers.tables`, which adds the user's language
(是/否, names, "、"); layer exports use :func:`export` with the import schema's codes,
so they import back. No Django here.

Shapefile field names are limited to 10 bytes. :func:`shapefile_field_names`
builds the rename table: names that fit stay; longer ones are cut to 8 bytes
(on a character boundary) plus a 2-digit counter (``completion_year`` →
``completi01``). The table (long → short) is written into the zip as
``field_names.json`` and :func:`layers.io.readers.read_vector` applies it back.
"""

from __future__ import annotations

import errno
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import openpyxl
import pandas as pd
import shapely

from layers.files import nearly_full

FORMATS = ("geojson", "gpkg", "shp", "csv", "xlsx")
FIELD_TABLE = "field_names.json"
#: a text cell starting with one of these is run as a formula by spreadsheet programs
#: (OWASP "CSV injection"): it is written with a leading apostrophe
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell value safe for CSV and XLSX: text that a spreadsheet would take for a
    formula gets a leading apostrophe; everything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _neutral_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def write_table_csv(df: pd.DataFrame, target: str | os.PathLike[str] | IO) -> None:
    """The one CSV writer: UTF-8 with a BOM (Excel on a Chinese Windows opens it
    right), formula cells neutralised."""
    _neutral_frame(df).to_csv(target, index=False, encoding="utf-8-sig")


def table_csv_bytes(df: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    _neutral_frame(df).to_csv(buf, index=False)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def write_table_xlsx(
    sheets: Mapping[str, pd.DataFrame], target: str | os.PathLike[str] | IO
) -> None:
    """The one XLSX writer: one sheet per frame (names cut to 31 characters), every
    text cell neutralised, cells written as values, never as formulas."""
    wb = openpyxl.Workbook(write_only=True)
    for name, df in sheets.items():
        ws = wb.create_sheet(str(name)[:31])
        ws.append([neutralise(str(c)) for c in df.columns])
        for values in df.itertuples(index=False, name=None):
            ws.append([neutralise(_cell(v)) for v in values])
    wb.save(target)


def table_xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    buf = io.BytesIO()
    write_table_xlsx(sheets, buf)
    return buf.getvalue()


def _prepare(gdf, crs):
    if gdf.crs is None:
        msg = "the GeoDataFrame has no CRS"
        raise ValueError(msg)
    return gdf.to_crs(crs) if crs is not None else gdf


def shapefile_field_names(columns) -> dict[str, str]:
    """Rename table long → short (≤ 10 UTF-8 bytes, unique case-insensitively)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        name = str(col)
        if len(name.encode("utf-8")) <= 10 and name.lower() not in used:
            out[name] = name
            used.add(name.lower())
    for col in columns:
        name = str(col)
        if name in out:
            continue
        stem = ""
        for ch in name:
            if len((stem + ch).encode("utf-8")) > 8:
                break
            stem += ch
        for i in range(1, 100):
            short = f"{stem}{i:02d}"
            if short.lower() not in used:
                break
        else:  # pragma: no cover - more than 99 clashes
            msg = f"cannot shorten field name {name!r}"
            raise ValueError(msg)
        out[name] = short
        used.add(short.lower())
    return out


def write_geojson(gdf, path) -> Path:
    import pyogrio

    out = _prepare(gdf, "EPSG:4326")
    pyogrio.write_dataframe(
        out,
        path,
        driver="GeoJSON",
        RFC7946="YES",
        COORDINATE_PRECISION=7,
        WRITE_NAME="NO",
    )
    return Path(path)


def write_gpkg(gdf, path, *, layer: str = "layer", crs="EPSG:4326") -> Path:
    import pyogrio

    pyogrio.write_dataframe(_prepare(gdf, crs), path, driver="GPKG", layer=layer)
    return Path(path)


def write_shapefile_zip(
    gdf, path, *, name: str = "layer", crs="EPSG:4326"
) -> tuple[Path, dict[str, str]]:
    """Zipped shapefile (UTF-8 + .cpg); returns (zip path, rename table)."""
    import pyogrio

    out = _prepare(gdf, crs)
    geom_col = out.geometry.name
    table = shapefile_field_names([c for c in out.columns if c != geom_col])
    out = out.rename(columns=table)
    with tempfile.TemporaryDirectory(prefix="exp-") as tmp:
        shp = Path(tmp) / f"{name}.shp"
        pyogrio.write_dataframe(out, shp, driver="ESRI Shapefile", encoding="UTF-8")
        cpg = shp.with_suffix(".cpg")
        if not cpg.exists():
            cpg.write_text("UTF-8", encoding="ascii")
        (Path(tmp) / FIELD_TABLE).write_text(
            json.dumps(table, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted(Path(tmp).iterdir()):
                zf.write(f, f.name)
    return Path(path), table


def write_csv(gdf, path, *, geometry: str = "wkt", crs="EPSG:4326") -> Path:
    """CSV in UTF-8 with BOM (Excel opens it right): ``wkt`` or ``lonlat`` columns."""
    out = _prepare(gdf, crs)
    df = out.drop(columns=out.geometry.name)
    if geometry == "lonlat":
        if not (out.geom_type == "Point").all():
            msg = "lon/lat CSV needs point geometries; use geometry='wkt'"
            raise ValueError(msg)
        df["lon"] = out.geometry.x.round(8)
        df["lat"] = out.geometry.y.round(8)
    elif geometry == "wkt":
        df["wkt"] = shapely.to_wkt(out.geometry.to_numpy(), rounding_precision=-1)
    else:
        msg = f"geometry must be 'wkt' or 'lonlat', not {geometry!r}"
        raise ValueError(msg)
    write_table_csv(df, path)
    return Path(path)


def _cell(value):
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def write_xlsx(gdf, path, *, crs="EPSG:4326", sheet: str = "layer") -> Path:
    out = _prepare(gdf, crs)
    df = pd.DataFrame(out.drop(columns=out.geometry.name))
    df["wkt"] = shapely.to_wkt(out.geometry.to_numpy(), rounding_precision=-1)
    write_table_xlsx({sheet: df}, path)
    return Path(path)


def export(gdf, path: str | os.PathLike[str], fmt: str | None = None, **kw) -> Path:
    """Write ``gdf`` in the format given by ``fmt`` or by the file suffix.

    A write that fails for want of room raises ``OSError(ENOSPC)`` whatever the
    writer (GDAL's own errors carry no error number); the caller removes the file.
    """
    import pyogrio.errors

    try:
        return _export(gdf, Path(path), fmt, **kw)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        if nearly_full(Path(path).parent):
            raise OSError(
                errno.ENOSPC, f"no space left writing {Path(path).name}"
            ) from exc
        raise


def _export(gdf, p: Path, fmt: str | None, **kw) -> Path:
    fmt = (fmt or p.suffix.lstrip(".")).lower()
    fmt = {"json": "geojson", "zip": "shp"}.get(fmt, fmt)
    if fmt == "geojson":
        return write_geojson(gdf, p)
    if fmt == "gpkg":
        return write_gpkg(gdf, p, **kw)
    if fmt == "shp":
        return write_shapefile_zip(gdf, p, **kw)[0]
    if fmt == "csv":
        return write_csv(gdf, p, **kw)
    if fmt == "xlsx":
        return write_xlsx(gdf, p, **kw)
    msg = f"unknown export format {fmt!r}; choose one of {FORMATS}"
    raise ValueError(msg)


# --- tables for people: rows + column specs ---------------------------------------

TABLE_FORMATS = ("csv", "xlsx", "geojson", "gpkg")
CONTENT_TYPE = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
}
#: the XLSX legend sheet's name and headers (:mod:`layers.tables` gives them in the
#: user's language)
LEGEND = ("Column codes", "Code", "Column")


@dataclass(frozen=True)
class Column:
    """One column of an exported table: its ``code`` (the field name of GeoJSON and
    GeoPackage, and of the legend), its ``label`` (text, or a lazy translation read with
    ``str()`` when the file is written) and ``format``, which turns the raw value into
    what a reader of CSV/XLSX sees (None: the value as it is)."""

    code: str
    label: Any
    format: Callable[[Any], Any] | None = None

    def cell(self, value: Any) -> Any:
        if self.format is None or value is None:
            return value
        return self.format(value)


def table_frame(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[Column]
) -> pd.DataFrame:
    """The rows as people read them: one column per spec, the label as header and the
    formatted values (a label used twice gets its code appended)."""
    headers, seen = [], set()
    for col in columns:
        label = str(col.label)
        if label in seen:
            label = f"{label} ({col.code})"
        seen.add(label)
        headers.append(label)
    data = [
        [col.cell(_cell_or_none(row.get(col.code))) for col in columns] for row in rows
    ]
    return pd.DataFrame(data, columns=headers)


def legend_frame(
    columns: Sequence[Column], headers: tuple[str, str] = LEGEND[1:]
) -> pd.DataFrame:
    """The legend sheet: column code → label, in the order of the table."""
    return pd.DataFrame(
        [[c.code, str(c.label)] for c in columns], columns=list(headers)
    )


def _cell_or_none(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return value
    return _cell(value)


def table_export(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    fmt: str,
    *,
    sheet: str = "table",
    geometry: Sequence[Any] | None = None,
    crs: str | None = None,
    sheets: Mapping[str, tuple[Sequence[Mapping[str, Any]], Sequence[Column]]]
    | None = None,
    geo_layers: Mapping[str, tuple[Sequence[Mapping[str, Any]], Sequence[Any]]]
    | None = None,
    legend: tuple[str, str, str] = LEGEND,
) -> tuple[bytes, str]:
    """Write ``rows`` as ``fmt`` and return ``(body, content type)``.

    CSV: labels as headers, formatted values, UTF-8 with a BOM. XLSX: the same on
    ``sheet``, then each of ``sheets`` (name → (rows, columns)), then the legend sheet
    of every column (``legend``: its name and two headers; 列代码 / Column codes). GeoJSON and GeoPackage need ``geometry``
    (shapely geometries in ``crs``, one per row): the column codes are the field names
    and the values stay raw (lists joined with ";"), EPSG:4326; a GeoPackage gets
    each of ``geo_layers`` (name → (rows, geometries), same columns) as a further layer.
    """
    if fmt not in TABLE_FORMATS:
        msg = f"unknown format {fmt!r}; choose one of {', '.join(TABLE_FORMATS)}"
        raise ValueError(msg)
    if fmt == "csv":
        return table_csv_bytes(table_frame(rows, columns)), CONTENT_TYPE[fmt]
    if fmt == "xlsx":
        out = {sheet: table_frame(rows, columns)}
        legend_cols = list(columns)
        for name, (more_rows, more_cols) in (sheets or {}).items():
            out[name] = table_frame(more_rows, more_cols)
            known = {x.code for x in legend_cols}
            legend_cols += [c for c in more_cols if c.code not in known]
        out[legend[0]] = legend_frame(legend_cols, legend[1:])
        return table_xlsx_bytes(out), CONTENT_TYPE[fmt]
    if geometry is None:
        msg = f"{fmt} needs a geometry per row"
        raise ValueError(msg)
    gdf = geo_frame(rows, columns, geometry, crs=crs)
    with tempfile.TemporaryDirectory(prefix="table-") as tmp:
        path = Path(tmp) / f"{sheet}.{fmt}"
        if fmt == "geojson":
            write_geojson(gdf, path)
        else:
            write_gpkg(gdf, path, layer=sheet)
            for name, (more_rows, more_geom) in (geo_layers or {}).items():
                if len(more_rows):
                    more = geo_frame(more_rows, columns, more_geom, crs=crs)
                    write_gpkg(more, path, layer=name)
        return path.read_bytes(), CONTENT_TYPE[fmt]


def geo_frame(rows, columns: Sequence[Column], geometry, *, crs):
    """The rows as a GeoDataFrame with the column codes as field names, raw values."""
    import geopandas as gpd

    data = {c.code: [_raw(row.get(c.code)) for row in rows] for c in columns}
    return gpd.GeoDataFrame(
        pd.DataFrame(data, columns=[c.code for c in columns]),
        geometry=gpd.GeoSeries(list(geometry), crs=crs),
    )


def _raw(value: Any) -> Any:
    if isinstance(value, list | tuple):
        if any(isinstance(v, dict | list) for v in value):
            return json.dumps(value, ensure_ascii=False)
        return ";".join(str(v) for v in value)
    return value
