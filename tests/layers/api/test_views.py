"""Layer GeoJSON endpoints (signed-in users): EPSG:4326 output, bbox filter, private
fields absent for viewers, bad bbox → 400."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(db):
    """A signed-in viewer: internal layers without private columns."""
    c = Client()
    c.force_login(factories.user("viewer1", Role.VIEWER))
    return c


@pytest.mark.parametrize("name", ["layer-communities", "layer-idle-land", "schema"])
def test_anonymous_visitors_get_nothing(name):
    resp = Client().get(reverse(name))
    assert resp.status_code == 403
    assert b"features" not in resp.content


def test_private_columns_for_planners_only(client):
    district = factories.district()
    plot = factories.idle_land(owner="业主-SENTINEL", consent="granted")
    c = factories.community(in_expropriation_plan=True)
    viewer = client.get(reverse("layer-idle-land")).json()["features"][0]
    assert "owner" not in viewer["properties"]
    assert "consent" not in viewer["properties"]
    comm = client.get(reverse("layer-communities")).json()["features"][0]
    assert "in_expropriation_plan" not in comm["properties"]
    planner = Client()
    planner.force_login(factories.user("p1", Role.DISTRICT_PLANNER, district=district))
    full = planner.get(reverse("layer-idle-land")).json()["features"][0]
    assert full["id"] == plot.code
    assert full["properties"]["owner"] == "业主-SENTINEL"
    assert full["properties"]["consent"] == "granted"
    comm = planner.get(reverse("layer-communities")).json()["features"][0]
    assert comm["id"] == c.code and comm["properties"]["in_expropriation_plan"] is True


def test_communities_geojson_in_wgs84_without_private_fields(client):
    c = factories.community(internal_notes="内部备注-SENTINEL-7731")
    resp = client.get(reverse("layer-communities"))
    assert resp.status_code == 200
    data = resp.json()
    assert data["type"] == "FeatureCollection"
    (feature,) = data["features"]
    assert feature["id"] == c.code
    lon, lat = feature["geometry"]["coordinates"][0][0][0]
    assert 121.54 < lon < 121.56 and 29.87 < lat < 29.88
    assert "SENTINEL" not in resp.content.decode()
    assert "internal_notes" not in feature["properties"]


def test_bbox_filters(client):
    factories.community()
    inside = client.get(
        reverse("layer-communities"), {"bbox": "121.5,29.8,121.6,29.9"}
    ).json()
    outside = client.get(
        reverse("layer-communities"), {"bbox": "121.7,29.8,121.8,29.9"}
    ).json()
    assert len(inside["features"]) == 1
    assert len(outside["features"]) == 0


@pytest.mark.parametrize(
    "bbox",
    [
        "1,2,3",
        "1,2,3,4) OR 1=1--",
        "NaN,1,2,3",
        "1e309,29,122,30",
        "122,29,121,30",
        "0,0,1,1",
    ],
)
def test_bad_bbox_is_400(client, bbox):
    resp = client.get(reverse("layer-amenities"), {"bbox": bbox})
    assert resp.status_code == 400
    assert "bbox" in resp.json()


@pytest.mark.parametrize(
    "name",
    [
        "layer-districts",
        "layer-streets",
        "layer-idle-land",
        "layer-vacant-housing",
        "layer-amenities",
        "layer-walk-network",
        "layer-categories",
    ],
)
def test_every_layer_endpoint_answers(client, name):
    factories.amenity()
    factories.segment((121.55, 29.875), (121.551, 29.875))
    resp = client.get(reverse(name))
    assert resp.status_code == 200


def test_openapi_schema_lists_layers(client):
    resp = client.get(reverse("schema"), HTTP_ACCEPT="application/json")
    assert resp.status_code == 200
    assert b"/api/layers/communities.geojson" in resp.content
