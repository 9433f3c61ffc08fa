"""Field mapping files: source columns → typed target columns of a layer.

A mapping file (YAML or JSON, ≤ 1 MB)::

    fields:  {"小区名称": name, "建成年代": completion_year, "房屋类型": housing_type}
    values:  {housing_type: {"商品房": commodity, "房改房": work_unit, "安置房": resettlement}}
    key: code

Targets must be columns of the layer schema (:mod:`layers.io.schemas`), so no
user-chosen name ever becomes a database identifier. Source columns already named
like a target column map to themselves. :func:`apply_mapping` never raises for bad
cells: each problem is a :class:`~layers.io.geometry.RowIssue` (row, column,
value, reason) and the row is left out.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from layers.io.errors import ImportRejected
from layers.io.geometry import ImportReport, RowIssue
from layers.io.schemas import Column, layer_schema

TRUE = {"1", "true", "t", "yes", "y", "是", "有", "对", "√"}
FALSE = {"0", "false", "f", "no", "n", "否", "无", "没有", "", "×"}


@dataclass
class FieldMapping:
    fields: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    key: str | None = "code"


def load_mapping(source) -> FieldMapping:
    """Load a mapping from a dict, a JSON/YAML string or a .json/.yaml/.yml file."""
    import yaml

    data = source
    if isinstance(source, str | os.PathLike) and Path(source).suffix.lower() in (
        ".json",
        ".yaml",
        ".yml",
    ):
        p = Path(source)
        if p.stat().st_size > 1_000_000:
            msg = "mapping file larger than 1 MB"
            raise ImportRejected(msg, code="bad_mapping")
        data = p.read_text("utf-8")
    if isinstance(data, str):
        try:
            data = yaml.safe_load(data)  # JSON is YAML; safe_load builds no objects
        except yaml.YAMLError as exc:
            msg = f"mapping is not valid YAML/JSON: {exc}"
            raise ImportRejected(msg, code="bad_mapping") from exc
    if not isinstance(data, dict):
        msg = "mapping must be an object with 'fields', 'values', 'key'"
        raise ImportRejected(msg, code="bad_mapping")
    unknown = set(data) - {"fields", "values", "key"}
    if unknown:
        msg = f"unknown mapping keys: {sorted(unknown)}"
        raise ImportRejected(msg, code="bad_mapping")
    fields = data.get("fields") or {}
    values = data.get("values") or {}
    if not isinstance(fields, dict) or not isinstance(values, dict):
        msg = "'fields' and 'values' must be objects"
        raise ImportRejected(msg, code="bad_mapping")
    if not all(isinstance(v, dict) for v in values.values()):
        msg = "each entry of 'values' must be an object {source value: code}"
        raise ImportRejected(msg, code="bad_mapping")
    return FieldMapping(
        fields={str(k): str(v) for k, v in fields.items()},
        values={
            str(c): {str(k): str(v) for k, v in m.items()} for c, m in values.items()
        },
        key=data.get("key", "code"),
    )


def _is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def convert(value, col: Column, value_map: dict[str, str] | None = None):
    """Convert one cell; returns the typed value or raises ValueError(reason)."""
    if _is_blank(value):
        if col.required:
            raise ValueError("required value missing")
        return None
    if hasattr(value, "item"):
        value = value.item()
    if col.type == "str":
        text = str(value).strip()
        if len(text) > col.max_length:
            raise ValueError(f"longer than {col.max_length} characters")
        return text
    if col.type == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise ValueError("not a yes/no value")
    if col.type == "int":
        if isinstance(value, bool):
            raise ValueError("not an integer")
        text = re.sub(r"[,\s]|年$", "", str(value))
        try:
            f = float(text)
        except ValueError:
            raise ValueError("not an integer") from None
        if not math.isfinite(f) or f != int(f):
            raise ValueError("not an integer")
        return int(f)
    if col.type == "float":
        text = re.sub(r"[,\s]", "", str(value))
        try:
            f = float(text)
        except ValueError:
            raise ValueError("not a number") from None
        if not math.isfinite(f):
            raise ValueError("not a finite number")
        return f
    if col.type == "choice":
        text = str(value).strip()
        text = (value_map or {}).get(text, text)
        if text not in col.choices:
            raise ValueError(f"not one of {', '.join(col.choices)}")
        return text
    raise ValueError(f"unknown column type {col.type}")  # pragma: no cover


@dataclass
class MappingResult:
    gdf: object
    report: ImportReport
    unmapped: list[str] = field(default_factory=list)


def apply_mapping(gdf, mapping: FieldMapping | dict | str, layer: str) -> MappingResult:
    """Rename, convert and check columns of ``gdf`` for ``layer``.

    Row numbers in the report are the index of ``gdf`` (the source row numbers that
    :func:`layers.io.readers.read_vector` sets).
    """
    import geopandas as gpd

    if not isinstance(mapping, FieldMapping):
        mapping = load_mapping(mapping)
    schema = layer_schema(layer)
    columns: dict[str, Column] = schema["columns"]
    bad_targets = sorted(set(mapping.fields.values()) - set(columns))
    bad_targets += sorted(set(mapping.values) - set(columns))
    if mapping.key is not None and mapping.key not in columns:
        bad_targets.append(str(mapping.key))
    if bad_targets:
        msg = (
            f"mapping targets not in layer {layer!r}: {bad_targets}; "
            f"columns are {', '.join(columns)}"
        )
        raise ImportRejected(msg, code="bad_mapping")
    geom_name = gdf.geometry.name
    source_for: dict[str, str] = {}
    for src in gdf.columns:
        if src == geom_name:
            continue
        target = mapping.fields.get(str(src))
        if target is None and str(src) in columns:
            target = str(src)
        if target is not None:
            if target in source_for:
                msg = (
                    f"columns {source_for[target]!r} and {src!r} both map to {target!r}"
                )
                raise ImportRejected(msg, code="bad_mapping")
            source_for[target] = src
    unmapped = [
        str(c) for c in gdf.columns if c != geom_name and c not in source_for.values()
    ]
    report = ImportReport(read=len(gdf))
    if unmapped:
        report.warnings.append(f"columns ignored (not mapped): {', '.join(unmapped)}")
    missing = [
        c for c, spec in columns.items() if spec.required and c not in source_for
    ]
    if missing:
        msg = (
            f"required column(s) {missing} have no source column; add them to 'fields'"
        )
        raise ImportRejected(msg, code="bad_mapping")
    out: dict[str, list] = {c: [] for c in source_for}
    keep: list[bool] = []
    seen_keys: dict[object, int] = {}
    for row_no, row in zip(gdf.index, gdf.itertuples(index=False, name=None)):
        values = dict(zip(gdf.columns, row))
        ok = True
        converted = {}
        for target, src in source_for.items():
            raw = values[src]
            try:
                converted[target] = convert(
                    raw, columns[target], mapping.values.get(target)
                )
            except ValueError as exc:
                ok = False
                report.issues.append(
                    RowIssue(int(row_no), "rejected", str(exc), target, str(raw)[:100])
                )
        if ok and mapping.key in converted:
            k = converted[mapping.key]
            if k in seen_keys:
                ok = False
                report.issues.append(
                    RowIssue(
                        int(row_no),
                        "rejected",
                        f"duplicate key (first in row {seen_keys[k]})",
                        mapping.key,
                        str(k),
                    )
                )
            else:
                seen_keys[k] = int(row_no)
        keep.append(ok)
        for target in source_for:
            out[target].append(converted.get(target))
    import pandas as pd

    df = pd.DataFrame(out, index=gdf.index)
    for target in source_for:
        spec = columns[target]
        if spec.type == "int":
            df[target] = df[target].astype("Int64")
        elif spec.type == "float":
            df[target] = df[target].astype("Float64")
        elif spec.type == "bool":
            df[target] = df[target].astype("boolean")
    result = gpd.GeoDataFrame(df, geometry=gdf.geometry.values, crs=gdf.crs)
    result.index = gdf.index
    result = result[keep]
    report.imported = len(result)
    report.rejected = len({i.row for i in report.issues})
    return MappingResult(gdf=result, report=report, unmapped=unmapped)
