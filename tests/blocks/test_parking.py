"""A block's parking: its members' spaces, demand and shortage summed, in the blocks'
GeoJSON by block code (blocks.services.blocks_parking)."""

from __future__ import annotations

import pytest

from accounts.permissions import SYSTEM
from blocks import services
from blocks.models import BlockMembership

from .conftest import cell

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(street, reference_data):
    # commodity housing in a district the ratios do not list: 0.7 spaces per household
    spaces = (100, 400, None, 50)
    for i in range(4):
        cell(
            street,
            i,
            0,
            code=f"A{i}",
            households=(400, 400, 200, 200)[i],
            parking_spaces=spaces[i],
        )
    return services.bundle_run(user=SYSTEM, max_households=800, use_gaps=False)


def _code(community: str) -> str:
    return BlockMembership.objects.get(
        community__code=community, active=True
    ).block.code


def test_block_totals_from_the_members(run):
    out = services.blocks_parking(run.blocks.all())
    a = out[_code("A0")]
    # A0 needs 280 and has 100 (short 180); A1 needs 280 and has 400 (120 spare)
    assert a == {
        "communities": 2,
        "surveyed": 2,
        "demand": 560,
        "spaces": 500,
        "gap": 60,
        "shortage": 180,
    }
    b = out[_code("A2")]
    # A2 not surveyed: its demand counts, its gap is unknown; A3 needs 140, has 50
    assert b["surveyed"] == 1 and b["demand"] == 280 and b["shortage"] == 90
    assert out["_source"]["version"] == "survey-2024"


def test_the_geojson_carries_them_by_block_code(client, run):
    latest = client.get("/api/blocks/runs/latest/").json()
    fc = client.get(latest["blocks_geojson"]).json()
    assert fc["parking"][_code("A0")]["shortage"] == 180
    assert {f["properties"]["code"] for f in fc["features"]} <= set(fc["parking"])
