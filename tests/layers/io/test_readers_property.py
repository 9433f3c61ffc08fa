"""Property test: random and malformed GeoJSON, CSV and WKT never end in a traceback.

Every file the strategies below build is either imported cleanly (a ReadResult whose
counts add up, in the storage CRS, every geometry finite) or refused with the
project's own :class:`~layers.io.errors.ImportRejected`. Any other exception is a bug.
The files then go through the automatic Chinese field mapping of a layer
(:func:`layers.io.mapping.apply_mapping`), which must answer the same way.

Cases the strategies cover: valid features in Ningbo; coordinates NaN, ±Infinity,
1e999, huge integers, out of the extent, swapped; null / empty / wrong-typed
geometries, strings and objects as coordinates; unclosed rings, bow-ties; truncated
and byte-flipped JSON; CSV with lon/lat, 经度/纬度 or WKT columns, odd delimiters,
ragged rows, GBK bytes; WKT that is garbage, deeply nested, EMPTY or non-finite.

The profile is derandomised (tests/conftest.py) and ``max_examples`` is small so
that ``make test`` stays quick; explore with ``HYPOTHESIS_PROFILE=explore``.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layers.io.errors import ImportRejected
from layers.io.mapping import apply_mapping, detect_mapping
from layers.io.readers import ReadResult, read_vector
from layers.io.sandbox import run_sandboxed

EXAMPLES = settings(
    # modest in make test; the "explore" profile (tests/conftest.py) sets its own
    max_examples=40 if os.environ.get("HYPOTHESIS_PROFILE") != "explore" else 1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --------------------------------------------------------------------- numbers
inside_lon = st.floats(121.50, 121.60)
inside_lat = st.floats(29.83, 29.92)
weird = st.sampled_from(
    [math.nan, math.inf, -math.inf, 1e308, -1e308, 0.0, 29.87, 121.55, 400.0, -91.0]
)
number = st.one_of(inside_lon, inside_lat, weird, st.floats(allow_nan=True))
position = st.one_of(
    st.tuples(inside_lon, inside_lat).map(list),
    st.lists(number, min_size=0, max_size=4),
    st.just([121.55, "29.87"]),
    st.just([[121.55, 29.87]]),
    st.just(None),
    st.integers(-(10**400), 10**400).map(lambda i: [i, 29.87]),
)
ring = st.lists(position, min_size=0, max_size=6)
closed_ring = st.lists(st.tuples(inside_lon, inside_lat), min_size=3, max_size=6).map(
    lambda pts: [list(p) for p in [*pts, pts[0]]]
)


@st.composite
def geometry(draw, depth=0):
    kind = draw(
        st.sampled_from(
            [
                "Point",
                "LineString",
                "Polygon",
                "MultiPolygon",
                "GeometryCollection",
                "null",
                "junk",
            ]
        )
    )
    if kind == "null":
        return None
    if kind == "junk":
        return draw(
            st.one_of(
                st.text(max_size=5),
                st.integers(),
                st.just({"type": "Circle", "coordinates": [1, 2]}),
                st.just({"type": "Point"}),
                st.just({"type": "Polygon", "coordinates": "abc"}),
            )
        )
    if kind == "Point":
        coords = draw(position)
    elif kind == "LineString":
        coords = draw(st.lists(position, max_size=4))
    elif kind == "Polygon":
        coords = draw(st.lists(st.one_of(closed_ring, ring), min_size=0, max_size=2))
    elif kind == "MultiPolygon":
        coords = draw(
            st.lists(st.lists(closed_ring, min_size=1, max_size=2), max_size=2)
        )
    else:
        if depth > 2:
            return None
        return {
            "type": "GeometryCollection",
            "geometries": draw(st.lists(geometry(depth + 1), max_size=2)),
        }
    return {"type": kind, "coordinates": coords}


column = st.sampled_from(
    [
        "名称",
        "小区名称",
        "建成年份",
        "户数",
        "产权",
        "code",
        "name",
        "category",
        "x",
        "是否",
    ]
)
cell = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.sampled_from(["国有", "集体", "是", "否", "1995年", "1,200", "NaN", "Infinity"]),
    st.just({"nested": [1, 2]}),
)
feature = st.fixed_dictionaries(
    {
        "type": st.just("Feature"),
        "properties": st.one_of(
            st.dictionaries(column, cell, max_size=4), st.none(), st.just([])
        ),
        "geometry": geometry(),
    }
)


@st.composite
def geojson_bytes(draw) -> bytes:
    features = draw(st.lists(feature, max_size=5))
    doc = draw(
        st.sampled_from(["collection", "feature", "geometry", "array", "broken"])
    )
    if doc == "collection":
        data = {"type": "FeatureCollection", "features": features}
    elif doc == "feature":
        data = features[0] if features else {"type": "Feature"}
    elif doc == "geometry":
        data = draw(geometry())
    else:
        data = features
    text = json.dumps(data, ensure_ascii=draw(st.booleans()))  # NaN/Infinity allowed
    raw = text.encode("utf-8")
    if doc == "broken" and raw:
        cut = draw(st.integers(0, len(raw) - 1))
        flip = draw(st.sampled_from([b"", b"{", b"]", b"\xff", b"1e999", b'"']))
        raw = raw[:cut] + flip + raw[cut + 1 :]
    return raw


# ------------------------------------------------------------------------- WKT
@st.composite
def wkt_text(draw) -> str:
    kind = draw(st.sampled_from(["valid", "nonfinite", "nested", "junk", "empty"]))
    if kind == "valid":
        x, y = draw(inside_lon), draw(inside_lat)
        g = draw(
            st.sampled_from(
                [
                    shapely.Point(x, y),
                    shapely.box(x, y, x + 0.001, y + 0.001),
                    shapely.LineString([(x, y), (x + 0.001, y)]),
                    shapely.Polygon(
                        [(x, y), (x + 0.001, y + 0.001), (x + 0.001, y), (x, y + 0.001)]
                    ),
                ]
            )
        )
        return g.wkt
    if kind == "nonfinite":
        v = draw(st.sampled_from(["nan", "inf", "-inf", "NaN", "1e999"]))
        return draw(
            st.sampled_from([f"POINT ({v} 29.87)", f"LINESTRING (121.55 29.87, {v} 1)"])
        )
    if kind == "nested":
        n = draw(st.integers(1, 60))
        return "GEOMETRYCOLLECTION (" * n + "POINT (121.55 29.87)" + ")" * n
    if kind == "empty":
        return draw(st.sampled_from(["POINT EMPTY", "POLYGON EMPTY", "", "   "]))
    return draw(st.text(max_size=30))


@st.composite
def csv_bytes(draw) -> bytes:
    style = draw(st.sampled_from(["lonlat", "经纬度", "wkt", "none"]))
    delim = draw(st.sampled_from([",", ";", "\t", "|"]))
    extra = draw(st.lists(column, max_size=3, unique=True))
    if style == "lonlat":
        geo_cols = ["lon", "lat"]
    elif style == "经纬度":
        geo_cols = ["经度", "纬度"]
    elif style == "wkt":
        geo_cols = ["wkt"]
    else:
        geo_cols = []
    header = geo_cols + [c for c in extra if c not in geo_cols]
    rows = []
    for _ in range(draw(st.integers(0, 5))):
        row = []
        for c in header:
            if c in ("lon", "经度"):
                row.append(str(draw(st.one_of(inside_lon, weird))))
            elif c in ("lat", "纬度"):
                row.append(str(draw(st.one_of(inside_lat, weird))))
            elif c == "wkt":
                row.append('"' + draw(wkt_text()).replace('"', "") + '"')
            else:
                row.append(str(draw(cell)).replace(delim, " ").replace("\n", " "))
        if draw(st.integers(0, 9)) == 0:
            row = row[: draw(st.integers(0, len(row)))]  # ragged
        rows.append(delim.join(row))
    text = "\n".join([delim.join(header), *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk"]))
    return text.encode(encoding, errors="replace")


# ------------------------------------------------------------------ assertions
def _read(raw: bytes, suffix: str, *, sandboxed=False, **kwargs) -> ReadResult | None:
    with tempfile.TemporaryDirectory(prefix="prop-") as d:
        p = Path(d) / f"upload{suffix}"
        p.write_bytes(raw)
        try:
            if sandboxed:
                r = run_sandboxed("read_vector", p, **kwargs)
            else:
                r = read_vector(p, **kwargs)
        except ImportRejected:
            return None
    assert r.report.imported == len(r.gdf)
    assert r.report.read >= r.report.imported
    assert r.gdf.crs is not None and r.gdf.crs.to_epsg() == 4549
    assert r.gdf.geometry.name in r.gdf.columns
    if len(r.gdf):
        coords = shapely.get_coordinates(r.gdf.geometry.to_numpy())
        assert np.isfinite(coords).all()
    rejected_rows = {i.row for i in r.report.issues if i.status == "rejected"}
    assert not rejected_rows & set(r.gdf.index)
    return r


def _map(r: ReadResult | None, layer: str) -> None:
    if r is None:
        return
    try:
        mapping = detect_mapping(
            [str(c) for c in r.gdf.columns if c != "geometry"], layer
        )
        res = apply_mapping(r.gdf, mapping, layer)
    except ImportRejected:
        return
    assert res.report.imported == len(res.gdf)


@EXAMPLES
@given(
    raw=geojson_bytes(), layer=st.sampled_from(["community", "amenity", "idle_land"])
)
def test_random_geojson_is_imported_or_refused(raw, layer):
    _map(_read(raw, ".geojson"), layer)


@EXAMPLES
@given(raw=csv_bytes(), layer=st.sampled_from(["amenity", "vacant_housing"]))
def test_random_csv_is_imported_or_refused(raw, layer):
    _map(_read(raw, ".csv", crs="EPSG:4326"), layer)


@EXAMPLES
@given(cells=st.lists(wkt_text(), min_size=1, max_size=6))
def test_random_wkt_is_imported_or_refused(cells):
    text = "wkt;名称\n" + "\n".join(
        f'"{c.replace(chr(34), "")}";点{i}' for i, c in enumerate(cells)
    )
    r = _read(text.encode("utf-8"), ".csv", crs="EPSG:4326")
    if r is not None:
        assert r.report.read == len(cells)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=st.one_of(
        geojson_bytes().map(lambda b: (b, ".geojson", {})),
        csv_bytes().map(lambda b: (b, ".csv", {"crs": "EPSG:4326"})),
    )
)
def test_random_files_through_the_sandbox(case):
    """The web service reads in the child process: its refusals arrive as ours too."""
    raw, suffix, kwargs = case
    _read(raw, suffix, sandboxed=True, **kwargs)
