"""No private value in any anonymous response (SECURITY.md E1, E2).

Crawls every GET endpoint of the OpenAPI schema anonymously (path parameters filled
with real ids), every public page, every OGC endpoint, photos and MVT tiles at several
zooms; the sentinel values seeded in ``city`` must appear nowhere.
"""

from __future__ import annotations

import itertools
import json
import re
import warnings

import pytest
from django.test import Client
from django.urls import include
from django.urls import path as url_path
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator

from public import selectors, tiles

from .conftest import SENTINELS, decode_mvt, tile_xy

pytestmark = pytest.mark.django_db


def _candidates(name: str, schema_param: dict, city: dict) -> list[str]:
    enum = schema_param.get("schema", {}).get("enum")
    if enum:
        return [str(v) for v in enum]
    z = 14
    x, y = tile_xy(121.55, 29.875, z)
    table = {
        "code": [city["target"].code],
        "z": [str(z)],
        "x": [str(x)],
        "y": [str(y)],
        "fmt": ["json", "geojson", "csv", "gpkg", "xlsx"],
        "format": ["json", "geojson", "csv"],
    }
    if name in table:
        return table[name]
    ids = {str(r.pk) for r in city["runs"]} | {str(city["target"].pk)}
    if "project" in city:
        ids.add(str(city["project"].pk))
    return sorted(ids)


def _schema_paths(client: Client) -> dict:
    """``paths`` of /api/schema/; if another app currently breaks schema generation,
    the same endpoint list from drf-spectacular's enumerator (path params by name)."""
    resp = client.get("/api/schema/", {"format": "json"})
    if resp.status_code == 200:
        return json.loads(resp.content)["paths"]
    warnings.warn(
        f"/api/schema/ answered {resp.status_code}: crawling the enumerated endpoints",
        stacklevel=2,
    )
    paths: dict = {}
    for path, _pp, method, _cb in EndpointEnumerator().get_api_endpoints():
        paths.setdefault(path, {})[method.lower()] = {}
    return paths


def _schema_get_urls(client: Client, city: dict) -> list[str]:
    urls = []
    for path, ops in _schema_paths(client).items():
        if "get" not in ops:
            continue
        params = {
            p["name"]: p
            for p in ops["get"].get("parameters", []) + ops.get("parameters", [])
            if p.get("in") == "path"
        }
        names = re.findall(r"{(\w+)}", path)
        choices = [_candidates(n, params.get(n, {}), city) for n in names]
        for combo in itertools.product(*choices):
            url = path
            for n, v in zip(names, combo, strict=True):
                url = url.replace("{" + n + "}", v)
            urls.append(url)
    return urls


def _assert_clean(url: str, body: bytes) -> None:
    for s in SENTINELS:
        assert s.encode() not in body, f"{s} leaked by {url}"
    assert b"internal_notes" not in body, url
    assert b"fund_balance" not in body, url


def test_schema_lists_public_endpoints():
    generator = SchemaGenerator(
        patterns=[url_path("api/public/", include("public.api.urls"))]
    )
    schema = generator.get_schema(request=None, public=True)
    for path_ in (
        "/api/public/communities.geojson",
        "/api/public/communities/{code}/",
        "/api/public/districts.geojson",
        "/api/public/stats/",
        "/api/public/search/",
    ):
        assert path_ in schema["paths"], path_
    assert "/api/public/tiles/{z}/{x}/{y}.mvt" in schema["paths"]


