"""GeoJSON with NaN / Infinity / 1e999 coordinates: refused per feature, never a traceback.

Python's json writes ``NaN`` and ``Infinity`` (allow_nan=True is its default) and reads
``1e999`` as infinity; GDAL reads the first two as non-finite numbers and refuses the
third for the whole file. :func:`layers.io.geometry.strip_nonfinite_geojson` turns
each into a rejected row that names the feature.
"""

from __future__ import annotations

import json

import pytest

from layers.io.errors import ImportRejected
from layers.io.readers import read_vector

GOOD = {"type": "Point", "coordinates": [121.55, 29.87]}


def _write(tmp_path, text, name="f.geojson"):
    p = tmp_path / name
    p.write_text(text, "utf-8")
    return p


def _collection(bad_coordinate_text: str) -> str:
    """Three features; the second one has the given literal as its longitude."""
    return (
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"名称": "白云小区"}, "geometry": '
        + json.dumps(GOOD)
        + '}, {"type": "Feature", "id": "f-2", "properties": {"名称": "南苑新村"}, '
        '"geometry": {"type": "Polygon", "coordinates": [[[121.55, 29.87], '
        f"[{bad_coordinate_text}, 29.87], [121.56, 29.88], [121.55, 29.87]]]}}}}, "
        '{"type": "Feature", "properties": {"名称": "孔浦"}, "geometry": '
        + json.dumps(GOOD)
        + "}]}"
    )


@pytest.mark.parametrize(
    "literal", ["NaN", "Infinity", "-Infinity", "1e999", "-1E+400"]
)
def test_nonfinite_coordinate_refused_naming_the_feature(tmp_path, literal):
    r = read_vector(_write(tmp_path, _collection(literal)))
    assert (r.report.read, r.report.imported, r.report.rejected) == (3, 2, 1)
    [issue] = r.report.issues
    assert issue.row == 2
    assert issue.status == "rejected"
    assert issue.reason.startswith("feature 2 (id 'f-2', 名称 '南苑新村'): coordinate")
    assert literal.lstrip("-").lower()[:3] in issue.value.lower()
    assert list(r.gdf.index) == [1, 3]


def test_python_json_dump_with_nan_is_what_we_meet(tmp_path):
    """The file as Python writes it (json.dumps default allow_nan=True)."""
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "x", "area": float("inf"), "n": float("nan")},
                "geometry": {"type": "Point", "coordinates": [float("nan"), 29.87]},
            },
            {"type": "Feature", "properties": {"name": "y"}, "geometry": GOOD},
        ],
    }
    r = read_vector(_write(tmp_path, json.dumps(fc)))
    assert [i.row for i in r.report.issues] == [1]
    assert "feature 1 (name 'x'): coordinate NaN" in r.report.issues[0].reason
    assert r.report.imported == 1


def test_every_feature_nonfinite_is_a_clean_refusal_of_every_row(tmp_path):
    text = '{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [NaN, 1e999]}}'
    r = read_vector(_write(tmp_path, text))
    assert r.report.imported == 0 and r.report.rejected == 1
    assert r.gdf.geometry.name == "geometry" and len(r.gdf) == 0


def test_bare_geometry_and_collections(tmp_path):
    text = (
        '{"type": "GeometryCollection", "geometries": [{"type": "Point", '
        '"coordinates": [121.55, Infinity]}]}'
    )
    r = read_vector(_write(tmp_path, text))
    assert r.report.rejected == 1
    assert "coordinate Infinity" in r.report.issues[0].reason


def test_nan_outside_features_is_refused_as_a_file(tmp_path):
    text = '{"type": "FeatureCollection", "bbox": [NaN, 0, 1, 1], "features": []}'
    with pytest.raises(ImportRejected, match="outside any feature"):
        read_vector(_write(tmp_path, text))


def test_name_with_nan_in_a_string_is_not_touched(tmp_path):
    """'NaN' inside a string value triggers the scan but changes nothing."""
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "NaN Infinity 1e999"},
                "geometry": GOOD,
            }
        ],
    }
    r = read_vector(_write(tmp_path, json.dumps(fc)))
    assert r.report.imported == 1 and not r.report.issues
    assert r.gdf["name"].iloc[0] == "NaN Infinity 1e999"
