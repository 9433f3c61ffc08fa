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

Without a mapping file, :func:`detect_mapping` builds one from the synonyms table
(``synonyms.yaml`` beside this module: column names and values as Chinese offices
write them, e.g. 小区名称 → name, 建成年代 → completion_year, 产权: 国有 → state).
The value maps of that table also apply under an explicit mapping file (the file's
own ``values`` win).
"""

from __future__ import annotations

import datetime
import functools
import math
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from layers.io.errors import ImportRejected
from layers.io.geometry import ImportReport, RowIssue
from layers.io.schemas import Column, layer_schema

if TYPE_CHECKING:
    import geopandas as gpd

SYNONYMS_FILE = Path(__file__).with_name("synonyms.yaml")


@functools.cache
def synonyms() -> dict:
    """The synonyms table (``synonyms.yaml``), parsed once per process."""
    import yaml

    return yaml.safe_load(SYNONYMS_FILE.read_text("utf-8"))


def _booleans(which: str) -> frozenset[str]:
    return frozenset(str(v).strip().lower() for v in synonyms()["booleans"][which])


TRUE = _booleans("true")
FALSE = _booleans("false")


@dataclass
class FieldMapping:
    """Source column → layer column, value maps per layer column, the unique key.

    ``ignore`` lists source columns left out even when named like a layer column;
    ``how`` says where each entry of ``fields`` came from (``file``, ``synonym``,
    ``template``, ``form``…), for the report.
    """

    fields: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    key: str | None = "code"
    ignore: list[str] = field(default_factory=list)
    how: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The mapping-file form (YAML/JSON), e.g. to save it as a template."""
        out: dict = {"fields": dict(self.fields), "values": dict(self.values)}
        if self.key != "code":
            out["key"] = self.key
        if self.ignore:
            out["ignore"] = list(self.ignore)
        return out


def normalise_column(name: str) -> str:
    """A column name as compared with the synonyms: NFKC, lower case, no spaces, no
    trailing unit in brackets ("建筑面积（m²）" → "建筑面积"), no broken last character
    (a Shapefile name cut inside a multi-byte character)."""
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    text = text.rstrip("\ufffd")
    text = re.sub(r"\s+", "", text)
    bare = re.sub(r"[(\[【][^()\[\]【】]*[)\]】]$", "", text)
    return bare or text


def layer_synonyms(
    layer: str,
) -> tuple[dict[str, list[str]], dict[str, dict[str, str]]]:
    """(target → synonyms in priority order, target → value map) for ``layer``.

    The layer's own synonyms come before the ``common`` ones; targets that are not
    columns of the layer are left out.
    """
    table = synonyms()
    columns = layer_schema(layer)["columns"]
    own = table.get(layer) or {}
    common = table.get("common") or {}
    fields: dict[str, list[str]] = {}
    for section in (own, common):
        for target, names in (section.get("fields") or {}).items():
            if target in columns:
                fields.setdefault(target, [])
                fields[target] += [str(n) for n in names]
    values: dict[str, dict[str, str]] = {}
    for section in (common, own):
        for target, vmap in (section.get("values") or {}).items():
            if target in columns:
                values.setdefault(target, {}).update(
                    {str(k): str(v) for k, v in vmap.items()}
                )
    return fields, values


