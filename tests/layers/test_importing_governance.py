"""Governance columns (五(一), 五(二)) as district offices write them, imported with NO
mapping file: Chinese column names, 单位托管 / 一级… values, dates as text and as
real date cells."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from accounts.permissions import SYSTEM
from layers import models
from layers.importing import layer_import
from layers.io.mapping import convert
from layers.io.schemas import Column
from tests import factories

pytestmark = pytest.mark.django_db

BOXES = [
    (121.540, 29.860, 121.545, 29.864),
    (121.550, 29.870, 121.556, 29.875),
    (121.560, 29.880, 121.562, 29.882),
]
SURVEY = {
    "小区编号": ["HS-01", "HS-02", "HS-03"],
    "小区名称": ["白云小区", "南苑新村", "孔浦宿舍"],
    "所属区县": ["海曙区"] * 3,
    "建成年份": [1995, 1988, 1979],
    "户数": [320, 1200, 86],
    "物业管理方式": ["专业物业", "单位托管", "无物业"],
    "物业公司": ["甬城物业", "宁波纺织厂后勤", ""],
    "物业进驻时间": ["2019年5月", "2003/1/15", ""],
    "服务等级": ["三级", "五级", ""],
    "物业费": [0.95, 0.2, None],
    "业委会": ["是", "否", "否"],
    "业委会成立日期": ["2018-11-20", "", ""],
}


@pytest.fixture
def district():
    return factories.district(code="D330203", name="海曙区")


def _gdf(data):
    return gpd.GeoDataFrame(
        data, geometry=[shapely.box(*b) for b in BOXES], crs="EPSG:4326"
    )


def _check(report):
    assert report.columns["物业管理方式"] == "property_management"
    assert report.columns["物业公司"] == "property_company"
    assert report.columns["物业进驻时间"] == "property_since"
    assert report.columns["服务等级"] == "service_level"
    assert report.columns["物业费"] == "property_fee"
    assert report.columns["业委会"] == "owners_committee"
    assert report.columns["业委会成立日期"] == "owners_committee_formed_on"
    a = models.Community.objects.get(code="HS-01")
    assert a.property_management == "professional" and a.property_company == "甬城物业"
    assert a.property_since == dt.date(2019, 5, 1)  # a month: its first day
    assert a.service_level == "3" and a.property_fee == Decimal("0.95")
    assert a.owners_committee and a.owners_committee_formed_on == dt.date(2018, 11, 20)
    b = models.Community.objects.get(code="HS-02")
    assert b.property_management == "work_unit" and b.service_level == "5"
    assert b.property_since == dt.date(2003, 1, 15) and not b.owners_committee
    c = models.Community.objects.get(code="HS-03")
    assert c.property_management == "none" and c.property_fee is None
    assert c.property_since is None and c.service_level == ""


def test_geojson_survey_with_governance_columns(tmp_path, district):
    f = tmp_path / "物业调查.geojson"
    _gdf(SURVEY).to_file(f, driver="GeoJSON")
    r = layer_import(user=SYSTEM, layer="community", path=f)
    assert r.created == 3, r.report.to_text()
    _check(r.report)


def test_geopackage_with_date_cells(tmp_path, district):
    data = dict(SURVEY)
    data["物业进驻时间"] = pd.to_datetime(["2019-05-01", "2003-01-15", None])
    data["业委会成立日期"] = pd.to_datetime(["2018-11-20", None, None])
    f = tmp_path / "物业调查.gpkg"
    pyogrio.write_dataframe(_gdf(data), f, layer="小区", driver="GPKG")
    r = layer_import(user=SYSTEM, layer="community", path=f)
    assert r.created == 3, r.report.to_text()
    _check(r.report)


def test_a_bad_date_rejects_its_row(tmp_path, district):
    data = dict(SURVEY)
    data["物业进驻时间"] = ["去年", "2003/1/15", ""]
    f = tmp_path / "物业调查.geojson"
    _gdf(data).to_file(f, driver="GeoJSON")
    r = layer_import(user=SYSTEM, layer="community", path=f, skip_invalid=True)
    assert r.created == 2
    issue = next(i for i in r.report.issues if i.column == "property_since")
    assert "not a date" in issue.reason


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("2019-05-01", dt.date(2019, 5, 1)),
        ("2019/5/1", dt.date(2019, 5, 1)),
        ("2019.05.01", dt.date(2019, 5, 1)),
        ("2019年5月1日", dt.date(2019, 5, 1)),
        ("2019年5月", dt.date(2019, 5, 1)),
        ("2019", dt.date(2019, 1, 1)),
        (2019.0, dt.date(2019, 1, 1)),
        ("2019-05-01T00:00:00", dt.date(2019, 5, 1)),
        (dt.datetime(2019, 5, 1, 8, 0), dt.date(2019, 5, 1)),
        (pd.Timestamp("2019-05-01"), dt.date(2019, 5, 1)),
    ],
)
def test_date_cells(raw, day):
    assert convert(raw, Column("date")) == day


@pytest.mark.parametrize("raw", ["去年", "2019-13-01", "2019-02-30", "19-5-1"])
def test_not_dates(raw):
    with pytest.raises(ValueError, match="not a date"):
        convert(raw, Column("date"))