def test_no_sentinel_in_any_anonymous_response(city):
    # other apps' errors (500) must not stop the crawl; their bodies are checked too
    client = Client(raise_request_exception=False)
    urls = _schema_get_urls(client, city)
    assert any(u.startswith("/api/public/") for u in urls)
    code = city["target"].code
    photo = city["photos"][0]
    urls += [
        "/public/",
        "/public/stats/",
        f"/public/photos/{code}/{photo.pk}/",
        "/public/ogc/",
        "/public/ogc/conformance",
        "/public/ogc/collections",
        "/public/ogc/collections/communities",
        "/public/ogc/collections/districts",
        "/public/ogc/collections/communities/items",
        "/public/ogc/collections/communities/items?limit=1000&bbox=121,29,122,30.2",
        f"/public/ogc/collections/communities/items/{code}",
        "/public/ogc/collections/districts/items",
        "/public/ogc/collections/districts/items/330203",
        "/api/public/communities.geojson?zoom=18",
        "/api/public/communities.geojson?zoom=8&bbox=121,29,122.3,30.4",
        f"/api/public/search/?q={city['target'].name[:2]}",
    ]
    seen_public = 0
    for url in urls:
        resp = client.get(url)
        body = b"".join(resp.streaming_content) if resp.streaming else resp.content
        if url.startswith(("/api/public/", "/public/")):
            # 400 only for a required parameter the schema crawl cannot guess (?q=)
            assert resp.status_code in (200, 400), (url, resp.status_code, body[:300])
            seen_public += resp.status_code == 200
        _assert_clean(url, body)
    assert seen_public >= 20


def test_card_shows_public_data_only(client, city):
    resp = client.get(f"/api/public/communities/{city['target'].code}/")
    card = resp.json()
    assert set(card) <= {
        *selectors.COMMUNITY_FIELDS,
        "history",
        "photos",
        "coverage",
        "works",
        "votes",
    }
    assert card["stage"] == "accepted"
    assert [h["stage"] for h in card["history"]] == [
        "not_started",
        "under_construction",
        "accepted",
    ]
    assert all(set(h) == {"date", "stage"} for h in card["history"])
    assert card["coverage"]["before"]["score"] == 40.0
    assert card["coverage"]["after"]["score"] == 75.0
    assert card["coverage"]["before"]["missing"] == ["幼儿园"]
    assert {p["kind"] for p in card["photos"]} == {"before", "after"}
    if "project" in city:
        assert sum(len(v) for v in card["works"].values()) == len(city["works_items"])
        vote = card["votes"][0]
        assert set(vote) <= set(selectors.VOTE_FIELDS)
        assert vote["consent_ratio"] == 0.96


def test_photo_only_through_its_public_community(client, city):
    photo = city["photos"][0]
    ok = client.get(f"/public/photos/{city['target'].code}/{photo.pk}/")
    assert ok.status_code == 200
    assert ok["Content-Type"] == "image/png"
    wrong = client.get(f"/public/photos/{city['other'].code}/{photo.pk}/")
    assert wrong.status_code == 404
    assert (
        client.get(f"/public/photos/{city['target'].code}/999999/").status_code == 404
    )


@pytest.mark.parametrize("z", [9, 10, 12, 14, 16, 18])
def test_tiles_carry_allowlisted_properties_only(client, city, z):
    x, y = tile_xy(121.55, 29.875, z)
    resp = client.get(f"/api/public/tiles/{z}/{x}/{y}.mvt")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/vnd.mapbox-vector-tile"
    _assert_clean(resp.request["PATH_INFO"], resp.content)
    layers = decode_mvt(resp.content)
    assert set(layers) <= set(tiles.TILE_LAYER_FIELDS)
    assert layers["communities"]["features"] >= 1
    for name, layer in layers.items():
        assert set(layer["keys"]) <= set(tiles.TILE_LAYER_FIELDS[name]), name
        assert not any("SENTINEL" in s for s in layer["strings"])
    assert "月湖新村" in layers["communities"]["strings"]


def test_low_zoom_tile_has_districts_only(client, city):
    x, y = tile_xy(121.55, 29.875, 8)
    layers = decode_mvt(client.get(f"/api/public/tiles/8/{x}/{y}.mvt").content)
    assert set(layers) == {"districts"}


def test_public_responses_never_vary_by_user(client, city):
    anon = client.get("/api/public/communities.geojson")
    client.force_login(city["user"])
    logged = client.get("/api/public/communities.geojson")
    assert anon.content == logged.content
    assert "Cookie" not in anon.get("Vary", "")
    assert anon["Cache-Control"].startswith("public")