def detect_mapping(columns: list[str], layer: str) -> FieldMapping:
    """The mapping a Chinese office's file needs, from the synonyms table.

    Each source column maps to the layer column it is named like (English DATA_MODEL
    names first, then the synonyms, layer-specific before common, earlier before
    later); a Shapefile name cut at 10 bytes maps when it is the start of exactly one
    layer column's synonyms. When two source columns claim one target, the better
    match wins and the other is left unmapped.
    """
    schema_cols = layer_schema(layer)["columns"]
    syn, values = layer_synonyms(layer)
    rank: dict[str, tuple[str, int]] = {}
    for target in schema_cols:
        rank.setdefault(normalise_column(target), (target, 0))
    for target, names in syn.items():
        for i, n in enumerate(names, start=1):
            rank.setdefault(normalise_column(n), (target, i))
    best: dict[str, tuple[int, str, str]] = {}  # target → (score, source, how)
    for src in columns:
        key = normalise_column(src)
        hit = rank.get(key)
        how = "synonym"
        if hit is None and len(key.encode("gbk", "replace")) >= 8:
            starts = {t for n, (t, _i) in rank.items() if n.startswith(key)}
            if len(starts) == 1:
                hit, how = (starts.pop(), 1000), "truncated name"
        if hit is None:
            continue
        target, score = hit
        if score == 0:
            how = "same name"
        if target not in best or score < best[target][0]:
            best[target] = (score, str(src), how)
    fields = {src: target for target, (_s, src, _h) in best.items()}
    how_of = {src: h for _t, (_s, src, h) in best.items()}
    ordered = [str(c) for c in columns if str(c) in fields]
    return FieldMapping(
        fields={c: fields[c] for c in ordered},
        values=values,
        how={c: how_of[c] for c in ordered},
    )


def with_synonym_values(mapping: FieldMapping, layer: str) -> FieldMapping:
    """``mapping`` with the synonyms' value maps beneath its own (its own win)."""
    _syn, values = layer_synonyms(layer)
    merged = {t: dict(v) for t, v in values.items()}
    for target, vmap in mapping.values.items():
        merged.setdefault(target, {}).update(vmap)
    return FieldMapping(
        fields=dict(mapping.fields),
        values=merged,
        key=mapping.key,
        ignore=list(mapping.ignore),
        how=dict(mapping.how),
    )


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
        msg = "mapping must be an object with 'fields', 'values', 'key', 'ignore'"
        raise ImportRejected(msg, code="bad_mapping")
    unknown = set(data) - {"fields", "values", "key", "ignore"}
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
    ignore = data.get("ignore") or []
    if not isinstance(ignore, list):
        msg = "'ignore' must be a list of source column names"
        raise ImportRejected(msg, code="bad_mapping")
    key = data.get("key", "code")
    if key is not None and not isinstance(key, str):
        msg = "'key' must be a column name"
        raise ImportRejected(msg, code="bad_mapping")
    fields = {str(k): str(v) for k, v in fields.items()}
    return FieldMapping(
        fields=fields,
        values={
            str(c): {str(k): str(v) for k, v in m.items()} for c, m in values.items()
        },
        key=key,
        ignore=[str(c) for c in ignore],
        how=dict.fromkeys(fields, "mapping"),
    )


def _internal(column) -> bool:
    """Columns the import adds itself (a generated code), not the file's."""
    return str(column).startswith("__")


_MISSING = object()


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
    if col.type == "date":
        return _date(value)
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
        text = str(value).strip()
        text = (value_map or {}).get(text, text).lower()
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


#: 2019-05-01, 2019/5/1, 2019.5.1, 2019年5月1日; a month (2019-05, 2019年5月) is its
#: first day, a bare year (2019, 2019年) its 1 January
_DATE = re.compile(
    r"(?P<y>\d{4})\s*(?:[-/.年]\s*(?P<m>\d{1,2})\s*(?:[-/.月]\s*(?P<d>\d{1,2})\s*日?)?\s*月?)?\s*年?"
)


def _date(value) -> datetime.date:
    """A date cell: a date or datetime (Excel, GeoPackage) or a Chinese/ISO date text."""
    if isinstance(value, datetime.datetime):  # pandas Timestamp is one too
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, np.datetime64):
        return datetime.date.fromisoformat(str(value)[:10])
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():  # a year read as a float
        text = text[:-2]
    m = _DATE.fullmatch(text) or _DATE.fullmatch(text.split(" ")[0].split("T")[0])
    if m is None:
        raise ValueError("not a date (YYYY-MM-DD)")
    try:
        return datetime.date(int(m["y"]), int(m["m"] or 1), int(m["d"] or 1))
    except ValueError:
        raise ValueError("not a date (YYYY-MM-DD)") from None


