"""Per-row geometry checks and the import report (SECURITY.md B2–B4, B7).

Every row ends up ``imported``, ``repaired`` or ``rejected`` (with the 1-based row
number and a reason). Nothing here raises for a bad row; whole-file problems
(nesting too deep) raise :class:`ImportRejected`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import shapely

from layers.io.errors import ImportRejected

MAX_DEPTH = 32
MAX_VERTICES = 100_000

#: accepted geometry types per target type (Polygon ↔ MultiPolygon promotion)
COMPATIBLE = {
    "Point": {"Point"},
    "MultiPoint": {"Point", "MultiPoint"},
    "LineString": {"LineString"},
    "MultiLineString": {"LineString", "MultiLineString"},
    "Polygon": {"Polygon", "MultiPolygon"},
    "MultiPolygon": {"Polygon", "MultiPolygon"},
    # a layer of areas or lines (the special works)
    "Geometry": {"Polygon", "MultiPolygon", "LineString", "MultiLineString"},
}


def json_nesting_depth(data: bytes | str, limit: int = MAX_DEPTH) -> int:
    """Maximum ``[``/``{`` nesting depth of raw JSON, scanning without recursion.

    Stops and raises :class:`ImportRejected` as soon as ``limit`` is passed, so a
    100 000-deep document costs only as many bytes as it takes to get there.
    Brackets inside strings are ignored.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    depth = best = 0
    in_str = esc = False
    for b in data:
        if in_str:
            if esc:
                esc = False
            elif b == 0x5C:  # backslash
                esc = True
            elif b == 0x22:
                in_str = False
        elif b == 0x22:
            in_str = True
        elif b in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                msg = f"JSON nesting too deep (more than {limit} levels)"
                raise ImportRejected(msg, code="nesting_too_deep")
            best = max(best, depth)
        elif b in (0x5D, 0x7D):
            depth -= 1
    return best


def check_json_file(path: Path, limit: int = MAX_DEPTH) -> None:
    """Depth check of a JSON file, chunked so memory stays flat.

    A file without backslashes (no escaped quote can hide in a string) is scanned
    with numpy: the quotes seen so far say whether a byte is inside a string, the
    running sum of opening minus closing brackets outside strings is the depth. A
    file with backslashes takes the byte-by-byte scan of :func:`json_nesting_depth`.
    """
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            if b"\\" in chunk:
                break
        else:
            return _check_json_numpy(path, limit)
    depth = 0
    in_str = esc = False
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            for b in chunk:
                if in_str:
                    if esc:
                        esc = False
                    elif b == 0x5C:
                        esc = True
                    elif b == 0x22:
                        in_str = False
                elif b == 0x22:
                    in_str = True
                elif b in (0x5B, 0x7B):
                    depth += 1
                    if depth > limit:
                        _too_deep(path, limit)
                elif b in (0x5D, 0x7D):
                    depth -= 1
    return None


def _too_deep(path: Path, limit: int):
    msg = f"{path.name}: JSON nesting too deep (more than {limit})"
    raise ImportRejected(msg, code="nesting_too_deep")


def _check_json_numpy(path: Path, limit: int) -> None:
    depth, quotes = 0, 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            a = np.frombuffer(chunk, dtype=np.uint8)
            q = a == 0x22
            outside = ((np.cumsum(q) + quotes) % 2 == 0) & ~q
            step = ((a == 0x5B) | (a == 0x7B)).astype(np.int64)
            step -= (a == 0x5D) | (a == 0x7D)
            step[~outside] = 0
            levels = depth + np.cumsum(step)
            if levels.size and levels.max() > limit:
                _too_deep(path, limit)
            depth = int(levels[-1]) if levels.size else depth
            quotes += int(q.sum())


#: tokens that strict JSON does not allow but Python's json (and some exporters) write:
#: NaN, Infinity, and exponents large enough to overflow a double (1e999)
_NONFINITE_TOKEN = re.compile(rb"NaN|Infinity|[0-9.][eE][+]?[0-9]{3,}")
_OVERLAP = 16


def _has_nonfinite_token(path: Path) -> bool:
    tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            if _NONFINITE_TOKEN.search(tail + chunk):
                return True
            tail = chunk[-_OVERLAP:]
    return False


class _Literal(float):
    """A JSON number that remembers how it was written (``1e999`` reads as infinity)."""

    text = ""


def _literal(text: str) -> float:
    value = _Literal(text)
    value.text = text
    return value


def _finite_number(v) -> bool:
    try:
        return math.isfinite(float(v))
    except (OverflowError, ValueError):
        return False


def _bad_coordinates(coords) -> str | None:
    """The first non-finite number in a (nested) coordinate array, as text, or None."""
    stack = [coords]
    while stack:
        c = stack.pop()
        if isinstance(c, list):
            stack.extend(c)
        elif isinstance(c, bool) or not isinstance(c, int | float):
            continue
        elif not _finite_number(c):
            text = getattr(c, "text", "") or str(c)
            return {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}.get(
                text, text[:40]
            )
    return None


def _geometry_bad(geom) -> str | None:
    if not isinstance(geom, dict):
        return None
    if geom.get("type") == "GeometryCollection":
        for g in geom.get("geometries") or []:
            bad = _geometry_bad(g)
            if bad:
                return bad
        return None
    return _bad_coordinates(geom.get("coordinates"))


def _feature_label(feature: dict, row: int) -> str:
    props = feature.get("properties") if isinstance(feature, dict) else None
    props = props if isinstance(props, dict) else {}
    bits = []
    if feature.get("id") is not None:
        bits.append(f"id {str(feature['id'])[:40]!r}")
    for key in ("name", "名称", "小区名称", "code", "编码"):
        if props.get(key) not in (None, ""):
            bits.append(f"{key} {str(props[key])[:40]!r}")
            break
    return f"feature {row}" + (f" ({', '.join(bits)})" if bits else "")


def strip_nonfinite_geojson(path: Path, out: Path) -> list[RowIssue] | None:
    """Refuse, per feature, GeoJSON coordinates that are NaN, ±Infinity or overflow.

    Python's json writes and reads ``NaN``/``Infinity`` and reads ``1e999`` as
    infinity; GDAL either reads them as non-finite numbers or fails on the whole
    file. When ``path`` contains such a token, it is parsed with Python's json (its
    nesting already checked by :func:`check_json_file`), the geometry of every
    feature holding one is set to null (a rejected row naming the feature and the
    value), non-finite property values become null (NaN) or the text ``Infinity`` (so
    that a numeric column refuses them), and the strict JSON is written to ``out``.
    Returns ``None`` when there is nothing to do (then read ``path`` itself).
    """
    if not _has_nonfinite_token(path):
        return None
    try:
        data = json.loads(path.read_bytes(), parse_float=_literal)
    except (ValueError, RecursionError) as exc:
        msg = f"{path.name}: not valid JSON ({str(exc)[:120]})"
        raise ImportRejected(msg, code="unreadable") from exc
    issues: list[RowIssue] = []
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        features = features if isinstance(features, list) else []
    elif isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    elif isinstance(data, dict):  # a bare geometry
        data = {"type": "Feature", "properties": {}, "geometry": data}
        features = [data]
    else:
        features = []
    for row, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            continue
        bad = _geometry_bad(feature.get("geometry"))
        if bad:
            feature["geometry"] = None
            issues.append(
                RowIssue(
                    row,
                    "rejected",
                    f"{_feature_label(feature, row)}: coordinate {bad} is not a "
                    "finite number",
                    "geometry",
                    bad,
                )
            )
        props = feature.get("properties")
        if isinstance(props, dict):
            for key, value in props.items():
                if isinstance(value, float) and not math.isfinite(value):
                    props[key] = (
                        None
                        if value != value
                        else ("-Infinity" if value < 0 else "Infinity")
                    )
    try:
        out.write_text(json.dumps(data, allow_nan=False), "utf-8")
    except ValueError as exc:  # a non-finite number outside geometries and properties
        msg = f"{path.name}: NaN or Infinity outside any feature's geometry ({exc})"
        raise ImportRejected(msg, code="unreadable") from exc
    return issues


def geometry_depth(geom, limit: int = MAX_DEPTH) -> int:
    """Collection nesting depth of a shapely geometry (iterative, bounded)."""
    stack = [(geom, 1)]
    best = 0
    while stack:
        g, d = stack.pop()
        best = max(best, d)
        if best > limit:
            return best
        if g is not None and g.geom_type == "GeometryCollection":
            stack.extend((p, d + 1) for p in shapely.get_parts(g))
    return best


@dataclass
class RowIssue:
    row: int
    status: str  # "repaired" | "rejected"
    reason: str
    column: str | None = None
    value: str | None = None


@dataclass
class ImportReport:
    """What happened to every row. ``to_text()`` for people, ``to_dict()`` for JSON."""

    source_file: str = ""
    read: int = 0
    imported: int = 0
    repaired: int = 0
    rejected: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)
    #: source column → layer column, as the import used them
    columns: dict[str, str] = field(default_factory=dict)

    def reject(self, row: int, reason: str, **kw) -> None:
        self.issues.append(RowIssue(row, "rejected", reason, **kw))

    @property
    def ok(self) -> bool:
        return self.rejected == 0 and not any(
            i.status == "rejected" for i in self.issues
        )

    def to_dict(self) -> dict:
        return {
            "source_file": self.source_file,
            "counts": {
                "read": self.read,
                "imported": self.imported,
                "repaired": self.repaired,
                "rejected": self.rejected,
            },
            "columns": dict(self.columns),
            "issues": [asdict(i) for i in self.issues],
            "warnings": list(self.warnings),
            "info": self.info,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str)

    def to_text(self) -> str:
        lines = [
            f"{self.source_file}: read {self.read}, imported {self.imported} "
            f"(repaired {self.repaired}), rejected {self.rejected}"
        ]
        if self.columns:
            lines.append(
                "  columns: "
                + ", ".join(f"{src} → {dst}" for src, dst in self.columns.items())
            )
        for i in self.issues:
            col = f" [{i.column}]" if i.column else ""
            if i.column and i.value is not None:
                col = f" [{i.column}={i.value!r}]"
            lines.append(f"  row {i.row}: {i.status}{col}: {i.reason}")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _polygonal(geom):
    """Keep only the polygon parts of a geometry, as a MultiPolygon (or None)."""
    parts = [
        p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")
    ]
    polys = []
    for p in parts:
        polys.extend(shapely.get_parts(p) if p.geom_type == "MultiPolygon" else [p])
    if geom.geom_type == "GeometryCollection":
        for p in shapely.get_parts(geom):
            if p.geom_type == "GeometryCollection":
                sub = _polygonal(p)
                if sub is not None:
                    polys.extend(shapely.get_parts(sub))
    if not polys:
        return None
    merged = shapely.MultiPolygon(polys)
    if not merged.is_valid:
        # parts that share an edge (make_valid's structure method can return such a
        # collection) are one polygon: dissolve them
        merged = shapely.union_all(polys)
        if merged.is_empty:
            return None
        parts = [p for p in shapely.get_parts(merged) if p.geom_type == "Polygon"]
        merged = shapely.MultiPolygon(parts) if parts else None
    return merged


def check_geometry(
    geom,
    geometry_type: str | None = None,
    *,
    max_vertices: int = MAX_VERTICES,
    max_area_change: float = 0.01,
) -> tuple[str, object, str]:
    """Check one geometry. Returns ``(status, geometry, reason)``.

    ``status`` is ``"ok"``, ``"repaired"`` or ``"rejected"``. Polygon targets are
    returned as MultiPolygon when ``geometry_type`` is ``"MultiPolygon"``.
    """
    if geom is None or shapely.is_missing(geom):
        return "rejected", None, "missing geometry"
    if geom.is_empty:
        return "rejected", None, "empty geometry"
    if geometry_depth(geom) > MAX_DEPTH:
        return "rejected", None, f"geometry collections nested deeper than {MAX_DEPTH}"
    n = shapely.get_num_coordinates(geom)
    if n > max_vertices:
        return "rejected", None, f"{n} vertices (limit {max_vertices})"
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        return "rejected", None, "NaN or infinite coordinate"
    gtype = geom.geom_type
    if geometry_type is not None and gtype not in COMPATIBLE[geometry_type]:
        return "rejected", None, f"geometry type {gtype}, expected {geometry_type}"
    status, reason = "ok", ""
    if not shapely.is_valid(geom):
        why = shapely.is_valid_reason(geom)
        try:
            fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
        except Exception as exc:  # GEOS errors on pathological input
            return "rejected", None, f"invalid geometry ({why}); repair failed: {exc}"
        if gtype in ("Polygon", "MultiPolygon"):
            fixed = _polygonal(fixed)
            if fixed is None or fixed.is_empty:
                return "rejected", None, f"invalid geometry ({why}); repair loses it"
            area0, area1 = _ring_area(geom), fixed.area
            change = abs(area1 - area0) / area0 if area0 > 0 else math.inf
            if change >= max_area_change:
                return (
                    "rejected",
                    None,
                    f"invalid geometry ({why}); repair changes area by "
                    f"{change:.1%} (limit {max_area_change:.0%})",
                )
            if gtype == "Polygon" and len(fixed.geoms) == 1:
                fixed = fixed.geoms[0]
            reason = f"repaired ({why}); area change {change:.3%}"
        elif fixed.geom_type != gtype:
            return "rejected", None, f"invalid geometry ({why})"
        else:
            reason = f"repaired ({why})"
        geom, status = fixed, "repaired"
    if geometry_type == "MultiPolygon" and geom.geom_type == "Polygon":
        geom = shapely.MultiPolygon([geom])
    elif geometry_type == "MultiLineString" and geom.geom_type == "LineString":
        geom = shapely.MultiLineString([geom])
    elif geometry_type == "MultiPoint" and geom.geom_type == "Point":
        geom = shapely.MultiPoint([geom])
    return status, geom, reason


def _ring_area(geom) -> float:
    """Area the user drew: shells minus holes, by the shoelace formula per ring.

    GEOS ``area`` of an invalid polygon is already this signed-ring sum (a bow-tie
    gives ~0), which is what the 1 % rule compares against.
    """
    return float(abs(shapely.area(geom)))


#: geometry type names in the order of shapely's type ids (``shapely.get_type_id``)
TYPE_NAMES = (
    "Point",
    "LineString",
    "LinearRing",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
)
#: shapely type ids of the types that are not collections (nesting depth 1)
_SIMPLE_TYPES = {"Point": 0, "LineString": 1, "Polygon": 3}
_MULTI_TYPES = {"MultiPoint": 4, "MultiLineString": 5, "MultiPolygon": 6}


def _certainly_ok(geoms, geometry_type: str | None, max_vertices: int) -> np.ndarray:
    """Where :func:`check_geometry` would return ``("ok", geom, "")`` unchanged.

    Shapely 2 array functions over all geometries: present, not empty, not a
    collection of collections, within ``max_vertices``, finite, of a compatible type
    that needs no promotion to Multi*, valid. The others take the per-row check.
    """
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = list(geoms)
    if arr.size == 0:
        return np.zeros(0, dtype=bool)
    tid = shapely.get_type_id(arr)
    if geometry_type is None:
        allowed = {*_SIMPLE_TYPES.values(), *_MULTI_TYPES.values()}
    else:
        ids = {**_SIMPLE_TYPES, **_MULTI_TYPES}
        allowed = {ids[t] for t in COMPATIBLE[geometry_type] if t in ids}
        if geometry_type in _MULTI_TYPES:  # a single part would be promoted
            allowed &= {_MULTI_TYPES[geometry_type]}
    ok = np.isin(tid, list(allowed))
    ok[ok] &= ~shapely.is_empty(arr[ok])
    ok[ok] &= shapely.get_num_coordinates(arr[ok]) <= max_vertices
    sub = np.flatnonzero(ok)
    coords, at = shapely.get_coordinates(arr[sub], return_index=True)
    ok[sub[np.unique(at[~np.isfinite(coords).all(axis=1)])]] = False
    ok[ok] &= shapely.is_valid(arr[ok])
    return ok


def check_geometries(
    geoms,
    geometry_type: str | None = None,
    *,
    report: ImportReport | None = None,
    max_vertices: int = MAX_VERTICES,
    row_offset: int = 1,
) -> tuple[list, list[str], ImportReport]:
    """Check a sequence of geometries; returns (geometries, statuses, report).

    Rejected rows get ``None``; the report lists each repaired/rejected row.
    """
    report = report or ImportReport()
    out, statuses = [], []
    # what the file holds, whatever the layer expects (the import page's fit check)
    types = report.info.setdefault("geometry_types", {})
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = list(geoms)
    tid = shapely.get_type_id(arr)
    present = (tid >= 0) & ~shapely.is_empty(arr)
    ids, first, counts = np.unique(tid[present], return_index=True, return_counts=True)
    for j in np.argsort(first):  # in the order the file first has them
        name = TYPE_NAMES[int(ids[j])]
        types[name] = types.get(name, 0) + int(counts[j])
    simple = _certainly_ok(arr, geometry_type, max_vertices)
    for i, g in enumerate(geoms):
        if simple[i]:  # what check_geometry returns for it, without asking
            out.append(g)
            statuses.append("ok")
            continue
        status, fixed, reason = check_geometry(
            g, geometry_type, max_vertices=max_vertices
        )
        row = i + row_offset
        if status == "rejected":
            report.issues.append(RowIssue(row, "rejected", reason, column="geometry"))
            report.rejected += 1
        elif status == "repaired":
            report.issues.append(RowIssue(row, "repaired", reason, column="geometry"))
            report.repaired += 1
        out.append(fixed)
        statuses.append(status)
    report.read += len(statuses)
    report.imported += sum(s != "rejected" for s in statuses)
    return out, statuses, report
