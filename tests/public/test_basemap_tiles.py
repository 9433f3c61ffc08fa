"""The city's own basemap as vector tiles (/api/public/basemap/z/x/y.mvt), anonymous.

Water, a main road, a park and a building around 三江口 (121.55E, 29.875N); each kind is
in the tiles from its zoom on (public.tiles.BASEMAP_MIN_ZOOM), with kind / name / class
only, under the public database role; edits change the ETag.
"""

import pytest
from django.contrib.gis.geos import LineString, MultiPolygon
from django.db import connection

from accounts.models import Role
from layers.models import BasemapFeature
from planner.mapconfig import map_config
from public import tiles
from tests import factories

from .conftest import decode_mvt, tile_xy

pytestmark = pytest.mark.django_db


@pytest.fixture
def basemap(settings):
    settings.PUBLIC_DATA_VERSION_TTL_S = 0

    def add(code, kind, geom, **kw):
        return BasemapFeature.objects.create(code=code, kind=kind, geom=geom, **kw)

    add("w", "water", MultiPolygon(factories.square(121.55, 29.875, 300)), name="甬江")
    add("p", "park", factories.square(121.552, 29.876, 100), name="中山公园")
    add("b", "building", factories.square(121.5505, 29.8755, 20), levels=6)
    a, b = factories.lonlat(121.54, 29.875), factories.lonlat(121.56, 29.875)
    add(
        "r",
        "road",
        LineString(a, b, srid=a.srid),
        name="中山路",
        road_class="primary",
    )


def _get(client, z):
    x, y = tile_xy(121.55, 29.875, z)
    return client.get(f"/api/public/basemap/{z}/{x}/{y}.mvt")


def test_street_zoom_has_everything_with_allowlisted_properties(client, basemap):
    resp = _get(client, 15)
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/vnd.mapbox-vector-tile"
    layers = decode_mvt(resp.content)
    assert list(layers) == ["basemap"]
    assert layers["basemap"]["features"] == 4
    assert set(layers["basemap"]["keys"]) == set(tiles.BASEMAP_FIELDS)
    assert {"甬江", "中山公园", "中山路", "building", "primary"} <= set(
        layers["basemap"]["strings"]
    )


def test_city_zoom_leaves_buildings_and_parks_out(client, basemap):
    layers = decode_mvt(_get(client, 10).content)
    strings = set(layers["basemap"]["strings"])
    assert {"甬江", "中山路"} <= strings
    assert "building" not in strings and "中山公园" not in strings
    assert layers["basemap"]["features"] == 2


def test_edit_changes_the_etag(client, basemap):
    first = _get(client, 15)
    assert _get(client, 15)["ETag"] == first["ETag"]
    BasemapFeature.objects.filter(code="b").update(name="新楼")
    second = _get(client, 15)
    assert second["ETag"] != first["ETag"]
    assert "新楼" in decode_mvt(second.content)["basemap"]["strings"]


def test_outside_the_city_and_bad_tiles(client, basemap, django_assert_num_queries):
    with django_assert_num_queries(0):
        resp = client.get("/api/public/basemap/3/0/0.mvt")
    assert resp.status_code == 200 and resp.content == b""
    assert client.get("/api/public/basemap/99/0/0.mvt").status_code == 400
    assert client.get("/api/public/basemap/a/b/c.mvt").status_code == 400


def test_maps_draw_it_only_without_online_tiles(settings):
    config = map_config()["tiles"]
    assert config["url"] == "" and config["basemap"]["url"].endswith("/{z}/{x}/{y}.mvt")
    assert "OpenStreetMap" in config["basemap"]["attribution"]
    settings.MAP_TILES_URL = "https://t0.tianditu.gov.cn/vec_w/wmts?{z}/{x}/{y}"
    config = tiles.tiles_config()
    assert config["url"].startswith("https://t0.tianditu") and config["basemap"] is None


@pytest.mark.parametrize("z", [11, 13, 15, 17])
def test_cut_before_transform_draws_the_same_geometry(basemap, z):
    # the road (2 km) and the river cross the tile: cut to the tile before the
    # transform (public.tiles.CUT_TO_TILE), they are drawn where the whole ones were
    x, y = tile_xy(121.553, 29.8752, z)
    params = tiles.tile_params(z, x, y, tiles.city_clip(z, x, y))
    mvt = "ST_AsMVTGeom(ST_Transform({}, 3857), bs.b3857, 4096, 64, true)"
    whole, cut = (
        mvt.format("b.geom"),
        mvt.format(tiles.CUT_TO_TILE.format(geom="b.geom")),
    )
    with connection.cursor() as cur:
        cur.execute(
            f"{tiles.TILE_BOUNDS} SELECT b.code, {whole} IS NULL, {cut} IS NULL,"
            f" ST_HausdorffDistance({whole}, {cut}) FROM layers_basemapfeature b, bs"
            " WHERE b.geom && bs.bsrid",
            params,
        )
        rows = cur.fetchall()
    assert "r" in {code for code, *_ in rows}  # the road, longer than the tile
    for code, whole_null, cut_null, distance in rows:
        assert whole_null == cut_null, code
        assert whole_null or distance <= 1.0, (code, distance)  # tile units (1/4096)


def test_the_internal_maps_get_it_with_their_layers(client, basemap):
    # one request per tile: the planner's tile URL serves the basemap layer too
    client.force_login(factories.user("planner-basemap", Role.CITY_ADMIN))
    z = 15
    x, y = tile_xy(121.55, 29.875, z)
    resp = client.get(f"/api/planner/tiles/basemap+walk_network/{z}/{x}/{y}.mvt")
    assert resp.status_code == 200
    layers = decode_mvt(resp.content)
    public = decode_mvt(_get(client, z).content)["basemap"]
    assert layers["basemap"]["features"] == public["features"] == 4
    assert set(layers["basemap"]["keys"]) == set(tiles.BASEMAP_FIELDS)
    source = map_config()["tiles"]["basemap"]["source"]
    assert source == "/api/planner/tiles/{layer}/{z}/{x}/{y}.mvt"
    # the public map keeps its public URL (no login there)
    assert "source" not in tiles.tiles_config()["basemap"]


def test_tile_queries_run_without_parallel_workers(transactional_db):
    # SET LOCAL: for the tile's transaction only (outside any transaction here)
    with connection.cursor() as cur:
        cur.execute("SHOW max_parallel_workers_per_gather")
        before = cur.fetchone()[0]
    with tiles.tile_cursor() as cur:
        cur.execute("SHOW max_parallel_workers_per_gather")
        assert cur.fetchone()[0] == "0"
    with connection.cursor() as cur:
        cur.execute("SHOW max_parallel_workers_per_gather")
        assert cur.fetchone()[0] == before
