"""Life-circle JSON API: staff start runs, anyone reads; exports open in QGIS/Excel; what-if."""

import io
import json

import pytest
from django.urls import reverse

from accounts.models import Role
from runs.models import AnalysisRun
from tests import factories
from tests.lifecircle import city as lifecircle_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = factories.user("planner1", Role.CITY_ADMIN)
    client.force_login(user)
    return client


@pytest.fixture
def run(staff):
    lifecircle_city.build()
    resp = staff.post(
        reverse("lifecircle-runs"), {"strict": False}, content_type="application/json"
    )
    assert resp.status_code == 202, resp.content
    return resp.json()


def test_anonymous_cannot_start_a_run(client):
    lifecircle_city.build()
    resp = client.post(reverse("lifecircle-runs"), {}, content_type="application/json")
    assert resp.status_code == 403
    assert AnalysisRun.objects.count() == 0


def test_bad_parameters_are_400(staff):
    lifecircle_city.build()
    for body in ({"snap_limit_m": 0}, {"profile": "runner"}, {"ruleset": "nope"}):
        resp = staff.post(
            reverse("lifecircle-runs"), body, content_type="application/json"
        )
        assert resp.status_code == 400, body


def test_run_detail_latest_and_choropleth(client, run):
    assert (
        client.get(reverse("lifecircle-run", args=[run["id"]])).json()["status"]
        == "done"
    )
    assert client.get(reverse("lifecircle-latest")).json()["id"] == run["id"]
    data = client.get(reverse("lifecircle-communities", args=[run["id"]])).json()
    scores = {f["id"]: f["properties"]["score"] for f in data["features"]}
    assert scores["A"] > scores["B"]
    by_cat = client.get(
        reverse("lifecircle-communities", args=[run["id"]]),
        {"category": "kindergarten"},
    ).json()
    covered = {f["id"]: f["properties"]["covered"] for f in by_cat["features"]}
    assert covered == {"A": True, "B": False}
    bad = client.get(
        reverse("lifecircle-communities", args=[run["id"]]), {"category": "x"}
    )
    assert bad.status_code == 400


@pytest.mark.parametrize("fmt", ["csv", "geojson", "gpkg", "xlsx"])
def test_exports(client, run, fmt, tmp_path):
    import geopandas as gpd
    import pandas as pd

    resp = client.get(reverse("lifecircle-export", args=[run["id"], fmt]))
    assert resp.status_code == 200
    body = resp.content
    if fmt == "csv":
        df = pd.read_csv(io.BytesIO(body))
    elif fmt == "xlsx":
        df = pd.read_excel(io.BytesIO(body))
    else:
        path = tmp_path / f"x.{fmt}"
        path.write_bytes(body)
        df = gpd.read_file(path)
        assert df.crs.to_epsg() == 4326
    if fmt in ("csv", "xlsx"):  # for people: the labels as headers (Chinese here)
        assert sorted(df["小区编码"]) == ["A", "B"]
        assert "得分" in df.columns and "5分钟生活圈缺失设施" in df.columns
        return
    assert sorted(df["code"]) == ["A", "B"]  # GIS formats: the column codes
    assert "score" in df.columns


def test_export_unknown_format_is_400(client, run):
    assert (
        client.get(reverse("lifecircle-export", args=[run["id"], "exe"])).status_code
        == 400
    )


def test_distance_tiff_download(client, run):
    resp = client.get(
        reverse("lifecircle-distance-tiff", args=[run["id"]]),
        {"category": "kindergarten"},
    )
    assert resp.status_code == 200
    assert resp.content[:4] in (b"II*\x00", b"MM\x00*")
    assert (
        client.get(
            reverse("lifecircle-distance-tiff", args=[run["id"]]), {"category": "nope"}
        ).status_code
        == 400
    )


def test_what_if_through_api(staff, client, run):
    url = reverse("lifecircle-what-if", args=[run["id"]])
    body = {
        "facilities": [
            {
                "category": "kindergarten",
                "lon": lifecircle_city.LON0 + 1500 / 96_600,
                "lat": lifecircle_city.LAT0,
            }
        ]
    }
    resp = staff.post(url, json.dumps(body), content_type="application/json")
    assert resp.status_code == 200
    assert resp.json()["residents_newly_covered"] == {"kindergarten": 2000}
    bad = staff.post(
        url,
        json.dumps(
            {"facilities": [{"category": "kindergarten", "lon": "NaN", "lat": 29.8}]}
        ),
        content_type="application/json",
    )
    assert bad.status_code == 400
    client.logout()
    assert (
        client.post(url, json.dumps(body), content_type="application/json").status_code
        == 403
    )


def test_unreachable_geojson(client, run):
    data = client.get(reverse("lifecircle-unreachable", args=[run["id"]])).json()
    assert data["type"] == "FeatureCollection"
