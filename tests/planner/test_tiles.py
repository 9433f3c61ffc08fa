"""The internal maps' vector tiles: every feature (no cap), no private column for any
role, each layer from its zoom, per-run layers of a life-circle run, login required."""

import pytest
from django.contrib.gis.geos import LineString, MultiLineString

from accounts.models import Role
from layers.models import Amenity, AmenityCategory, VacantHousing
from lifecircle.models import CoverageResult, NetworkIsland
from planner import tiles
from runs.models import AnalysisRun
from tests import factories
from tests.public.conftest import decode_mvt, tile_xy

LON, LAT = 121.551, 29.8755
#: the properties of one category's gaps in the results tiles (?category=)
GAPS_KEYS = {"distance_m", "covered", "adequate", "shortfall"}
SECRET = "机密业主单位"


@pytest.fixture
def layers(db, reference_data):
    street = factories.street()
    community = factories.community(street=street, name="月湖小区")
    factories.idle_land(owner=SECRET, consent="granted", name="边角地甲")
    factories.amenity(name="幼儿园甲")
    factories.segment((121.549, 29.875), (121.553, 29.876), name="中山路")
    VacantHousing.objects.create(
        code="VH1",
        name="闲置公房甲",
        floor_area_m2=120,
        owner_kind="public",
        geom=factories.lonlat(121.5512, 29.8757),
    )
    return {"community": community}


@pytest.fixture
def viewer(client, db):
    client.force_login(factories.user("viewer-tiles", Role.VIEWER))
    return client


def get_tile(client, layer, z, lon=LON, lat=LAT, run=None):
    x, y = tile_xy(lon, lat, z)
    base = f"/api/planner/tiles/runs/{run}" if run else "/api/planner/tiles"
    return client.get(f"{base}/{layer}/{z}/{x}/{y}.mvt")


@pytest.mark.parametrize(
    ("layer", "name"),
    [
        ("walk_network", "中山路"),
        ("communities", "月湖小区"),
        ("amenities", "幼儿园甲"),
        ("idle_land", "边角地甲"),
        ("vacant_housing", "闲置公房甲"),
    ],
)
def test_each_layer_has_its_features_and_only_its_columns(viewer, layers, layer, name):
    resp = get_tile(viewer, layer, 15)
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/vnd.mapbox-vector-tile"
    decoded = decode_mvt(resp.content)
    assert list(decoded) == [layer]
    assert decoded[layer]["features"] == 1
    assert set(decoded[layer]["keys"]) <= set(tiles.LAYERS[layer].columns)
    assert name in decoded[layer]["strings"]


def test_no_private_column_in_any_tile_even_for_a_city_admin(client, layers):
    client.force_login(factories.user("admin-tiles", Role.CITY_ADMIN))
    decoded = decode_mvt(get_tile(client, "idle_land", 15).content)["idle_land"]
    assert "边角地甲" in decoded["strings"]
    assert SECRET not in decoded["strings"] and "granted" not in decoded["strings"]
    assert not {"owner", "consent"} & set(decoded["keys"])


def test_the_clicked_feature_is_read_with_what_the_role_may_see(client, layers):
    code = layers["community"].code
    client.force_login(factories.user("viewer-card", Role.VIEWER))
    plot = client.get("/api/planner/features/idle_land/").json()["features"][0]
    assert "owner" not in plot["properties"]
    one = client.get(f"/api/planner/features/community/{code}/").json()
    assert one["properties"]["name"] == "月湖小区"
    assert one["properties"]["district"] == layers["community"].district.name
    assert one["properties"]["street"] == layers["community"].street.name
    assert "internal_notes" not in one["properties"]


def test_below_its_zoom_a_layer_is_empty(viewer, layers):
    assert get_tile(viewer, "amenities", tiles.LAYERS["amenities"].min_zoom).content
    below = get_tile(viewer, "amenities", tiles.LAYERS["amenities"].min_zoom - 1)
    assert below.status_code == 200 and below.content == b""


