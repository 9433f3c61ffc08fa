"""siting.services: hand-built cases with known best answers, policy filters, scenarios, exports."""

import io
import itertools

import geopandas as gpd
import numpy as np
import openpyxl
import pytest

from accounts.permissions import SYSTEM
from runs.models import AnalysisRun
from siting import services
from siting.models import SitingCandidateResult
from tests.siting import city

pytestmark = pytest.mark.django_db
CAT = city.CATEGORY


def _codes(run, flag=None):
    qs = SitingCandidateResult.objects.filter(run=run)
    if flag:
        qs = qs.filter(**{flag: True})
    return {r.candidate_code for r in qs}


def test_known_best_pair_and_ranking(siting_city):
    run = services.siting_run(user=SYSTEM, category=CAT, k=2)
    assert run.kind == AnalysisRun.Kind.SITING
    assert run.status == AnalysisRun.Status.DONE
    assert run.parameters["lifecircle_run"] == siting_city["lifecircle"].pk
    ranked = list(services.siting_results(run=run))
    assert [r.candidate_code for r in ranked] == ["L2", "L3", "V1", "L0"]
    assert [r.gain_residents for r in ranked] == [3500, 3000, 1000, 0]
    assert [r.gain_communities for r in ranked] == [2, 1, 1, 0]
    assert _codes(run, "chosen_exact") == {"L2", "L3"}
    assert _codes(run, "chosen_greedy") == {"L2", "L3"}
    obj = run.summary["objectives"]
    assert obj["exact"]["objective_residents"] == 6500
    assert obj["greedy"]["objective_residents"] == 6500
    assert obj["exact"]["status"] == "optimal"
    assert obj["exact"]["communities_covered"] == 3
    for method in ("exact", "greedy"):  # timed inside the run
        assert 0 <= obj[method]["time_s"] <= run.duration_s
    assert "mip_gap" in obj["exact"]
    l2 = ranked[0]
    assert [
        {k: v for k, v in x.items() if k not in ("lon", "lat")} for x in l2.served
    ] == [
        {"code": "B", "name": "小区B", "residents": 2000, "walk_m": 190.0},
        {"code": "C", "name": "小区C", "residents": 1500, "walk_m": 190.0},
    ]
    assert all(121.5 < x["lon"] < 121.6 for x in l2.served)
    assert l2.candidate_kind == "idle_land" and l2.consent == "granted"
    assert l2.area_m2 == pytest.approx(400)
    # the explanation per chosen site
    expl = {e["code"]: e for e in run.summary["explanation"]["exact"]}
    assert expl["L2"]["residents_gained"] == 3500
    assert expl["L2"]["n_communities"] == 2
    assert expl["L2"]["max_walk_m"] == pytest.approx(190)
    # the owner stays with the candidate (a private column), not in the run record
    assert "owner" not in expl["L2"] and expl["L2"]["kind"] == "idle"
    assert l2.owner == "街道办"
    assert {g["community"] for g in expl["L2"]["gains"]} == {"B", "C"}
    assert run.summary["demand"][CAT]["communities_lacking"] == 4
    assert run.summary["demand"][CAT]["residents_lacking"] == 7500


def test_k3_adds_vacant_housing(siting_city):
    run = services.siting_run(user=SYSTEM, category=CAT, k=3, method="exact")
    assert _codes(run, "chosen_exact") == {"L2", "L3", "V1"}
    assert run.summary["objectives"]["exact"]["objective_residents"] == 7500
    assert "greedy" not in run.summary["objectives"]
    assert not _codes(run, "chosen_greedy")


def test_refused_consent_never_proposed_even_if_best(siting_city):
    # R would cover D and F (4000 residents), more than any allowed plot
    run = services.siting_run(user=SYSTEM, category=CAT, k=1, kinds=["idle"])
    assert "R" not in _codes(run)
    assert _codes(run, "chosen_exact") == {"L2"}
    assert _codes(run, "chosen_greedy") == {"L2"}
    # once consent is granted it becomes the best single site
    siting_city["R"].consent = "granted"
    siting_city["R"].save()
    run = services.siting_run(user=SYSTEM, category=CAT, k=1, kinds=["idle"])
    assert _codes(run, "chosen_exact") == {"R"}


