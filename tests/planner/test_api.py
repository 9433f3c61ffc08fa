"""Planner API: the permission matrix (roles × endpoints × methods), 409 on stale saves."""

import json

import pytest
from django.urls import reverse

from planner import services
from planner.models import PlanningArea
from tests.lifecircle import city as lifecircle_city

from .conftest import polygon_geojson

pytestmark = pytest.mark.django_db

WEST = (121.53, 29.875)
EAST = (121.57, 29.875)
ROLES = ["anon", "viewer", "staff_w", "planner_w", "admin"]


def client_for(client, users, role):
    if role != "anon":
        client.force_login(users[role])
    return client


@pytest.fixture
def areas(users):
    west = services.feature_create(
        kind="planning_area",
        data={"name": "西"},
        geometry=polygon_geojson(*WEST),
        user=users["admin"],
    ).obj
    east = services.feature_create(
        kind="planning_area",
        data={"name": "东"},
        geometry=polygon_geojson(*EAST),
        user=users["admin"],
    ).obj
    return {"west": west, "east": east}


# expected status per role: anon, viewer, street staff, district planner (west), city admin
MATRIX = [
    ("GET", "list", None, [403, 200, 200, 200, 200]),
    ("GET", "me", None, [403, 200, 200, 200, 200]),
    ("GET", "search", None, [403, 200, 200, 200, 200]),
    (
        "POST",
        "create_west",
        {"properties": {"name": "新"}, "geometry": polygon_geojson(*WEST)},
        [403, 403, 403, 201, 201],
    ),
    (
        "POST",
        "create_east",
        {"properties": {"name": "新"}, "geometry": polygon_geojson(*EAST)},
        [403, 403, 403, 403, 201],
    ),
    (
        "PATCH",
        "west",
        {"version": 1, "properties": {"name": "改"}},
        [403, 403, 403, 200, 200],
    ),
    (
        "PATCH",
        "east",
        {"version": 1, "properties": {"name": "改"}},
        [403, 403, 403, 403, 200],
    ),
    ("DELETE", "west", None, [403, 403, 403, 204, 204]),
    ("DELETE", "east", None, [403, 403, 403, 403, 204]),
    ("GET", "history_west", None, [403, 200, 200, 200, 200]),
    # a district planner analyses their own district; the whole city is the admin's
    ("POST", "lifecircle", {}, [403, 403, 403, 403, 202]),
    ("POST", "lifecircle", {"district": "W"}, [403, 403, 403, 202, 202]),
    ("POST", "lifecircle", {"district": "E"}, [403, 403, 403, 403, 202]),
]


def url_for(name, areas):
    return {
        "list": reverse("planner-features", args=["planning_area"]),
        "me": reverse("planner-me"),
        "search": reverse("planner-search") + "?q=小区",
        "create_west": reverse("planner-features", args=["planning_area"]),
        "create_east": reverse("planner-features", args=["planning_area"]),
        "west": reverse("planner-feature", args=["planning_area", areas["west"].code]),
        "east": reverse("planner-feature", args=["planning_area", areas["east"].code]),
        "history_west": reverse(
            "planner-feature-history", args=["planning_area", areas["west"].code]
        ),
        "lifecircle": reverse("planner-analysis", args=["lifecircle"]),
    }[name]


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
@pytest.mark.parametrize(
    ("method", "name", "body", "expected"),
    MATRIX,
    ids=[f"{m} {n}" for m, n, _b, _e in MATRIX],
)
def test_permission_matrix(
    client, users, areas, role_index, method, name, body, expected
):
    lifecircle_city.build()
    role = ROLES[role_index]
    c = client_for(client, users, role)
    before = sorted(PlanningArea.objects.values_list("code", "name", "version"))
    url = url_for(name, areas)
    if method == "DELETE":
        url += "?version=1"
    resp = getattr(c, method.lower())(
        url,
        json.dumps(body) if body is not None else None,
        content_type="application/json",
    )
    assert resp.status_code == expected[role_index], resp.content[:300]
    if resp.status_code in (401, 403):
        assert (
            sorted(PlanningArea.objects.values_list("code", "name", "version"))
            == before
        )


def test_second_sessions_stale_save_gets_409_with_current_version(client, users, areas):
    client.force_login(users["admin"])
    url = reverse("planner-feature", args=["planning_area", areas["west"].code])
    first = client.patch(
        url,
        json.dumps({"version": 1, "properties": {"name": "第一"}}),
        content_type="application/json",
    )
    assert first.status_code == 200
    second = client.patch(
        url,
        json.dumps({"version": 1, "properties": {"name": "第二"}}),
        content_type="application/json",
    )
    assert second.status_code == 409
    assert second.json()["current"]["properties"]["version"] == 2
    assert PlanningArea.objects.get(code=areas["west"].code).name == "第一"


def test_field_errors_come_back_per_field(client, users):
    client.force_login(users["admin"])
    resp = client.post(
        reverse("planner-features", args=["idle_land"]),
        json.dumps(
            {"properties": {"kind": "castle"}, "geometry": polygon_geojson(*WEST)}
        ),
        content_type="application/json",
    )
    assert resp.status_code == 400
    assert "kind" in resp.json()


def test_csrf_is_enforced_for_session_writes(users):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(users["admin"])
    resp = c.post(
        reverse("planner-features", args=["planning_area"]),
        json.dumps({"properties": {"name": "x"}, "geometry": polygon_geojson(*WEST)}),
        content_type="application/json",
    )
    assert resp.status_code == 403
    assert not PlanningArea.objects.filter(name="x").exists()


def test_workspace_page_requires_login(client, users):
    assert client.get(reverse("planner")).status_code == 302
    client.force_login(users["viewer"])
    assert client.get(reverse("planner")).status_code == 200


def test_bundling_of_all_communities_from_the_page(client, users):
    """The workspace's "全部小区" option (selected=all) bundles every community."""
    lifecircle_city.build()
    client.force_login(users["admin"])
    resp = client.post(
        reverse("planner-analysis", args=["bundling"]),
        json.dumps({"selected": "all", "gap_m": 500, "min_households": 0}),
        content_type="application/json",
    )
    assert resp.status_code == 202, resp.content
    run = client.get(reverse("analysis-run", args=[resp.json()["id"]])).json()
    assert run["status"] == "done", run.get("error")
    assert run["summary"]["n_selected"] == 2
