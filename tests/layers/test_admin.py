"""The relocated admin: every layer's changelist, add form (with the Leaflet widget) and errors."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from layers import models
from tests import factories

pytestmark = pytest.mark.django_db

LAYERS = [
    "district",
    "street",
    "community",
    "idleland",
    "vacanthousing",
    "amenitycategory",
    "amenity",
    "walksegment",
    "populationraster",
]


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser(
        "root", "root@example.org", "pw-123456"
    )
    client.force_login(user)
    return client


def test_admin_is_not_at_slash_admin(client):
    assert client.get("/admin/").status_code == 404


@pytest.mark.parametrize("layer", LAYERS)
def test_changelist_and_add_form_render(admin_client, layer):
    factories.community()
    base = f"/{settings.ADMIN_URL}layers/{layer}/"
    assert admin_client.get(base).status_code == 200
    assert admin_client.get(base, {"q": "测试"}).status_code == 200
    add = admin_client.get(base + "add/")
    assert add.status_code == 200


def test_community_add_form_has_map_widget(admin_client):
    html = admin_client.get(
        f"/{settings.ADMIN_URL}layers/community/add/"
    ).content.decode()
    assert "leaflet" in html.lower()


def test_admin_rejects_geometry_outside_city_and_stores_nothing(admin_client):
    district = factories.district()
    # a square around lon 10, lat 50 (Europe): outside Ningbo
    geojson = (
        '{"type":"Polygon","coordinates":[[[10,50],[10.01,50],[10.01,50.01],'
        "[10,50.01],[10,50]]]}"
    )
    before = models.IdleLand.objects.count()
    resp = admin_client.post(
        f"/{settings.ADMIN_URL}layers/idleland/add/",
        {
            "code": "X1",
            "name": "外地",
            "kind": "vacant",
            "tenure": "state",
            "consent": "unknown",
            "status": "available",
            "geom": geojson,
        },
    )
    assert resp.status_code == 200  # the form is shown again with the error
    assert "超出城市范围" in resp.content.decode()
    assert models.IdleLand.objects.count() == before
    assert district.pk


def test_admin_changelist_refuses_raster_lookup_in_query_string(admin_client):
    # CVE-2026-15307: spatial lookups must never reach GDALRaster from a query string
    resp = admin_client.get(
        f"/{settings.ADMIN_URL}layers/community/",
        {"geom__intersects": "/vsicurl/http://x/"},
    )
    assert resp.status_code in (200, 302, 400)
    assert b"Traceback" not in resp.content
