"""Viewers read internal data without its private columns; planners get them."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from .city import SENTINEL, url_args
from .test_policy import url_patterns
from .test_sentinel_crawl import json_keys

pytestmark = pytest.mark.django_db

#: what only street staff, planners and administrators read
VIEWER_PRIVATE = {
    "owner",
    "consent",
    "in_expropriation_plan",
    "in_shanty_plan",
    "cost_estimate_yuan",
    "cost_basis",
    "internal_notes",
    "fund_balance_yuan",
}
OWNER = f"{SENTINEL} 权属单位"


def _reads(city) -> list[str]:
    args = url_args(city)
    urls = []
    for name, _p in url_patterns():
        if name.startswith("admin:") or name.startswith(("public", "ogc")):
            continue
        urls.append(reverse(name, kwargs=args.get(name, {})))
    sr = city["siting"].pk
    urls += [
        reverse("siting-export", kwargs={"pk": sr, "fmt": "geojson"}),
        reverse("siting-candidates", args=[sr]),
        reverse("layers:export", args=["community", "geojson"]),
        reverse("planner-features", args=["idle_land"]),
        reverse("planner-feature", args=["idle_land", city["IA"].code]),
        reverse("blocks-run-geojson", args=[city["bundling"].pk]),
        reverse("blocks-run-export", args=[city["bundling"].pk, "geojson"]),
        reverse("blocks-block", args=[city["blocks"]["B"].code]),
        reverse("siting-scenarios"),
    ]
    return urls


def _get_json(client, url):
    resp = client.get(url)
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    ctype = resp.get("Content-Type", "")
    data = json.loads(body) if resp.status_code == 200 and "json" in ctype else None
    return resp.status_code, body, data


def test_viewers_get_no_private_column(city):
    viewer = Client()
    viewer.force_login(city["users"]["viewer"])
    seen = 0
    for url in _reads(city):
        status, body, data = _get_json(viewer, url)
        assert OWNER.encode() not in body, url
        if data is not None:
            leaked = json_keys(data, set()) & VIEWER_PRIVATE
            assert not leaked, (url, leaked)
            seen += 1
    assert seen >= 30


def test_planners_get_the_private_columns(city):
    planner = Client()
    planner.force_login(city["users"]["planner_a"])
    sr = city["siting"].pk
    _s, body, data = _get_json(
        planner, reverse("siting-export", kwargs={"pk": sr, "fmt": "geojson"})
    )
    assert OWNER in {f["properties"]["owner"] for f in data["features"]}
    _s, _b, feature = _get_json(
        planner, reverse("planner-feature", args=["idle_land", city["IA"].code])
    )
    assert feature["properties"]["owner"] == OWNER
    _s, _b, block = _get_json(
        planner, reverse("blocks-block", args=[city["blocks"]["A"].code])
    )
    assert "cost_estimate_yuan" in block and block["history"]
