"""Siting weighs idle plots for parking: each candidate's spaces and the parking shortage
within a walk it would take off, the plots better used for parking under a weight, and
the trade-off of the chosen sites (tiny city of tests/siting/city.py)."""

import pytest

from accounts.permissions import SYSTEM
from layers.models import Community
from siting import services
from siting.models import SitingCandidateResult
from tests.siting import city

pytestmark = pytest.mark.django_db
CAT = city.CATEGORY


@pytest.fixture
def parking_city(siting_city, reference_data):
    # 400 households of commodity housing each, 0.7 spaces per household (the
    # fixture's default for an unlisted district): demand 280. A has no space at all,
    # B a surplus, the others were not surveyed.
    Community.objects.filter(code="A").update(parking_spaces=0)
    Community.objects.filter(code="B").update(parking_spaces=500)
    return siting_city


def _rows(run):
    return {r.candidate_code: r for r in SitingCandidateResult.objects.filter(run=run)}


def test_each_candidate_gets_its_parking_value(parking_city):
    run = services.siting_run(user=SYSTEM, category=CAT, k=2)
    rows = _rows(run)
    # 20 m × 20 m plots: 400 m² / 30 m² per space = 13 spaces; a vacant house none
    assert rows["L0"].parking_spaces == 13
    assert rows["V1"].parking_spaces == 0
    # L0 is 90 m from A (short 280): all its 13 spaces take off A's shortage
    assert rows["L0"].parking_gap_reduced == 13
    # L2 reaches B (a surplus) and C (not surveyed): nothing to take off
    assert rows["L2"].parking_gap_reduced == 0
    # no weight: no plot is marked for parking
    assert not any(r.prefer_parking for r in rows.values())
    park = run.summary["parking"]
    assert park["weight"] == 0
    assert park["ratios"]["version"] == "survey-2024"
    assert park["communities_short"] == 1 and park["shortage_total"] == 280
    assert park["communities_unsurveyed"] == 3
    exact = park["tradeoff"]["exact"]
    assert exact["sites"] == 2 and exact["residents_served"] == 6500
    assert exact["parking_spaces"] == 26 and exact["parking_gap_reduced"] == 0
    assert [b["candidate_code"] for b in park["best_for_parking"]] == ["L0"]


def test_a_weight_marks_the_plots_better_used_for_parking(parking_city):
    run = services.siting_run(user=SYSTEM, category=CAT, k=2, parking_weight=1.0)
    rows = _rows(run)
    # L0 serves no new resident (A is covered) but takes 13 spaces off A's shortage
    assert rows["L0"].prefer_parking
    assert not rows["L2"].prefer_parking and not rows["L3"].prefer_parking
    assert run.parameters["parking_weight"] == 1.0
    # the chosen sites still serve the residents: the weight does not move them
    assert {r.candidate_code for r in rows.values() if r.chosen_exact} == {"L2", "L3"}
    assert run.summary["parking"]["tradeoff"]["exact"]["prefer_parking"] == []


@pytest.mark.parametrize("bad", [-1, 101, "x", True, float("nan")])
def test_bad_weights_are_refused(parking_city, bad):
    with pytest.raises(ValueError, match="parking_weight"):
        services.siting_run(user=SYSTEM, category=CAT, k=2, parking_weight=bad)


def test_the_api_takes_the_weight_and_the_candidates_carry_the_figures(
    parking_city, client
):
    run = services.siting_run(user=SYSTEM, category=CAT, k=2, parking_weight=2.0)
    data = client.get(f"/api/siting/runs/{run.pk}/candidates.geojson").json()
    props = {
        f["properties"]["candidate_code"]: f["properties"] for f in data["features"]
    }
    assert props["L0"]["parking_gap_reduced"] == 13
    assert props["L0"]["prefer_parking"] is True
    assert props["L2"]["parking_spaces"] == 13
