"""The capacity-aware life circle on real PostGIS: stored ratios and shortfalls, supply
with its basis, the what-if's capacity change and the API's choice of gaps.

The tiny city of ``lifecircle_city``: A (1 000 residents) 210 m from kindergarten K1,
B (2 000) 1 310 m from it. Demand = residents × the district's share of children aged
3-5 (the fixture's default share: the test districts are not Ningbo's); standard 950
places per 1 000 children.
"""

import dataclasses
import json

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.permissions import SYSTEM
from lifecircle import services as lifecircle
from lifecircle.models import CoverageResult, FacilitySupply, PopulationShares
from lifecircle.services import store as lifecircle_store
from tests.lifecircle import city as lifecircle_city

pytestmark = pytest.mark.django_db


def _share() -> float:
    version = PopulationShares.objects.get(version_id="census-2020")
    return version.data["default"]["children_3_5"]


def test_run_stores_both_results_and_the_supply_basis():
    city = lifecircle_city.build()
    city["k"].capacity = 30
    city["k"].save()
    run = lifecircle.lifecircle_run(user=SYSTEM)
    a = CoverageResult.objects.get(run=run, community__code="A")
    b = CoverageResult.objects.get(run=run, community__code="B")
    ka, kb = (r.capacity["categories"]["kindergarten"] for r in (a, b))
    share = _share()
    assert ka["demand"] == pytest.approx(1000 * share, abs=0.01)
    # K1 serves A alone: A_A = S / P whatever the decay; 30 places for 30 children
    assert ka["ratio"] == pytest.approx(30 / (1000 * share) / 0.95, abs=1e-4)
    assert ka["adequate"] and ka["shortfall"] == 0
    # B has none in reach: it lacks the whole standard, 0.95 places per child
    assert kb["ratio"] == 0 and not kb["adequate"]
    assert kb["shortfall"] == pytest.approx(0.95 * 2000 * share, abs=0.01)
    assert "kindergarten" in b.capacity["missing"]["5"]
    sup = FacilitySupply.objects.get(run=run, amenity_code="K1")
    assert (sup.supply, sup.unit, sup.basis) == (30, "places", "attribute")
    cap = run.summary["capacity"]
    assert cap["method"] == "E2SFCA" and cap["shares_version"] == "census-2020"
    assert cap["supply_basis"]["kindergarten"] == {"attribute": 1}


def test_what_if_kindergarten_lowers_the_shortfall_it_serves():
    """A 40-place kindergarten at B's entrance: B is its only community, so the
    method gives B all 40 places (P_B W R_k = 40) and B's shortfall falls by 40."""
    lifecircle_city.build()
    run = lifecircle.lifecircle_run(user=SYSTEM)
    b = CoverageResult.objects.get(run=run, community__code="B")
    before = b.capacity["categories"]["kindergarten"]["shortfall"]
    lon, lat = lifecircle_city.LON0 + 1500 / 96_600, lifecircle_city.LAT0
    out = lifecircle.lifecircle_what_if(
        run=run,
        facilities=[
            {"category": "kindergarten", "lon": lon, "lat": lat, "capacity": 40}
        ],
    )
    cap = out["capacity"]
    assert cap["categories"] == ["kindergarten"]
    assert cap["supply_added"][0]["supply"] == 40
    assert cap["supply_added"][0]["basis"] == "attribute"
    [row] = cap["changed"]
    assert row["code"] == "B"
    assert row["shortfall_before"]["kindergarten"] == pytest.approx(before, abs=0.01)
    assert row["shortfall_after"]["kindergarten"] == pytest.approx(
        before - 40, abs=0.01
    )
    assert cap["shortfall_reduced"]["kindergarten"] == pytest.approx(40, abs=0.01)
    # the distance-only change beside it
    assert out["residents_newly_covered"] == {"kindergarten": 2000}