def test_clause_4_4_3_plots_without_consent_are_ranked_apart(siting_city):
    """四(四)3 征得业主同意: a plot not yet asked (L3) is not proposed beside the ones the
    owners agreed to (it used to be), but ranked on its own as worth asking about,
    and marked when both are ranked together."""
    siting_city["L3"].consent = "unknown"
    siting_city["L3"].save()
    siting_city["L0"].consent = "asked"
    siting_city["L0"].save()
    run = services.siting_run(user=SYSTEM, category=CAT, k=5)
    assert run.parameters["consent_scope"] == "granted"
    assert {"L0", "L3"}.isdisjoint(_codes(run))
    assert "L2" in _codes(run)
    pending = services.siting_run(
        user=SYSTEM, category=CAT, k=5, consent_scope="pending"
    )
    assert _codes(pending) == {"L0", "L3"}
    marks = dict(
        SitingCandidateResult.objects.filter(run=pending).values_list(
            "candidate_code", "consent"
        )
    )
    assert marks == {"L0": "asked", "L3": "unknown"}
    both = services.siting_run(user=SYSTEM, category=CAT, k=5, consent_scope="all")
    assert {"L0", "L2", "L3"} <= _codes(both)
    with pytest.raises(ValueError, match="consent_scope must be one of"):
        services.siting_run(user=SYSTEM, category=CAT, k=5, consent_scope="maybe")


def test_status_not_available_never_proposed(siting_city):
    run = services.siting_run(user=SYSTEM, category=CAT, k=5)
    assert "U" not in _codes(run)
    siting_city["L2"].status = "reserved"
    siting_city["L2"].save()
    run = services.siting_run(user=SYSTEM, category=CAT, k=5)
    assert "L2" not in _codes(run)


def test_existing_coverage_is_not_gain(siting_city):
    run = services.siting_run(user=SYSTEM, category=CAT, k=5)
    l0 = SitingCandidateResult.objects.get(run=run, candidate_code="L0")
    assert l0.gain_residents == 0 and l0.served == []
    assert not l0.chosen_exact and not l0.chosen_greedy
    served = {
        s["code"]
        for r in SitingCandidateResult.objects.filter(run=run)
        for s in r.served
    }
    assert "A" not in served


def test_rule_minimum_and_extra_minimum_area(siting_city):
    run = services.siting_run(user=SYSTEM, category=CAT, k=2)
    assert "V2" not in _codes(run)  # 80 m² < 350 m² floor area minimum
    run = services.siting_run(user=SYSTEM, category=CAT, k=2, min_area_m2=401)
    assert _codes(run) == set()
    assert run.summary["objectives"]["exact"]["objective_residents"] == 0


def test_tier_changes_the_walking_distance(siting_city):
    run = services.siting_run(user=SYSTEM, category=CAT, tier=10, k=1)
    assert run.summary["demand"][CAT]["distance_m"] == 500
    l3 = SitingCandidateResult.objects.get(run=run, candidate_code="L3")
    assert l3.gain_residents == 4000  # D (40 m) and F (440 m)
    assert _codes(run, "chosen_exact") == {"L3"}


def test_district_filter(siting_city):
    code = siting_city["district"].code
    run = services.siting_run(user=SYSTEM, category=CAT, k=2, districts=[code])
    assert _codes(run) == {"L0", "L2", "L3", "V1"}
    run = services.siting_run(user=SYSTEM, category=CAT, k=2, districts=["nowhere"])
    assert _codes(run) == set()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"category": "no_such"}, "unknown category"),
        ({"category": CAT, "k": 0}, "between 1 and 200"),
        ({"category": CAT, "k": 201}, "between 1 and 200"),
        ({"category": CAT, "method": "magic"}, "method"),
        ({"category": CAT, "tier": 7}, "tier"),
        ({"category": CAT, "kinds": ["castle"]}, "kinds"),
        ({"category": CAT, "min_area_m2": -1}, "min_area_m2"),
        ({"category": CAT, "lifecircle_run": 999999}, "does not exist"),
    ],
)
def test_bad_input(siting_city, kwargs, message):
    with pytest.raises(ValueError, match=message):
        services.siting_run(user=SYSTEM, **kwargs)