def test_anonymous_unknown_and_bad_tiles_are_refused(client, viewer, layers):
    client.logout()
    assert get_tile(client, "communities", 15).status_code in (302, 403)
    viewer.force_login(factories.user("viewer-2", Role.VIEWER))
    assert get_tile(viewer, "districts_secret", 15).status_code == 404
    assert viewer.get("/api/planner/tiles/communities/99/0/0.mvt").status_code == 400


def test_more_features_than_the_old_geojson_cap_are_all_in_the_tiles(viewer, db):
    """25,000 amenities on 1.2 km²: every one of them is in the z13 tile (the GeoJSON
    layer stopped at 20,000)."""
    category = AmenityCategory.objects.get(code="kindergarten")
    Amenity.objects.bulk_create(
        Amenity(
            code=f"AMX{i}",
            category=category,
            geom=factories.lonlat(
                121.525 + (i % 160) * 0.00007, 29.862 + (i // 160) * 0.00007
            ),
        )
        for i in range(25_000)
    )
    decoded = decode_mvt(get_tile(viewer, "amenities", 13, 121.53, 29.867).content)
    assert decoded["amenities"]["features"] == 25_000


@pytest.fixture
def run(layers):
    run = AnalysisRun.objects.create(kind=AnalysisRun.Kind.LIFECIRCLE, status="done")
    a, b = factories.lonlat(121.5505, 29.8752), factories.lonlat(121.5508, 29.8754)
    NetworkIsland.objects.create(
        run=run,
        component=3,
        nodes=4,
        edges=3,
        length_m=42.0,
        geom=MultiLineString(LineString(a.coords, b.coords, srid=a.srid), srid=a.srid),
    )
    return run


def test_a_runs_islands(viewer, run):
    islands = decode_mvt(get_tile(viewer, "islands", 15, run=run.pk).content)
    assert islands["islands"]["features"] == 1
    other = AnalysisRun.objects.create(kind=AnalysisRun.Kind.BUNDLING, status="done")
    assert get_tile(viewer, "islands", 15, run=other.pk).status_code == 404
    assert get_tile(viewer, "walk_network", 15, run=run.pk).status_code == 404


def test_one_tile_holds_several_layers_each_from_its_zoom(viewer, layers):
    """The maps ask for the layers they show in one request per tile (``a+b``)."""
    both = decode_mvt(get_tile(viewer, "communities+walk_network", 15).content)
    assert set(both) == {"communities", "walk_network"}
    assert "月湖小区" in both["communities"]["strings"]
    assert "中山路" in both["walk_network"]["strings"]
    # the walk network is not in the tiles below its zoom; the communities are
    z = tiles.LAYERS["walk_network"].min_zoom - 1
    assert set(decode_mvt(get_tile(viewer, "communities+walk_network", z).content)) == {
        "communities"
    }
    for bad in ("communities+communities", "communities+districts_secret", "+", ""):
        x, y = tile_xy(LON, LAT, 15)
        resp = viewer.get(f"/api/planner/tiles/{bad}/15/{x}/{y}.mvt")
        assert resp.status_code == 404, bad


def test_a_runs_results_choropleth_joins_the_scores_in_sql(viewer, run, layers):
    community = layers["community"]
    CoverageResult.objects.create(
        run=run,
        community=community,
        residents=1050,
        score=62.5,
        capacity={"score": 41.25},
        reachable=True,
    )
    other = AnalysisRun.objects.create(kind=AnalysisRun.Kind.LIFECIRCLE, status="done")
    CoverageResult.objects.create(
        run=other, community=community, residents=1050, score=10.0
    )
    decoded = decode_mvt(get_tile(viewer, "islands+results", 15, run=run.pk).content)
    assert set(decoded) == {"islands", "results"}
    results = decoded["results"]
    assert results["features"] == 1  # this run's result only
    assert set(results["keys"]) == set(tiles.LAYERS["results"].columns)
    assert "月湖小区" in results["strings"]
    assert 62.5 in results["numbers"] and 41.3 in results["numbers"]
    assert 10.0 not in results["numbers"]
    # a run with no results for the tile: an empty layer part
    empty = AnalysisRun.objects.create(kind=AnalysisRun.Kind.LIFECIRCLE, status="done")
    assert get_tile(viewer, "results", 15, run=empty.pk).content == b""
    assert get_tile(viewer, "results", 15).status_code == 404  # not a city layer


def test_a_tile_seen_again_is_a_304_until_its_layer_changes(viewer, layers):
    first = get_tile(viewer, "communities+idle_land", 15)
    etag = first["ETag"]
    assert etag and first["Cache-Control"] == "private, max-age=30"
    x, y = tile_xy(LON, LAT, 15)
    url = f"/api/planner/tiles/communities+idle_land/15/{x}/{y}.mvt"
    again = viewer.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    # the body of a layer seen before comes from the cache, the same bytes
    assert get_tile(viewer, "communities+idle_land", 15).content == first.content
    # an edit of a layer the tile shows changes its stamp: a new ETag, the new name
    community = layers["community"]
    community.name = "月湖新村（改）"
    community.save()
    changed = viewer.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "月湖新村（改）" in decode_mvt(changed.content)["communities"]["strings"]
    # a layer the tile does not show changes nothing
    factories.amenity(name="幼儿园乙")
    assert viewer.get(url, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304


def test_a_runs_layers_in_the_same_request_as_the_citys(viewer, run, layers):
    """The maps ask for the city's layers and the shown run's in one request per tile."""
    CoverageResult.objects.create(
        run=run, community=layers["community"], residents=1050, score=62.5
    )
    x, y = tile_xy(LON, LAT, 15)
    url = f"/api/planner/tiles/communities+islands+results/15/{x}/{y}.mvt"
    decoded = decode_mvt(viewer.get(url, {"run": run.pk}).content)
    assert set(decoded) == {"communities", "islands", "results"}
    assert 62.5 in decoded["results"]["numbers"]
    assert viewer.get(url).status_code == 404  # which run?
    other = AnalysisRun.objects.create(kind=AnalysisRun.Kind.BUNDLING, status="done")
    assert viewer.get(url, {"run": other.pk}).status_code == 404
    assert viewer.get(url, {"run": "1 OR 1=1"}).status_code == 404


def test_one_categorys_gaps_come_in_the_results_tiles(viewer, run, layers):
    """The choropleth of one category (within reach, enough) is drawn from the tiles."""
    run.summary = {"thresholds_m": {"kindergarten": 300.0, "clinic": 1000.0}}
    run.save()
    CoverageResult.objects.create(
        run=run,
        community=layers["community"],
        residents=1050,
        score=62.5,
        distances_m={"kindergarten": 420.25, "clinic": 180.0},
        capacity={"categories": {"clinic": {"adequate": False, "shortfall": 12.5}}},
    )
    x, y = tile_xy(LON, LAT, 15)
    url = f"/api/planner/tiles/results/15/{x}/{y}.mvt"

    def results(category):
        resp = viewer.get(url, {"run": run.pk, "category": category})
        assert resp.status_code == 200
        return resp, decode_mvt(resp.content)["results"]

    # no category named: the score only (a category's values are NULL, left out)
    plain = decode_mvt(viewer.get(url, {"run": run.pk}).content)["results"]
    assert 420.3 not in plain["numbers"] and 0 not in plain["numbers"]
    kg_resp, kg = results("kindergarten")
    assert set(kg["keys"]) >= GAPS_KEYS
    assert 420.3 in kg["numbers"] and 12.5 not in kg["numbers"]
    # 420 m > 300 m: not within reach, the only false (0) value (reachable is true)
    assert 0 in kg["numbers"]
    clinic_resp, clinic = results("clinic")
    assert 12.5 in clinic["numbers"] and 180.0 in clinic["numbers"]
    assert kg_resp["ETag"] != clinic_resp["ETag"]  # cached apart
    # the within-reach flags (the decoder keeps numbers and strings: read them in SQL)
    gaps = tiles.Gaps("kindergarten", 300.0)
    assert tiles.tiles_bytes(("results",), 15, x, y, run.pk, gaps) == kg_resp.content
    assert viewer.get(url, {"run": run.pk, "category": "nope"}).status_code == 404
    assert viewer.get(url, {"category": "clinic"}).status_code == 404  # which run?