def test_api_gaps_by_distance_or_by_capacity_and_exports_carry_both():
    lifecircle_city.build()
    run = lifecircle.lifecircle_run(user=SYSTEM)
    user = get_user_model().objects.create_superuser("admin", "a@example.org", "pw")
    client = Client()
    client.force_login(user)
    base = f"/api/lifecircle/runs/{run.pk}/communities.geojson"
    by_distance = client.get(base, {"category": "kindergarten"}).json()
    by_capacity = client.get(
        base, {"category": "kindergarten", "gaps": "capacity"}
    ).json()
    pa = {f["properties"]["code"]: f["properties"] for f in by_distance["features"]}
    pc = {f["properties"]["code"]: f["properties"] for f in by_capacity["features"]}
    # K1 has no capacity attribute: the standard's size, 190 children × 0.95
    assert pa["A"]["covered"] and pa["A"]["adequate"]
    assert pa["A"]["unit"] == "places"
    assert pc["B"]["shortfall"] == pytest.approx(pa["B"]["shortfall"])
    assert by_capacity["gaps"] == "capacity" and by_distance["gaps"] == "distance"
    assert client.get(base, {"gaps": "nope"}).status_code == 400
    csv = client.get(f"/api/lifecircle/runs/{run.pk}/export.csv")
    header = csv.content.decode("utf-8-sig").splitlines()[0].split(",")
    for col in (
        "kindergarten_m",
        "kindergarten_within_reach",
        "kindergarten_ratio",
        "kindergarten_shortfall",
        "kindergarten_enough",
        "capacity_score",
    ):
        assert col in header, header
    supply = client.get(
        f"/api/lifecircle/runs/{run.pk}/supply.geojson", {"category": "kindergarten"}
    ).json()
    [k1] = supply["features"]
    assert k1["properties"]["basis"] == "standard"
    assert "190" in k1["properties"]["note"]
    assert json.dumps(supply)  # serialisable


def test_capacity_json_is_json_dumps_of_the_rounded_values():
    """The per-community JSON, assembled column by column, is the text json.dumps
    gives for the nested values (NaN as null, rounded as _finite rounds)."""
    lifecircle_city.build()
    run = lifecircle.lifecircle_run(user=SYSTEM)
    ctx = lifecircle.run_context(run)
    cap = ctx.capacity
    ratio = cap.ratio.copy()
    ratio.iloc[0, 0] = np.nan
    ratio.iloc[-1, -1] = 1 / 3
    # the numbers are formatted once per distinct float: -0.0 keeps its sign
    shortfall = cap.shortfall.copy()
    shortfall.iloc[0, 1] = -0.0
    shortfall.iloc[0, 2] = 0.0
    shortfall.iloc[0, 3] = np.inf
    cap = dataclasses.replace(cap, ratio=ratio, shortfall=shortfall)
    codes = ctx.result.distance_m.index.to_numpy()
    got = lifecircle_store._capacity_json(cap, codes)
    fin = lifecircle_store._finite
    for i, code in enumerate(codes):
        expected = {
            "score": fin(float(cap.score[code])),
            "tiers_met": {str(k): bool(v) for k, v in cap.tiers_met.loc[code].items()},
            "missing": {str(k): list(v) for k, v in cap.missing.loc[code].items()},
            "categories": {
                c: {
                    "demand": fin(float(cap.demand.loc[code, c]), 2),
                    "ratio": fin(float(cap.ratio.loc[code, c]), 4),
                    "shortfall": fin(float(cap.shortfall.loc[code, c]), 2),
                    "adequate": bool(cap.adequate.loc[code, c]),
                }
                for c in cap.categories
            },
        }
        assert got[i] == json.dumps(expected)
    assert json.loads(got[0])["categories"][cap.categories[0]]["ratio"] is None
    assert json.loads(got[-1])["categories"][cap.categories[-1]]["ratio"] == 0.3333
    c1, c2, c3 = cap.categories[1:4]
    assert '"shortfall": -0.0,' in got[0].split(f'"{c1}": ')[1].split("}")[0]
    assert json.loads(got[0])["categories"][c2]["shortfall"] == 0.0
    assert json.loads(got[0])["categories"][c3]["shortfall"] is None
    assert lifecircle_store._capacity_json(None, codes) == ["{}"] * len(codes)