def test_no_lifecircle_run_tells_the_user(db):
    city.build()
    with pytest.raises(ValueError, match="run the life-circle analysis first"):
        services.siting_run(user=SYSTEM, category=CAT)


def test_exact_never_worse_than_greedy_and_optimal(siting_city):
    rng = np.random.default_rng(7)
    for i, dx in enumerate(rng.uniform(0, 2000, 12)):
        city.plot(f"P{i}", float(dx))
    for k in (1, 2, 3, 4):
        run = services.siting_run(user=SYSTEM, category=CAT, k=k)
        obj = run.summary["objectives"]
        assert (
            obj["exact"]["objective_residents"] >= obj["greedy"]["objective_residents"]
        )
        # brute force over all k-subsets of the stand-alone served sets
        rows = list(services.siting_results(run=run))
        sets = [{s["code"]: s["residents"] for s in r.served} for r in rows]
        best = 0
        for combo in itertools.combinations(range(len(sets)), min(k, len(sets))):
            covered = {}
            for j in combo:
                covered.update(sets[j])
            best = max(best, sum(covered.values()))
        assert obj["exact"]["objective_residents"] == best


def test_multi_category_with_embedded_complex(siting_city):
    city.house("BIG", 1500, 1200)
    cats = ["elderly_daycare", "nursery", "community_canteen"]
    run = services.siting_multi_run(
        user=SYSTEM, categories=cats, k=4, embedded=True, embedded_bonus=2000
    )
    obj = run.summary["objectives"]
    assert obj["exact"]["objective_residents"] >= obj["greedy"]["objective_residents"]
    assert set(run.summary["categories"]) == set(cats)
    assert "R" not in _codes(run) and "U" not in _codes(run)
    for m in ("greedy", "exact"):
        for cx in run.summary["embedded_complexes"][m]:
            assert len(cx["categories"]) >= 3
            assert cx["candidate_code"] == "BIG"
    assert run.summary["embedded_complexes"]["exact"]
    # one row per (category, candidate); V2 (80 m²) fits only the no-minimum canteen
    v2 = SitingCandidateResult.objects.filter(run=run, candidate_code="V2")
    assert {r.category for r in v2} == {"community_canteen"}
    chosen = SitingCandidateResult.objects.filter(run=run, chosen_exact=True)
    assert 1 <= chosen.count() <= 4


def test_multi_category_bad_input(siting_city):
    with pytest.raises(ValueError, match="embedded"):
        services.siting_multi_run(
            user=SYSTEM, categories=["elderly_daycare", "bank"], k=2, embedded=True
        )
    with pytest.raises(ValueError, match="unknown category"):
        services.siting_multi_run(
            user=SYSTEM, categories=["elderly_daycare", "nope"], k=2
        )
    with pytest.raises(ValueError, match="between"):
        services.siting_multi_run(
            user=SYSTEM, categories=["elderly_daycare", "nursery"], k=0
        )


def test_scenario_what_if_shows_newly_covered(siting_city):
    run = services.siting_run(user=SYSTEM, category=CAT, k=2)
    scenario = services.scenario_create(
        user=SYSTEM, run=run, method="exact", notes="试点"
    )
    assert {c["candidate_code"] for c in scenario.chosen} == {"L2", "L3"}
    out = services.scenario_what_if(scenario)
    assert out["lifecircle_run"] == siting_city["lifecircle"].pk
    assert out["residents_newly_covered"] == {CAT: 6500}
    assert out["communities_newly_covered"] == 3
    changed = {r["code"] for r in out["by_category"][0]["changed"]}
    assert changed == {"B", "C", "D"}


