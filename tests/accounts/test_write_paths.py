"""Every write path refuses a district-A planner acting on district B's objects, and
street staff of SA acting outside their street: 403, and every table byte-identical."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.urls import reverse

from layers.importing import layer_import

pytestmark = pytest.mark.django_db

#: rows that legitimately change on any request (sessions, lock-out log, task queue)
VOLATILE = ("django_session", "axes_", "django_tasks_db")


def snapshot() -> dict[str, str]:
    """md5 of every row of every table (ordered by its text form)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT IN ('spatial_ref_sys')"
        )
        tables = sorted(t for (t,) in cur.fetchall() if not t.startswith(VOLATILE))
        out = {}
        for t in tables:
            cur.execute(
                f"SELECT count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY "  # noqa: S608
                f"x::text), '')) FROM \"{t}\" x"
            )
            count, digest = cur.fetchone()
            out[t] = f"{count}:{digest}"
    return out


def changed(before: dict[str, str]) -> list[str]:
    after = snapshot()
    return sorted(t for t in before if before[t] != after.get(t))


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def send(client, method, url, body=None):
    return client.generic(
        method,
        url,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
    )


def hostile_import_file(tmp_path, city):
    """District B's community B1 (its code, its outline) plus a sliver inside A, with
    new attributes: the attack of the issue (the file "touches" district A)."""
    b1 = city["B1"].geom.transform(4326, clone=True)
    sliver = city["A1"].geom.transform(4326, clone=True)
    geom = shapely.union(
        shapely.from_wkt(b1.wkt), shapely.from_wkt(sliver.wkt).buffer(-0.0001)
    )
    gdf = gpd.GeoDataFrame(
        {
            "code": [city["B1"].code],
            "name": ["改名"],
            "district_code": [city["b"].code],
            "households": [1],
            "stage": ["post_evaluated"],
            "fund_balance_yuan": [1],
        },
        geometry=[geom],
        crs="EPSG:4326",
    )
    path = tmp_path / "hostile.geojson"
    gdf.to_file(path, driver="GeoJSON")
    return path


def test_import_cannot_rewrite_another_districts_rows(city, tmp_path):
    path = hostile_import_file(tmp_path, city)
    before = snapshot()
    with pytest.raises(PermissionDenied, match="已有数据"):
        layer_import(layer="community", path=path, user=city["users"]["planner_a"])
    assert changed(before) == []
    # the same file through the upload page
    client = signed_in(city["users"]["planner_a"])
    before = snapshot()
    with open(path, "rb") as fh:
        resp = client.post(
            reverse("layers:import"),
            {"layer": "community", "file": fh, "crs": "EPSG:4326"},
        )
    assert resp.status_code == 403, resp.content[:300]
    assert changed(before) == []
    # the city administrator may (and the file is then imported)
    layer_import(layer="community", path=path, user=city["users"]["admin"])
    city["B1"].refresh_from_db()
    assert city["B1"].households == 1


