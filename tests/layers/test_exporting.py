"""layer_export and the download view: every format round-trips through the importer."""

from __future__ import annotations

import json
import zipfile

import pytest

from accounts.models import Role
from accounts.permissions import SYSTEM
from layers import models
from layers.exporting import layer_export
from layers.importing import layer_import
from tests import factories

pytestmark = pytest.mark.django_db

FIELDS = (
    "name", "district_id", "street_id", "completion_year", "households", "residents",
    "housing_type", "in_shanty_plan", "fund_balance_yuan", "stage",
)  # fmt: skip


@pytest.fixture
def city():
    s = factories.street(code="S1", name="鼓楼街道")
    factories.community(
        code="C1",
        name="白云小区",
        street=s,
        housing_type="work_unit",
        in_shanty_plan=True,
        fund_balance_yuan="12345.60",
        internal_notes="SENTINEL-内部",
        stage="planned",
    )
    factories.community(
        code="C2",
        name="南苑新村",
        street=s,
        geom=factories.MultiPolygon(factories.square(121.552, 29.876, 150), srid=4549),
    )
    factories.amenity(code="A1", category="kindergarten", name="阳光幼儿园")
    return s


def snapshot():
    out = {}
    for c in models.Community.objects.order_by("code"):
        out[c.code] = {f: getattr(c, f) for f in FIELDS} | {"area": c.geom.area}
    return out


def _same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for code in a:
        for k, v in a[code].items():
            if k == "area":
                assert b[code][k] == pytest.approx(v, rel=1e-4)  # SECURITY B5: < 0.01 %
            elif isinstance(v, float):
                assert float(b[code][k]) == pytest.approx(v)
            else:
                assert b[code][k] == v, (code, k)


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shp", "csv", "xlsx"])
def test_export_import_round_trip(tmp_path, city, fmt):
    before = snapshot()
    out = layer_export(layer="community", fmt=fmt, path=tmp_path / f"c.{fmt}")
    assert out.is_file()
    models.Community.objects.all().delete()
    crs = "EPSG:4326" if fmt in ("csv", "xlsx") else None
    r = layer_import(user=SYSTEM, layer="community", path=out, crs=crs)
    assert r.created == 2, r.report.to_text()
    _same(before, snapshot())
    # again: updates, no duplicates
    r = layer_import(user=SYSTEM, layer="community", path=out, crs=crs)
    assert (r.created, r.updated) == (0, 2)


@pytest.mark.parametrize("fmt", ["geojson", "shp"])
def test_amenity_round_trip(tmp_path, city, fmt):
    out = layer_export(layer="amenity", fmt=fmt, path=tmp_path / f"a.{fmt}")
    before = list(models.Amenity.objects.values_list("code", "name", "category__code"))
    models.Amenity.objects.all().delete()
    layer_import(user=SYSTEM, layer="amenity", path=out)
    after = list(models.Amenity.objects.values_list("code", "name", "category__code"))
    assert after == before


def test_shapefile_is_utf8_with_cpg(tmp_path, city):
    out = layer_export(layer="community", fmt="shp", path=tmp_path / "c.zip")
    names = zipfile.ZipFile(out).namelist()
    assert "community.cpg" in names and "field_names.json" in names
    assert zipfile.ZipFile(out).read("community.cpg").strip() == b"UTF-8"


def test_bbox_filter(tmp_path, city):
    out = layer_export(
        layer="community",
        fmt="geojson",
        path=tmp_path / "c.geojson",
        bbox=(121.5515, 29.8755, 121.5525, 29.8765),
    )
    codes = [f["properties"]["code"] for f in json.loads(out.read_text())["features"]]
    assert codes == ["C2"]


def test_anonymous_visitors_download_nothing(client, city):
    """Open data for the public goes through /api/public/ and the OGC API."""
    r = client.get("/layers/export/community.geojson")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_viewer_download_has_no_private_fields(client, city):
    client.force_login(factories.user("viewer1", Role.VIEWER))
    r = client.get("/layers/export/community.geojson")
    assert r.status_code == 200
    body = b"".join(r.streaming_content).decode()
    data = json.loads(body)
    props = data["features"][0]["properties"]
    assert "fund_balance_yuan" not in props and "internal_notes" not in props
    assert "SENTINEL" not in body
    assert "name" in props and props["district_code"]
    for fmt in ("csv", "xlsx", "shp", "gpkg"):
        r = client.get(f"/layers/export/community.{fmt}")
        assert r.status_code == 200
        assert b"SENTINEL" not in b"".join(r.streaming_content)
    # non-public layers and unknown formats
    assert client.get("/layers/export/idle_land.geojson").status_code == 404
    assert client.get("/layers/export/community.exe").status_code == 404
    assert client.get("/layers/export/population_raster.geojson").status_code == 404


def test_planner_download_has_all_fields(client, city):
    client.force_login(factories.user("s", Role.CITY_ADMIN))
    r = client.get("/layers/export/community.geojson")
    assert r.status_code == 200
    assert "private" in r["Cache-Control"]
    props = json.loads(b"".join(r.streaming_content))["features"][0]["properties"]
    assert props["internal_notes"] == "SENTINEL-内部"
    assert props["fund_balance_yuan"] == pytest.approx(12345.6)
    assert client.get("/layers/export/idle_land.csv").status_code == 200
