"""Block fixtures: communities on a grid of 100 m squares with 20 m streets between them.

Cell (i, j) is centred 120 m * i east and 120 m * j north of 三江口 (121.55E, 29.875N),
so grid neighbours are 20 m apart (adjacent at the default gap_m = 30) and cells two
apart are 140 m apart (not adjacent).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.gis.geos import LineString, MultiPolygon
from django.test import Client

from accounts.models import Role
from blocks.models import BlockMembership, RenovationBlock
from tests import factories

LON0, LAT0 = 121.55, 29.875
PITCH_M = 120.0
SIZE_M = 100.0


def cell_lonlat(i: float, j: float) -> tuple[float, float]:
    # 1° latitude ≈ 110 900 m; 1° longitude ≈ 96 200 m at 29.9°N (only used to place
    # centres: the squares themselves are built in the metric SRID).
    return LON0 + i * PITCH_M / 96_200, LAT0 + j * PITCH_M / 110_900


def cell(street, i: int, j: int, *, households: int = 400, **kw):
    lon, lat = cell_lonlat(i, j)
    sq = factories.square(lon, lat, SIZE_M)
    return factories.community(
        street=street,
        geom=MultiPolygon(sq, srid=settings.SRID),
        households=households,
        **kw,
    )


def line_between_rows(i0: float, i1: float, j: float):
    """A metric line at row-coordinate ``j`` from column ``i0`` to ``i1``."""
    a = factories.lonlat(*cell_lonlat(i0, j))
    b = factories.lonlat(*cell_lonlat(i1, j))
    return LineString(a.coords, b.coords, srid=settings.SRID)


def snapshot():
    """Everything a planner edit may touch, to check that a refused edit changed nothing."""
    blocks = list(
        RenovationBlock.objects.order_by("code").values_list(
            "code", "status", "locked", "is_active", "member_codes", "households"
        )
    )
    members = sorted(
        BlockMembership.objects.values_list("block__code", "community__code", "active")
    )
    history = (
        RenovationBlock.history.count(),
        BlockMembership.history.count(),
    )
    return blocks, members, history


@pytest.fixture
def street():
    return factories.street(code="S-TEST", name="测试街道")


@pytest.fixture
def staff(db):
    """A city administrator (acts on every block)."""
    return factories.user("planner", Role.CITY_ADMIN, password="pw-planner")


@pytest.fixture
def resident(django_user_model):
    return django_user_model.objects.create_user("resident", password="pw-resident")


@pytest.fixture
def client(db):
    """A signed-in viewer: results are internal (anonymous visitors get 403)."""
    c = Client()
    c.force_login(factories.user("viewer-reader", Role.VIEWER))
    return c
