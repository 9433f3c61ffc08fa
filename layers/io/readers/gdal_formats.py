"""GeoJSON, GeoPackage, Shapefile and KML/KMZ read through GDAL (pyogrio)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from layers.io.encoding import detect_dbf_encoding, normalise_encoding
from layers.io.errors import ImportRejected, NeedsInput, UnsupportedFormat
from layers.io.geometry import ImportReport, check_json_file, strip_nonfinite_geojson
from layers.io.readers.formats import FIELD_TABLE, VECTOR_SUFFIXES
from layers.io.safety import (
    GDAL_SAFE_CONFIG,
    Limits,
    _short,
    check_shapefile_set,
    check_vector_driver,
)


def _user_encoding(encoding: str | None) -> str | None:
    return normalise_encoding(encoding) if encoding else None


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
