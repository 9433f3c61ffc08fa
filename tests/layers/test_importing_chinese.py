"""Files as a Chinese district office sends them, imported with NO mapping file.

Every file is built here, shaped like the real thing: a zipped GBK Shapefile without a
``.cpg`` (so the encoding is detected) whose DBF names are cut at 10 bytes, a
GB18030 Shapefile with a character outside GBK, a GeoPackage and a GeoJSON, all with
Chinese column names and values (国有/集体, 是/否, "1995年", "1,200"). The synonyms
table (layers/io/synonyms.yaml) does the mapping; the report says which column went
where.
"""

from __future__ import annotations

import zipfile

import geopandas as gpd
import pyogrio
import pytest
import shapely

from accounts.permissions import SYSTEM
from layers import models
from layers.importing import layer_import
from tests import factories

pytestmark = pytest.mark.django_db

BOXES = [
    (121.540, 29.860, 121.545, 29.864),
    (121.550, 29.870, 121.556, 29.875),
    (121.560, 29.880, 121.562, 29.882),
]


@pytest.fixture
def district():
    return factories.district(code="D330203", name="海曙区")


def _gdf(data, crs="EPSG:4326", geoms=None):
    geoms = geoms or [shapely.box(*b) for b in BOXES]
    return gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326").to_crs(crs)


def _zip_shapefile(tmp_path, gdf, encoding, stem="小区调查"):
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.write_dataframe(gdf, folder / f"{stem}.shp", encoding=encoding)
    (folder / f"{stem}.cpg").unlink(missing_ok=True)  # as older desktop GIS write it
    z = tmp_path / "survey.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f.name)
    return z


SURVEY = {
    "小区编号": ["HS-01", "HS-02", "HS-03"],
    "小区名称": ["白云小区", "南苑新村", "孔浦宿舍"],
    "所属区县": ["海曙区"] * 3,
    "建成年份": ["1995年", "1988", "1979"],
    "户数": ["320", "1,200", "86"],
    "产权": ["国有", "集体", "国有"],
    "楼栋数": [6, 24, 2],
    "最高层数": [6, 7, 4],
    "建筑面积": [21000.5, 86000.0, 4300.0],
    "社区": ["白云社区", "南苑社区", "孔浦社区"],
    "地址": ["白云街1号", "南苑路2号", "孔浦路3号"],
    # 12 bytes in GBK: the DBF keeps 10, "是否列入棚"; the synonyms' prefix finds it
    "是否列入棚改": ["否", "是", "否"],
    "备注": ["", "", "老旧"],
}


def _check_survey(r):
    assert r.created == 3, r.report.to_text()
    c = models.Community.objects.get(code="HS-02")
    assert (c.name, c.completion_year, c.households) == ("南苑新村", 1988, 1200)
    assert c.land_tenure == "collective"
    assert (c.buildings, c.max_floors, c.floor_area_m2) == (24, 7, 86000.0)
    assert (c.committee, c.address) == ("南苑社区", "南苑路2号")
    assert c.in_shanty_plan is True
    assert c.district.code == "D330203"
    h1 = models.Community.objects.get(code="HS-01")
    assert h1.completion_year == 1995 and h1.land_tenure == "state"
    cols = r.report.columns
    assert cols["小区名称"] == "name" and cols["建成年份"] == "completion_year"
    assert cols["户数"] == "households" and cols["产权"] == "land_tenure"
    assert "小区名称 → name" in r.report.to_text()
    assert any("备注" in w for w in r.report.warnings)  # ignored, and said so


def test_gbk_shapefile_without_cpg_needs_no_mapping(tmp_path, district):
    z = _zip_shapefile(tmp_path, _gdf(SURVEY, "EPSG:4549"), "GBK")
    r = layer_import(user=SYSTEM, layer="community", path=z)
    _check_survey(r)
    shanty = next(k for k, v in r.report.columns.items() if v == "in_shanty_plan")
    assert shanty.startswith("是否列入棚")  # the name as the DBF kept it
    assert r.report.info["column_how"][shanty] == "truncated name"
    assert r.report.info["encoding"].upper() in ("GB18030", "GBK", "CP936")