def _b_writes(city) -> list[tuple[str, str, dict | None]]:
    b, ib, b1 = city["b"], city["IB"], city["B1"]
    project, block_b = city["project_B1"], city["blocks"]["B"]
    block_a = city["blocks"]["A"]
    feature = reverse("planner-feature", args=["idle_land", ib.code])
    square = ib.geom.transform(4326, clone=True)
    return [
        # map edits
        (
            "POST",
            reverse("planner-features", args=["idle_land"]),
            {
                "properties": {"name": "新", "kind": "idle"},
                "geometry": json.loads(square.geojson),
            },
        ),
        ("PATCH", feature, {"version": ib.version, "properties": {"name": "改"}}),
        ("DELETE", f"{feature}?version={ib.version}", None),
        ("POST", reverse("planner-feature-undo", args=["idle_land", ib.code]), None),
        (
            "PATCH",
            reverse("planner-feature", args=["community", b1.code]),
            {"version": b1.version, "properties": {"public_notes": "改"}},
        ),
        # votes, stage moves, project edits
        (
            "POST",
            reverse("programme-project-votes", args=[project.pk]),
            {
                "kind": "will",
                "matter": "ordinary",
                "total_owners": 300,
                "total_area_m2": "30000",
                "participants_owners": 250,
                "participants_area_m2": "25000",
                "consent_owners": 240,
                "consent_area_m2": "24000",
                "held_on": "2024-03-01",
            },
        ),
        (
            "POST",
            reverse("programme-project-advance", args=[project.pk]),
            {"to_stage": "application"},
        ),
        (
            "PATCH",
            reverse("programme-project-detail", args=[project.pk]),
            {"plan_design": "改"},
        ),
        (
            "POST",
            reverse("programme-project-items", args=[project.pk]),
            {"works_item": "stairwell", "quantity": 1},
        ),
        ("DELETE", reverse("programme-project-detail", args=[project.pk]), None),
        (
            "POST",
            reverse("programme-project-list"),
            {"name": "新", "year": 2024, "community": city["B2"].code},
        ),
        # blocks
        ("POST", reverse("blocks-block-action", args=[block_b.code, "lock"]), {}),
        ("POST", reverse("blocks-block-action", args=[block_b.code, "accept"]), {}),
        (
            "POST",
            reverse("blocks-block-action", args=[block_b.code, "split"]),
            {"codes": [b1.code]},
        ),
        (
            "POST",
            reverse("blocks-block-action", args=[block_a.code, "merge"]),
            {"other": block_b.code},
        ),
        (
            "POST",
            reverse("blocks-block-action", args=[block_a.code, "move"]),
            {"community": b1.code},
        ),
        # analyses scoped to district B (or the whole city)
        ("POST", reverse("lifecircle-runs"), {"district": b.code}),
        ("POST", reverse("lifecircle-runs"), {}),
        (
            "POST",
            reverse("planner-analysis", args=["lifecircle"]),
            {"district": b.code},
        ),
        ("POST", reverse("blocks-runs"), {"district": b.code}),
        (
            "POST",
            reverse("siting-runs"),
            {"category": "elderly_daycare", "districts": [b.code]},
        ),
        ("POST", reverse("siting-scenarios"), {"run": city["siting"].pk}),
    ]


@pytest.mark.parametrize("who", ["planner_a", "street_a"])
def test_writes_on_another_districts_objects_are_refused(city, who):
    client = signed_in(city["users"][who])
    for method, url, body in _b_writes(city):
        before = snapshot()
        resp = send(client, method, url, body)
        assert resp.status_code == 403, (who, method, url, resp.content[:300])
        assert changed(before) == [], (who, method, url)


def test_the_same_writes_on_their_own_objects_pass(city):
    """The refusals above come from the district, not from the request: planner B
    does what planner A may not (two of them, as a control)."""
    client = signed_in(city["users"]["planner_b"])
    ib = city["IB"]
    resp = send(
        client,
        "PATCH",
        reverse("planner-feature", args=["idle_land", ib.code]),
        {"version": ib.version, "properties": {"name": "改"}},
    )
    assert resp.status_code == 200, resp.content[:300]
    resp = send(
        client,
        "POST",
        reverse("blocks-block-action", args=[city["blocks"]["B"].code, "lock"]),
        {},
    )
    assert resp.status_code == 200, resp.content[:300]


def test_street_staff_edit_their_street_only(city):
    client = signed_in(city["users"]["street_a"])
    a1 = city["A1"]
    resp = send(
        client,
        "PATCH",
        reverse("planner-feature", args=["community", a1.code]),
        {"version": a1.version, "properties": {"public_notes": "街道更新"}},
    )
    assert resp.status_code == 200, resp.content[:300]
    # but not its outline, which is the planners'
    square = a1.geom.transform(4326, clone=True)
    resp = send(
        client,
        "PATCH",
        reverse("planner-feature", args=["community", a1.code]),
        {"version": a1.version + 1, "geometry": json.loads(square.geojson)},
    )
    assert resp.status_code == 403, resp.content[:300]
