"""Abusive tile/bbox/paging parameters are refused with 400 before any query (G1, G2)."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from public import selectors

from .conftest import tile_xy

pytestmark = pytest.mark.django_db

BAD_TILES = [
    "-1/0/0",
    "21/0/0",
    "31/0/0",
    "1/2/0",  # x = 2^z
    "1/0/2",
    "3/-1/0",
    "3/0/-1",
    "3/1.5/0",
    "3/1e20/0",
    "3/abc/0",
    "z/0/0",
    "3/99999999999999999999/0",
    "20/1048576/0",
]
BAD_QUERIES = [
    "bbox=0,0,1,1",  # outside the city
    "bbox=a,b,c,d",
    "bbox=1,2,3",
    "bbox=nan,29,122,30",
    "bbox=122,30,121,29",  # unordered
    "bbox=-1e308,-1e308,1e308,1e308",
    "zoom=99",
    "zoom=-1",
    "zoom=abc",
    "stage=demolished",
    "district=';drop table x;--",
    "year_min=abc",
    "year_min=2000&year_max=1990",
    "q=" + "x" * 65,
]


@pytest.mark.parametrize("tile", BAD_TILES)
def test_bad_tile_is_400_without_queries(client, django_assert_num_queries, tile):
    # refused before any query (SECURITY.md G1); its latency is measured by
    # benchmarks/public_map.py ("bad tile"), not asserted here
    with django_assert_num_queries(0):
        resp = client.get(f"/api/public/tiles/{tile}.mvt")
    assert resp.status_code == 400, tile


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_geojson_params_are_400_without_queries(
    client, django_assert_num_queries, query
):
    with django_assert_num_queries(0):
        resp = client.get(f"/api/public/communities.geojson?{query}")
    assert resp.status_code == 400, query


@pytest.mark.parametrize(
    "query", ["limit=abc", "limit=-5", "offset=-1", "offset=1e9", "bbox=0,0,1,1"]
)
def test_bad_ogc_params_are_400_without_queries(
    client, django_assert_num_queries, query
):
    with django_assert_num_queries(0):
        resp = client.get(f"/public/ogc/collections/communities/items?{query}")
    assert resp.status_code == 400, query


def test_tile_outside_the_city_is_empty_without_queries(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        resp = client.get("/api/public/tiles/3/0/0.mvt")
    assert resp.status_code == 200
    assert resp.content == b""


def test_world_bbox_is_clipped_not_refused(client, city):
    resp = client.get("/api/public/communities.geojson?bbox=-180,-90,180,90")
    assert resp.status_code == 200
    assert len(resp.json()["features"]) == 3


def test_limit_is_capped_at_1000(client, city):
    resp = client.get("/public/ogc/collections/communities/items?limit=1000000000")
    assert resp.status_code == 200
    assert resp.json()["numberReturned"] <= 1000


def test_public_queries_run_under_statement_timeout(db):
    with selectors.public_query(), connection.cursor() as cur:
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone()[0] == "5s"


def test_slow_query_becomes_503(client, city, monkeypatch):
    def slow():
        with connection.cursor() as cur:
            cur.execute("SELECT pg_sleep(2)")
        return b""

    monkeypatch.setattr(selectors.query, "STATEMENT_TIMEOUT_MS", 100)
    monkeypatch.setattr("public.tiles.tile_bytes", lambda z, x, y: slow())
    t0 = time.perf_counter()
    x, y = tile_xy(121.55, 29.875, 14)
    resp = client.get(f"/api/public/tiles/14/{x}/{y}.mvt")
    assert resp.status_code == 503
    assert resp["Retry-After"]
    assert time.perf_counter() - t0 < 1.5
