"""The planner map at city-like density: the big layers come as vector tiles with every
feature, so a feature the old GeoJSON layer cut off (20,000 features, ``truncated``) is
drawn and opens from a click; below a layer's zoom the map says so."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point

from layers.crs import transformed
from layers.models import Amenity, AmenityCategory

from .conftest import login, map_point

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DENSE = 20_000  # the old GeoJSON layer's cap
BEYOND = 30
CAPTURE = (
    "window.addEventListener('map:init', (e) => { window.__map = e.detail.map; });"
)


@pytest.fixture
def dense_city(db, reference_data):
    """20,000 amenities on a 10 m grid, then 30 more (created last) 200 m apart to
    the north: the ones the old layer left out."""
    category = AmenityCategory.objects.get(code="kindergarten")
    Amenity.objects.bulk_create(
        Amenity(
            code=f"D{i:05d}",
            category=category,
            geom=transformed(
                Point(
                    121.54 + (i % 200) * 0.0001, 29.86 + (i // 200) * 0.0001, srid=4326
                ),
                settings.SRID,
            ),
        )
        for i in range(DENSE)
    )
    beyond = Amenity.objects.bulk_create(
        Amenity(
            code=f"Z{i:02d}",
            name=f"上限之外的幼儿园{i}",
            category=category,
            geom=transformed(
                Point(121.54 + i * 0.002, 29.88, srid=4326), settings.SRID
            ),
        )
        for i in range(BEYOND)
    )
    get_user_model().objects.create_superuser("root", "r@example.org", "pw-123456")
    return beyond


def test_a_feature_beyond_the_old_cap_is_drawn_and_opens(
    live_server, new_page, dense_city
):
    page = new_page()
    page.add_init_script(CAPTURE)
    login(page, live_server, "root", "pw-123456")
    # the old whole-layer GeoJSON stops at the cap and leaves the last ones out
    old = page.evaluate(
        "async () => (await fetch('/api/layers/amenities.geojson')).json()"
    )
    assert old["truncated"] is True and len(old["features"]) == DENSE
    assert not {"Z29"} & {f["id"] for f in old["features"]}

    target = dense_city[-1]
    lon, lat = transformed(target.geom, 4326).coords
    page.evaluate(
        "([lat, lon]) => window.__map.setView([lat, lon], 17, {animate: false})",
        [lat, lon],
    )
    page.wait_for_function("() => document.getElementById('map').dataset.zoom === '17'")
    page.hover(".leaflet-control-layers")
    page.locator(".leaflet-control-layers-overlays label", has_text="配套设施").locator(
        "input"
    ).check()
    page.wait_for_function("() => document.body.dataset.tiles_amenities === 'loaded'")
    page.mouse.click(*map_point(page, lat, lon))
    page.wait_for_selector(f"#editor:not([hidden])[data-code='{target.code}']")
    assert target.name in page.inner_text("#editor-title")
    assert (
        page.evaluate("() => document.body.dataset.picked")
        == f"amenities:{target.code}"
    )
    assert page.errors == []


def test_below_a_layers_zoom_the_map_says_so(live_server, new_page, dense_city):
    page = new_page()
    page.add_init_script(CAPTURE)
    login(page, live_server, "root", "pw-123456")
    page.evaluate("() => window.__map.setView([29.87, 121.55], 11, {animate: false})")
    page.wait_for_function("() => document.getElementById('map').dataset.zoom === '11'")
    page.wait_for_function(
        "() => (document.body.dataset.layersWaiting || '').includes('walk_network')"
    )
    assert "步行网络：放大到 14 级显示" in page.inner_text(".zoom-note")
    page.evaluate("() => window.__map.setView([29.87, 121.55], 14, {animate: false})")
    page.wait_for_function("() => document.body.dataset.layersWaiting === ''")
    assert page.errors == []