@dataclass
class SourcePreview:
    """What the upload page shows before an import: each source column, the layer
    column it maps to (``""`` = ignored) and how, and the first rows as text."""

    columns: list[str]
    targets: list[str]
    how: list[str]
    rows: list[list[str]]
    mapping: FieldMapping

    def to_dict(self) -> dict:
        return {
            "columns": [
                {"source": c, "target": t, "how": h}
                for c, t, h in zip(self.columns, self.targets, self.how)
            ],
            "rows": self.rows,
        }


def source_preview(gdf, mapping: FieldMapping, *, limit: int = 5) -> SourcePreview:
    """The columns of ``gdf`` (not its geometry) with their targets and first rows."""
    geom_name = gdf.geometry.name
    columns = [str(c) for c in gdf.columns if c != geom_name and not _internal(c)]
    targets, how = [], []
    for c in columns:
        if c in mapping.ignore:
            targets.append("")
            how.append("ignored")
        elif c in mapping.fields:
            targets.append(mapping.fields[c])
            how.append(mapping.how.get(c, "mapping"))
        else:
            targets.append("")
            how.append("")
    head = gdf.head(limit)
    rows = [
        ["" if _is_blank(v) else str(v)[:60] for v in (rec[c] for c in columns)]
        for rec in head.drop(columns=geom_name).to_dict("records")
    ]
    return SourcePreview(columns, targets, how, rows, mapping)


@dataclass
class MappingResult:
    gdf: gpd.GeoDataFrame
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
        if target is None and str(src) in columns and str(src) not in mapping.ignore:
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
    report.columns = {
        str(src): target for target, src in source_for.items() if not _internal(src)
    }
    report.info["column_how"] = {
        str(src): mapping.how.get(str(src), "same name" if str(src) == t else "mapping")
        for t, src in source_for.items()
        if not _internal(src)
    }
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
    # column by column, each distinct cell converted once (a category column holds
    # a few values for 10⁴ rows); the issues in the order of rows, then columns
    rows = [int(r) for r in gdf.index]
    bad = np.zeros(len(rows), dtype=bool)
    found: list[tuple[int, int, RowIssue]] = []
    out: dict[str, list] = {}
    for k, (target, src) in enumerate(source_for.items()):
        spec, value_map = columns[target], mapping.values.get(target)
        memo: dict = {}
        vals = []
        for pos, raw in enumerate(gdf[src].tolist()):
            key, got = None, _MISSING
            if not isinstance(raw, float | np.floating):  # keeps -0.0 apart from 0.0
                try:
                    key = (type(raw), raw)
                    got = memo.get(key, _MISSING)
                except TypeError:  # an unhashable cell
                    key = None
            if got is _MISSING:
                try:
                    got = convert(raw, spec, value_map)
                except ValueError as exc:
                    got = exc
                if key is not None:
                    memo[key] = got
            if isinstance(got, ValueError):
                bad[pos] = True
                issue = RowIssue(
                    rows[pos], "rejected", str(got), target, str(raw)[:100]
                )
                found.append((pos, k, issue))
                got = None
            vals.append(got)
        out[target] = vals
    if mapping.key in out:
        seen_keys: dict[object, int] = {}
        for pos, key_value in enumerate(out[mapping.key]):
            if bad[pos]:
                continue
            if key_value in seen_keys:
                bad[pos] = True
                issue = RowIssue(
                    rows[pos],
                    "rejected",
                    f"duplicate key (first in row {seen_keys[key_value]})",
                    mapping.key,
                    str(key_value),
                )
                found.append((pos, len(source_for), issue))
            else:
                seen_keys[key_value] = rows[pos]
    found.sort(key=lambda t: (t[0], t[1]))
    report.issues += [issue for _pos, _k, issue in found]
    keep = ~bad
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
    result = result[np.asarray(keep, dtype=bool)]  # a list [] would drop columns
    report.imported = len(result)
    report.rejected = len({i.row for i in report.issues})
    return MappingResult(gdf=result, report=report, unmapped=unmapped)
