"""The home page: a Chinese map page that serves Leaflet itself (no CDN) and lists the
layers, for signed-in users; anonymous visitors are sent to the public map."""

import re

import pytest
from django.urls import reverse

from accounts.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_get_the_public_map(client):
    resp = client.get(reverse("home"))
    assert resp.status_code == 302 and resp["Location"] == reverse("public-map")


def test_home_page_renders_map_with_local_assets(client):
    client.force_login(factories.user("viewer1", Role.VIEWER))
    resp = client.get(reverse("home"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "宁波城镇老旧小区改造" in html
    assert 'id="map"' in html
    assert "maps/js/home.js" in html
    # everything the browser loads is served by the app
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not url.startswith(("http://", "https://", "//")), url
    assert "/api/layers/communities.geojson" in html
