"""The public map draws the city's own basemap when no online tiles are configured:
protomaps-leaflet (vendored) fetches /api/public/basemap/ tiles and paints canvases."""

import pytest
from django.conf import settings
from django.contrib.gis.geos import MultiPolygon

from layers.models import BasemapFeature
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_map_paints_the_basemap(live_server, new_page, reference_data):
    assert settings.MAP_TILES_URL == ""
    factories.district(code="D1", name="海曙区")
    BasemapFeature.objects.create(
        code="w",
        kind="water",
        name="甬江",
        geom=MultiPolygon(factories.square(121.55, 29.875, 3000)),
    )
    page = new_page()
    csp = []  # Chromium reports every blocked script, style or fetch to the console
    page.on(
        "console",
        lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None,
    )
    tiles = []
    page.on(
        "response",
        lambda r: tiles.append(r.status) if "/api/public/basemap/" in r.url else None,
    )
    page.goto(f"{live_server.url}/public/")
    page.wait_for_function("() => document.body.dataset.basemap === 'city'")
    # the water is painted: poll until some canvas pixel has the water colour #aacbe6
    # (tiles arrive and are drawn asynchronously, slowly on a loaded machine)
    page.wait_for_function(
        """() => [...document.querySelectorAll('.leaflet-vectortiles-pane canvas')].some(c => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 0; i < d.length; i += 4)
              if (d[i] === 0xaa && d[i + 1] === 0xcb && d[i + 2] === 0xe6) return true;
            return false; })""",
        timeout=60_000,
    )
    assert tiles and set(tiles) <= {200, 304}
    assert page.errors == [] and csp == []
    # no tile query still running when the database is flushed after the test
    page.wait_for_function(
        "() => document.body.dataset.tiles_basemap === 'loaded'"
        " && document.body.dataset.tiles_public === 'loaded'"
    )
    page.wait_for_load_state("networkidle")
