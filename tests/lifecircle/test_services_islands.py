"""A life-circle run on the database leaves a footway island out, stores and maps it.

The tiny city of tests/geoapp/lifecircle_city.py plus a 2-node footway 30 m south of
the street at 1000 m, and a kindergarten 5 m from that footway (25 m from the street)::

    A(0)──K(200)────────────────────────────B(1500)──(2000)     street, 21 nodes
                            ·K2 (1000, -25)
                           ──── island (990..1010, -30)
"""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, Point

from accounts.permissions import SYSTEM
from layers import models
from lifecircle.models import NetworkIsland
from lifecircle.services import cache_clear, lifecircle_run
from tests import factories
from tests.lifecircle import city as lifecircle_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    cache_clear()
    data = lifecircle_city.build()
    a, b = lifecircle_city.xy(990, -30), lifecircle_city.xy(1010, -30)
    models.WalkSegment.objects.create(
        code="island", kind="footway", geom=LineString(a, b, srid=settings.SRID)
    )
    kx, ky = lifecircle_city.xy(1000, -25)
    factories.amenity("kindergarten", code="K2", geom=Point(kx, ky, srid=settings.SRID))
    yield data
    cache_clear()


def test_run_stores_and_maps_the_island(city, client):
    run = lifecircle_run(user=SYSTEM, min_component_nodes=5)
    assert run.parameters["min_component_nodes"] == 5
    assert run.summary["islands_total"] == 1
    [row] = run.summary["islands"]
    assert (row["component"] >= 0, row["nodes"], row["amenities_nearest"]) == (
        True,
        2,
        1,
    )
    island = NetworkIsland.objects.get(run=run)
    assert island.nodes == 2 and abs(island.length_m - 20) < 0.01
    # K2 snapped to the street (25 m off it): B (gate 10 m off at 1500 m) reads 25 + 500 + 10
    b = run.coverage.get(community__code="B")
    assert abs(b.distances_m["kindergarten"] - 535) < 1.0

    url = f"/api/lifecircle/runs/{run.pk}/islands.geojson"
    assert client.get(url).status_code in (401, 403)  # planners only
    client.force_login(
        get_user_model().objects.create_user("p", password="pw")
    )  # viewer
    data = client.get(url).json()
    [f] = data["features"]
    assert data["min_component_nodes"] == 5
    assert f["geometry"]["type"] == "MultiLineString"
    lon, lat = f["geometry"]["coordinates"][0][0]
    assert 121.55 < lon < 121.57 and 29.87 < lat < 29.88
    assert f["properties"]["amenities_nearest"] == 1


def test_snapping_to_every_component_reads_the_island(city):
    """min_component_nodes=1: K2 joins the island and reaches nobody."""
    run = lifecircle_run(user=SYSTEM, min_component_nodes=1)
    assert run.summary["islands_total"] == 0
    assert not NetworkIsland.objects.filter(run=run).exists()
    b = run.coverage.get(community__code="B")
    assert b.distances_m["kindergarten"] is None  # K1 is 1300 m away, beyond 1000


def test_bad_parameter_refused(city):
    with pytest.raises(ValueError, match="min_component_nodes"):
        lifecircle_run(user=SYSTEM, min_component_nodes=0)
