"""Field mapping: rename + typed conversion with per-row errors instead of exceptions."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from layers.io.errors import ImportRejected
from layers.io.mapping import apply_mapping, load_mapping
from layers.io.schemas import AMENITY_CATEGORIES, LAYERS

YAML = """
fields:
  编号: code
  小区名称: name
  建成年代: completion_year
  房屋类型: housing_type
  是否纳入棚改: in_shanty_plan
  户数: households
values:
  housing_type: {商品房: commodity, 房改房: work_unit, 安置房: resettlement}
key: code
"""


def _gdf(columns):
    n = len(next(iter(columns.values())))
    return gpd.GeoDataFrame(
        columns,
        geometry=[shapely.box(0, 0, 1, 1)] * n,
        crs="EPSG:4549",
        index=range(1, n + 1),
    )


def test_apply_mapping_types_and_row_errors(tmp_path):
    f = tmp_path / "m.yaml"
    f.write_text(YAML, encoding="utf-8")
    gdf = _gdf(
        {
            "编号": ["C1", "C2", "C3", "C1", "C5"],
            "小区名称": ["白云小区", "南苑新村", "甲", "乙", "丙"],
            "建成年代": ["1995", "1988年", "九十年代", "1990", 1979.0],
            "房屋类型": ["商品房", "房改房", "安置房", "商品房", "别墅区"],
            "是否纳入棚改": ["是", "否", "", "1", "no"],
            "户数": ["1,200", "86", "3", "4", "5"],
            "备注": ["x"] * 5,
        }
    )
    r = apply_mapping(gdf, load_mapping(f), "community")
    assert list(r.gdf.index) == [1, 2]
    assert list(r.gdf["completion_year"]) == [1995, 1988]
    assert list(r.gdf["housing_type"]) == ["commodity", "work_unit"]
    assert list(r.gdf["households"]) == [1200, 86]
    assert list(r.gdf["in_shanty_plan"]) == [True, False]
    issues = {(i.row, i.column): i for i in r.report.issues}
    assert issues[(3, "completion_year")].value == "九十年代"
    assert issues[(3, "completion_year")].reason == "not an integer"
    assert "duplicate key" in issues[(4, "code")].reason
    assert issues[(5, "housing_type")].reason.startswith("not one of")
    assert r.unmapped == ["备注"]
    assert "row 3" in r.report.to_text()


def test_json_mapping_and_identity_columns():
    gdf = _gdf({"code": ["A1"], "名称": ["菜场"], "category": ["market"]})
    m = json.dumps({"fields": {"名称": "name"}})
    r = apply_mapping(gdf, m, "amenity")
    assert list(r.gdf["name"]) == ["菜场"] and r.report.ok


def test_bad_mapping_targets_refused():
    gdf = _gdf({"code": ["A1"]})
    with pytest.raises(ImportRejected, match="not in layer"):
        apply_mapping(gdf, {"fields": {"code": 'a"; DROP TABLE x;--'}}, "community")
    with pytest.raises(ImportRejected, match="required"):
        apply_mapping(gdf, {"fields": {}}, "amenity")  # category missing
    with pytest.raises(ImportRejected):
        load_mapping("!!python/object/apply:os.system ['echo hi']")


def test_schema_categories_match_ruleset():
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "fixtures/rulesets/gb50180_2018.json"
    if not path.exists():
        pytest.skip("ruleset fixture absent")
    codes = [c["code"] for c in json.loads(path.read_text("utf-8"))["categories"]]
    assert set(codes) == set(AMENITY_CATEGORIES)
    assert LAYERS["amenity"]["geometry"] == "Point"
