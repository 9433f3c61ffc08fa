"""Importing the special works (四(四)2): areas and lines in one file, all-or-nothing."""

from __future__ import annotations

import json

import pytest

from accounts.permissions import SYSTEM
from layers import models
from layers.importing import ImportRefused, layer_import
from layers.importing.fit import fitting_layers
from tests import factories

pytestmark = pytest.mark.django_db


def feature(geometry, **props):
    return {"type": "Feature", "geometry": geometry, "properties": props}


AREA = {
    "type": "Polygon",
    "coordinates": [
        [[121.550, 29.870], [121.556, 29.870], [121.556, 29.875], [121.550, 29.870]]
    ],
}
LINE = {"type": "LineString", "coordinates": [[121.548, 29.872], [121.558, 29.873]]}
LINES = {
    "type": "MultiLineString",
    "coordinates": [
        [[121.548, 29.874], [121.552, 29.874]],
        [[121.552, 29.874], [121.552, 29.878]],
    ],
}
WORKS = [
    feature(
        AREA,
        code="SW-A",
        name="白云片雨污分流",
        department="宁波市排水有限公司",
        kind="sewer_separation",
        start_year=2026,
        end_year=2027,
        status="planned",
    ),
    feature(
        LINE,
        code="SW-G",
        name="中山路燃气管网更新",
        department="宁波兴光燃气集团",
        kind="gas",
        start_year=2027,
        end_year=2027,
    ),
    feature(
        LINES,
        code="SW-W",
        name="供水管网改造",
        department="宁波市自来水有限公司",
        kind="water",
        start_year=2025,
        end_year=2026,
        status="under_way",
    ),
]


def write(tmp_path, features, name="works.geojson"):
    f = tmp_path / name
    f.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}),
        encoding="utf-8",
    )
    return f


@pytest.fixture
def district():
    return factories.district(code="D330203", name="海曙区")


def test_a_file_of_areas_and_lines_imports_into_the_special_works(tmp_path, district):
    r = layer_import(user=SYSTEM, layer="special_work", path=write(tmp_path, WORKS))
    assert (r.created, r.updated) == (3, 0), r.report.to_text()
    got = {w.code: w for w in models.SpecialWork.objects.all()}
    assert got["SW-A"].geom.geom_type == "Polygon"
    assert got["SW-G"].geom.geom_type == "LineString"
    assert got["SW-W"].geom.geom_type == "MultiLineString"
    assert got["SW-W"].status == "under_way" and got["SW-G"].status == "planned"
    assert got["SW-A"].geom.srid == 4549
    assert got["SW-A"].history.count() == 1
    # the same file again updates
    r2 = layer_import(user=SYSTEM, layer="special_work", path=write(tmp_path, WORKS))
    assert (r2.created, r2.updated) == (0, 3)


def test_only_the_special_works_take_areas_and_lines_together():
    assert fitting_layers({"Polygon": 1, "LineString": 2}) == ["special_work"]
    assert "special_work" in fitting_layers({"MultiLineString": 1})


def test_a_point_or_a_bad_kind_refuses_the_whole_file(tmp_path, district):
    point = feature(
        {"type": "Point", "coordinates": [121.55, 29.87]},
        code="SW-P",
        department="区公安分局",
        kind="smart_security",
        start_year=2026,
        end_year=2026,
    )
    with pytest.raises(ImportRefused):
        layer_import(
            user=SYSTEM, layer="special_work", path=write(tmp_path, [*WORKS, point])
        )
    bad = json.loads(json.dumps(WORKS))
    bad[1]["properties"]["kind"] = "tram"
    with pytest.raises(ImportRefused):
        layer_import(user=SYSTEM, layer="special_work", path=write(tmp_path, bad))
    assert models.SpecialWork.objects.count() == 0


def test_end_year_before_start_is_refused(tmp_path, district):
    bad = json.loads(json.dumps(WORKS))
    bad[0]["properties"].update(start_year=2028, end_year=2026)
    with pytest.raises(ImportRefused) as exc:
        layer_import(user=SYSTEM, layer="special_work", path=write(tmp_path, bad))
    assert models.SpecialWork.objects.count() == 0
    assert exc.value.report.rejected == 1
