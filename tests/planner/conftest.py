"""Users of each role over a two-district city."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon

from accounts.models import Profile, Role
from planner import tiles
from tests import factories


@pytest.fixture(autouse=True)
def _tile_cache():
    tiles.cache_clear()
    yield
    tiles.cache_clear()


@pytest.fixture
def city(db):
    """Two districts side by side west and east of 121.55E; one street in each."""
    west = factories.district(
        code="W",
        name="西区",
        geom=MultiPolygon(factories.square(121.53, 29.875, 3000), srid=settings.SRID),
    )
    east = factories.district(
        code="E",
        name="东区",
        geom=MultiPolygon(factories.square(121.57, 29.875, 3000), srid=settings.SRID),
    )
    sw = factories.street(code="SW", district=west, geom=west.geom)
    se = factories.street(code="SE", district=east, geom=east.geom)
    return {"west": west, "east": east, "sw": sw, "se": se}


@pytest.fixture
def users(city):
    make = get_user_model().objects.create_user
    out = {"admin": make("admin1", password="pw-123456")}
    Profile.objects.create(user=out["admin"], role=Role.CITY_ADMIN)
    out["planner_w"] = make("planner_w", password="pw-123456")
    Profile.objects.create(
        user=out["planner_w"], role=Role.DISTRICT_PLANNER, district=city["west"]
    )
    out["staff_w"] = make("staff_w", password="pw-123456")
    Profile.objects.create(
        user=out["staff_w"], role=Role.STREET_STAFF, street=city["sw"]
    )
    out["viewer"] = make("viewer1", password="pw-123456")
    Profile.objects.create(user=out["viewer"], role=Role.VIEWER)
    return out


def polygon_geojson(lon: float, lat: float, d: float = 0.001) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
        ],
    }