def test_scenario_needs_a_recommendation(siting_city):
    run = services.siting_run(user=SYSTEM, category=CAT, k=2, method="greedy")
    with pytest.raises(ValueError, match="no exact recommendation"):
        services.scenario_create(user=SYSTEM, run=run, method="exact")
    scenario = services.scenario_create(user=SYSTEM, run=run, method="greedy")
    assert scenario.method == "greedy" and len(scenario.chosen) == 2


def test_exports_open_with_geopandas_and_openpyxl(siting_city, tmp_path):
    run = services.siting_run(user=SYSTEM, category=CAT, k=2)
    body, ctype, name = services.siting_export(run=run, fmt="geojson")
    assert ctype == "application/geo+json"
    gdf = gpd.read_file(io.BytesIO(body))
    assert gdf.crs.to_epsg() == 4326
    assert len(gdf) == 4 and gdf["chosen_exact"].sum() == 2
    minx, miny, maxx, maxy = gdf.total_bounds
    assert 121.5 < minx < maxx < 121.6 and 29.8 < miny < maxy < 29.9
    body, _, name = services.siting_export(run=run, fmt="gpkg")
    path = tmp_path / name
    path.write_bytes(body)
    assert len(gpd.read_file(path, layer="candidates")) == 4
    assert set(gpd.read_file(path, layer="chosen_exact")["candidate_code"]) == {
        "L2",
        "L3",
    }
    body, ctype, _ = services.siting_export(run=run, fmt="xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(body))
    assert wb.sheetnames == [
        "候选地块",
        "贪心方案入选",
        "精确方案入选",
        "概要",
        "入选说明",
        "列代码",
    ]
    assert wb["候选地块"].max_row == 5
    assert wb["精确方案入选"].max_row == 3
    header = [c.value for c in wb["候选地块"][1]]
    assert header[:3] == ["设施类别", "单独排名", "候选类型"]
    chosen = header.index("精确方案入选")
    assert {r[chosen].value for r in wb["精确方案入选"].iter_rows(min_row=2)} == {"是"}
    with pytest.raises(ValueError, match="format"):
        services.siting_export(run=run, fmt="shp")


@pytest.mark.django_db
def test_capacity_gaps_count_residents_whose_shortfall_a_site_reduces():
    """K1 (10 places) is within reach of A (1 000 residents, 30 children): by distance A
    is served and a plot beside A gains nobody; by capacity A is short of places and
    the same plot gains A's 1 000 residents."""
    from django.contrib.gis.geos import Polygon

    from lifecircle import services as lifecircle
    from tests import factories
    from tests.lifecircle import city as lifecircle_city

    data = lifecircle_city.build()
    data["k"].capacity = 10
    data["k"].save()
    x, y = lifecircle_city.xy(60, -45)  # 70 m × 70 m: over the 3 500 m² minimum
    ring = ((x - 35, y - 35), (x + 35, y - 35), (x + 35, y + 35), (x - 35, y + 35))
    factories.idle_land(
        code="P1",
        consent="granted",  # proposed only with the owners' consent (四(四)3)
        geom=Polygon((*ring, ring[0]), srid=data["a"].geom.srid),
    )
    lc_run = lifecircle.lifecircle_run(user=SYSTEM)
    by = {}
    for gaps in ("distance", "capacity"):
        run = services.siting_run(
            category="kindergarten", k=1, lifecircle_run=lc_run, gaps=gaps, user=SYSTEM
        )
        row = SitingCandidateResult.objects.get(run=run, candidate_code="P1")
        by[gaps] = (row.gain_residents, [s["code"] for s in row.served])
        assert run.parameters["gaps"] == gaps
    assert by["distance"] == (0, [])
    assert by["capacity"] == (1000, ["A"])
    with pytest.raises(ValueError, match="no capacity-aware result"):
        services.siting_run(
            category="bus_stop",
            k=1,
            lifecircle_run=lc_run,
            gaps="capacity",
            user=SYSTEM,
        )