def test_gbk_shapefile_of_numbers_under_chinese_names_is_detected(tmp_path, district):
    """No Chinese text in the records: the field names alone decide the encoding."""
    data = {
        "小区编号": ["1", "2", "3"],
        "建成年份": [1990, 1991, 1992],
        "户数": [10, 20, 30],
        "小区名称": ["A", "B", "C"],
    }
    z = _zip_shapefile(tmp_path, _gdf(data, "EPSG:4549"), "GBK")
    r = layer_import(user=SYSTEM, layer="community", path=z, dry_run=True)
    assert r.created == 3, r.report.to_text()
    assert r.report.columns["建成年份"] == "completion_year"


def test_gb18030_shapefile_keeps_characters_outside_gbk(tmp_path, district):
    data = dict(SURVEY)
    data["小区名称"] = [
        "白云小区",
        "南苑䶮居",
        "孔浦宿舍",
    ]  # 䶮: 4-byte GB18030, not GBK
    z = _zip_shapefile(tmp_path, _gdf(data, "EPSG:4549"), "GB18030")
    r = layer_import(user=SYSTEM, layer="community", path=z)
    assert r.created == 3, r.report.to_text()
    assert models.Community.objects.get(code="HS-02").name == "南苑䶮居"
    assert r.report.info["encoding"].upper() == "GB18030"


def test_geopackage_with_other_spellings(tmp_path, district):
    data = {
        "小区名称": ["白云小区", "南苑新村", "孔浦宿舍"],
        "竣工年份": [1995, 1988, 1979],
        "总户数": [320, 1200, 86],
        "土地性质": ["国有土地", "集体土地", "国有土地"],
        "房屋类型": ["商品房", "房改房", "安置房"],
        "物业管理": ["无物业", "专业物业", "自治"],
        "列入征收": ["否", "否", "是"],
        "现有电梯数": [0, 2, 0],
    }
    f = tmp_path / "小区.gpkg"
    pyogrio.write_dataframe(_gdf(data, "EPSG:4490"), f, layer="小区", driver="GPKG")
    r = layer_import(user=SYSTEM, layer="community", path=f)
    assert r.created == 3, r.report.to_text()
    # no code column: codes from the file name and row number
    c = models.Community.objects.get(name="孔浦宿舍")
    assert c.code.endswith("-3")
    assert (c.completion_year, c.households, c.land_tenure) == (1979, 86, "state")
    assert c.housing_type == "resettlement" and c.property_management == "self"
    assert c.in_expropriation_plan is True
    assert models.Community.objects.get(name="南苑新村").lifts == 2
    assert r.report.columns["总户数"] == "households"


def test_geojson_amenities_with_chinese_categories(tmp_path, district):
    data = {
        "设施名称": ["阳光幼儿园", "白云社区卫生服务站", "南苑菜市场"],
        "设施类别": ["幼儿园", "社区卫生服务站", "菜市场"],
        "服务能力": [180, None, 300],
        "建筑面积（㎡）": [1200.0, 300.0, 2500.0],
    }
    pts = [shapely.box(*b).centroid for b in BOXES]
    f = tmp_path / "设施.geojson"
    _gdf(data, geoms=pts).to_file(f, driver="GeoJSON")
    r = layer_import(user=SYSTEM, layer="amenity", path=f)
    assert r.created == 3, r.report.to_text()
    cats = dict(models.Amenity.objects.values_list("name", "category__code"))
    assert cats == {
        "阳光幼儿园": "kindergarten",
        "白云社区卫生服务站": "health_station",
        "南苑菜市场": "market",
    }
    assert r.report.columns["建筑面积（㎡）"] == "floor_area_m2"


def test_an_explicit_mapping_file_still_wins(tmp_path, district):
    """名称 would map to name; the file sends it to address and names 别名 instead."""
    data = {"名称": ["甲", "乙", "丙"], "别名": ["A", "B", "C"], "户数": [1, 2, 3]}
    data["建成年份"] = [1990, 1991, 1992]
    f = tmp_path / "c.geojson"
    _gdf(data).to_file(f, driver="GeoJSON")
    r = layer_import(
        user=SYSTEM,
        layer="community",
        path=f,
        mapping={
            "fields": {
                "名称": "address",
                "别名": "name",
                "户数": "households",
                "建成年份": "completion_year",
            }
        },
    )
    assert r.created == 3, r.report.to_text()
    assert set(models.Community.objects.values_list("name", "address")) == {
        ("A", "甲"),
        ("B", "乙"),
        ("C", "丙"),
    }
