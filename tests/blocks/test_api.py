"""Blocks API: GeoJSON in EPSG:4326, details, staff-only actions, 400s never 500s."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.permissions import SYSTEM
from blocks import services
from blocks.models import BlockMembership, RenovationBlock

from .conftest import cell

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(street):
    for i in range(4):
        cell(street, i, 0, code=f"A{i}", households=(400, 400, 200, 200)[i])
    return services.bundle_run(user=SYSTEM, max_households=800, use_gaps=False)


def _code(community: str) -> str:
    return BlockMembership.objects.get(
        community__code=community, active=True
    ).block.code


def test_latest_404_without_run(client):
    assert client.get("/api/blocks/runs/latest/").status_code == 404


def test_geojson_in_4326(client, run):
    latest = client.get("/api/blocks/runs/latest/").json()
    assert latest["id"] == run.pk
    fc = client.get(latest["blocks_geojson"]).json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 2
    f = fc["features"][0]
    lon, lat = f["geometry"]["coordinates"][0][0][0]
    assert 121 < lon < 122.3 and 29.3 < lat < 30.4
    assert f["properties"]["households"] == 800
    assert f["properties"]["member_codes"] == ["A0", "A1"]


def test_block_detail_lists_members_and_history(client, run, staff):
    data = client.get(f"/api/blocks/blocks/{_code('A0')}/").json()
    assert [m["code"] for m in data["members"]] == ["A0", "A1"]
    # who changed the block and why, and its cost, are not for viewers
    assert "history" not in data and "cost_estimate_yuan" not in data
    assert client.get("/api/blocks/blocks/NOPE/").status_code == 404
    client.force_login(staff)
    data = client.get(f"/api/blocks/blocks/{_code('A0')}/").json()
    assert data["history"][0]["why"].startswith("proposed by bundling run")


@pytest.mark.parametrize(
    "action", ["accept", "lock", "unlock", "split", "move", "merge"]
)
def test_anonymous_and_residents_cannot_write(run, resident, action):
    client = Client()
    url = f"/api/blocks/blocks/{_code('A0')}/{action}/"
    assert client.post(url, {}, content_type="application/json").status_code == 403
    client.force_login(resident)
    assert client.post(url, {}, content_type="application/json").status_code == 403
    assert client.post("/api/blocks/runs/", {}).status_code == 403


def test_staff_actions(client, run, staff):
    client.force_login(staff)
    x, y = _code("A0"), _code("A2")
    post = lambda url, body=None: client.post(  # noqa: E731
        url, json.dumps(body or {}), content_type="application/json"
    )
    r = post(f"/api/blocks/blocks/{x}/accept/", {"why": "ok"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = post(f"/api/blocks/blocks/{y}/move/", {"community": "A1", "why": "调整"})
    assert r.status_code == 200 and r.json()["member_codes"] == ["A1", "A2", "A3"]
    r = post(f"/api/blocks/blocks/{y}/split/", {"codes": ["A2"]})  # A1 . A3 left
    assert r.status_code == 400 and "contiguous" in r.json()["detail"]
    r = post(f"/api/blocks/blocks/{y}/split/", {"codes": ["A3"]})
    assert r.status_code == 200
    new = RenovationBlock.objects.get(code=r.json()["code"])
    r = post(f"/api/blocks/blocks/{y}/merge/", {"other": new.code})
    assert r.status_code == 200 and r.json()["households"] == 800
    r = post(f"/api/blocks/blocks/{y}/merge/", {"other": "NOPE"})
    assert r.status_code == 400
    r = post(f"/api/blocks/blocks/{y}/split/", {})
    assert r.status_code == 400
    r = post(f"/api/blocks/blocks/{y}/lock/")
    assert r.status_code == 200 and r.json()["locked"] is True
    r = post(f"/api/blocks/blocks/{y}/lock/")
    assert r.status_code == 400
    r = post(f"/api/blocks/blocks/{y}/frobnicate/")
    assert r.status_code == 404
    # Who did what is recorded.
    assert RenovationBlock.history.filter(history_user=staff).count() >= 5


def test_staff_starts_a_run_and_bad_input_is_400(client, run, staff):
    client.force_login(staff)
    r = client.post(
        "/api/blocks/runs/",
        {"max_households": 3000, "use_gaps": False},
        content_type="application/json",
    )
    assert r.status_code == 202 and r.json()["summary"]["n_blocks"] == 1
    for body in (
        {"min_households": 900, "max_households": 100},
        {"district": "nowhere"},
        {"selected": 5},
        {"group_by": "city"},
        {"barrier_road_class": "motorway"},
    ):
        r = client.post("/api/blocks/runs/", body, content_type="application/json")
        assert r.status_code == 400, body


def test_command_json(run, capsys):
    call_command(
        "bundle_blocks",
        "--selected",
        "all",
        "--max-households",
        "800",
        "--no-gaps",
        "--json",
    )
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "done" and out["summary"]["n_blocks"] == 2


def test_command_refuses_bad_bounds(run):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command(
            "bundle_blocks", "--min-households", "900", "--max-households", "10"
        )
