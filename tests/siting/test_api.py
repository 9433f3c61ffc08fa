"""Siting API: staff start runs and save scenarios, anyone reads; bad input is 400."""

import io
import json

import geopandas as gpd
import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    user = factories.user("planner-siting", Role.CITY_ADMIN)
    c = Client()
    c.force_login(user)
    return c


def _post(c, url, body):
    return c.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def run(staff, siting_city):
    resp = _post(staff, reverse("siting-runs"), {"category": "elderly_daycare", "k": 2})
    assert resp.status_code == 202, resp.content
    return resp.json()


def test_anonymous_cannot_post(client, siting_city):
    resp = _post(client, reverse("siting-runs"), {"category": "elderly_daycare"})
    assert resp.status_code in (401, 403)
    resp = _post(client, reverse("siting-scenarios"), {"run": 1})
    assert resp.status_code in (401, 403)


def test_non_staff_cannot_post(siting_city):
    user = get_user_model().objects.create_user("resident", password="pw-123456")
    c = Client()
    c.force_login(user)
    resp = _post(c, reverse("siting-runs"), {"category": "elderly_daycare"})
    assert resp.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"category": "no_such"},
        {"category": "elderly_daycare", "k": 0},
        {"category": "elderly_daycare", "k": 500},
        {"category": "elderly_daycare", "method": "magic"},
        {"category": "elderly_daycare", "tier": 7},
        {"category": "elderly_daycare", "kinds": ["castle"]},
        {"category": "elderly_daycare", "lifecircle_run": 999999},
        {},
        {"categories": ["elderly_daycare", "bank"], "embedded": True},
    ],
)
def test_bad_input_is_400(staff, siting_city, body):
    resp = _post(staff, reverse("siting-runs"), body)
    assert resp.status_code == 400, resp.content
    assert resp.json()


def test_no_lifecircle_run_is_400(staff, db):
    resp = _post(staff, reverse("siting-runs"), {"category": "elderly_daycare"})
    assert resp.status_code == 400
    assert "life-circle" in resp.json()["detail"]


def test_run_detail_and_candidates(client, run):
    resp = client.get(reverse("siting-run", args=[run["id"]]))
    assert resp.status_code == 200
    data = resp.json()
    assert data["summary"]["objectives"]["exact"]["objective_residents"] == 6500
    assert data["kind"] == "siting"
    resp = client.get(reverse("siting-candidates", args=[run["id"]]))
    fc = resp.json()
    assert fc["type"] == "FeatureCollection"
    codes = [f["properties"]["candidate_code"] for f in fc["features"]]
    assert codes == ["L2", "L3", "V1", "L0"]
    first = fc["features"][0]
    assert first["geometry"]["type"] == "Polygon"
    lon, lat = first["geometry"]["coordinates"][0][0]
    assert 121.5 < lon < 121.6 and 29.8 < lat < 29.9
    assert first["properties"]["chosen_exact"] is True
    assert {s["code"] for s in first["properties"]["served"]} == {"B", "C"}
    assert fc["features"][2]["geometry"]["type"] == "Point"
    chosen = client.get(
        reverse("siting-candidates", args=[run["id"]]), {"chosen": "greedy"}
    ).json()
    assert len(chosen["features"]) == 2
    top = client.get(reverse("siting-candidates", args=[run["id"]]), {"limit": 2})
    assert [f["properties"]["candidate_code"] for f in top.json()["features"]] == [
        "L2",
        "L3",
    ]
    bad = client.get(reverse("siting-candidates", args=[run["id"]]), {"chosen": "x"})
    assert bad.status_code == 400
    assert client.get(reverse("siting-run", args=[999999])).status_code == 404
    assert client.get(reverse("siting-runs")).status_code == 200


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "xlsx"])
def test_exports(client, run, fmt, tmp_path):
    resp = client.get(f"/api/siting/runs/{run['id']}/export.{fmt}")
    assert resp.status_code == 200
    assert "attachment" in resp["Content-Disposition"]
    if fmt == "xlsx":
        wb = openpyxl.load_workbook(io.BytesIO(resp.content))
        assert "candidates" in wb.sheetnames
        return
    path = tmp_path / f"x.{fmt}"
    path.write_bytes(resp.content)
    gdf = (
        gpd.read_file(path, layer="candidates")
        if fmt == "gpkg"
        else gpd.read_file(path)
    )
    assert len(gdf) == 4 and gdf.crs.to_epsg() == 4326


def test_export_unknown_format_is_400(client, run):
    resp = client.get(f"/api/siting/runs/{run['id']}/export.shp")
    assert resp.status_code == 400


def test_scenario_and_what_if(staff, client, run):
    resp = _post(
        staff,
        reverse("siting-scenarios"),
        {"run": run["id"], "method": "exact", "name": "方案一"},
    )
    assert resp.status_code == 201, resp.content
    sc = resp.json()
    assert {c["candidate_code"] for c in sc["chosen"]} == {"L2", "L3"}
    what_if = reverse("siting-scenario-what-if", args=[sc["id"]])
    assert client.get(what_if).status_code == 403  # recomputes: planners only
    resp = staff.get(what_if)
    assert resp.status_code == 200
    data = resp.json()
    assert data["residents_newly_covered"] == {"elderly_daycare": 6500}
    assert data["communities_newly_covered"] == 3
    assert client.get(reverse("siting-scenario", args=[sc["id"]])).status_code == 200
    assert client.get(reverse("siting-scenarios")).status_code == 200
    bad = _post(staff, reverse("siting-scenarios"), {"run": 999999})
    assert bad.status_code == 400
    bad = _post(staff, reverse("siting-scenarios"), {"run": run["id"], "method": "x"})
    assert bad.status_code == 400
    assert (
        staff.get(reverse("siting-scenario-what-if", args=[999999])).status_code == 404
    )


def test_multi_category_run_through_api(staff, siting_city):
    resp = _post(
        staff,
        reverse("siting-runs"),
        {"categories": ["elderly_daycare", "nursery"], "k": 3, "method": "both"},
    )
    assert resp.status_code == 202, resp.content
    s = resp.json()["summary"]
    assert set(s["categories"]) == {"elderly_daycare", "nursery"}
    assert (
        s["objectives"]["exact"]["objective_residents"]
        >= s["objectives"]["greedy"]["objective_residents"]
    )
