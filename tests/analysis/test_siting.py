"""Tests for analysis.siting (no database).

Cases the module must cover:

- candidates: area minimum per rule (None = no minimum), status, consent
  ``refused`` never a candidate (also through the ranking adapter), kinds,
  district codes and district polygons, empty inputs;
- coverage matrix: hand-computed line graph, ragged communities (several
  entrances), snap offsets, both run directions and small chunks agree with a
  dense all-pairs Dijkstra, directed graphs;
- demand: communities already served by an existing facility are no gain;
- greedy vs exact: a crafted case where greedy is suboptimal, exact >= greedy
  and exact == brute force on random tiny instances;
- several categories: capacity, eligibility, per-category k, embedded complex;
- explain: gains sum to the objective, walk distances, plot attributes.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import Point, box

from analysis.siting import (
    community_residents,
    coverage_gain,
    coverage_matrix,
    demand_weights,
    exact_mclp,
    explain,
    greedy_mclp,
    hosting_capacity,
    multi_category_siting,
    rank_order,
    siting_candidates,
)

CRS = "EPSG:4549"


# ---------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------
def line_graph(n_nodes: int, spacing_m: float = 100.0) -> sp.csr_matrix:
    """Path 0 - 1 - ... - n-1, one edge per ``spacing_m`` metres, one direction only."""
    rows = np.arange(n_nodes - 1)
    return sp.csr_matrix(
        (np.full(n_nodes - 1, spacing_m), (rows, rows + 1)), shape=(n_nodes, n_nodes)
    )


# The crafted MCLP case, on a 600 m street (nodes every 100 m), radius 200 m:
#
#   metres   0    100   200   300   400   500   600
#   node     0 --- 1 --- 2 --- 3 --- 4 --- 5 --- 6
#   comm     A     B     C           D     E     F      (1000 residents each)
#   site           s1          s0          s2
#
#   s0 (node 3) reaches 100..500 m -> {B, C, D, E}  (4000)
#   s1 (node 1) reaches   0..300 m -> {A, B, C}     (3000)
#   s2 (node 5) reaches 300..700 m -> {D, E, F}     (3000)
#
# k = 2: greedy takes s0 (4000) then s1 (+1000, ties s2 by lower index) = 5000;
# the optimum is {s1, s2} = 6000.
LINE = line_graph(7)
COMM_NODES = np.array([0, 1, 2, 4, 5, 6])
SITE_NODES = np.array([3, 1, 5])
RESIDENTS = np.full(6, 1000.0)


def crafted_cover() -> sp.csr_matrix:
    return coverage_matrix(LINE, SITE_NODES, COMM_NODES, 200.0).cover


def communities_table(n: int = 6) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": [f"C{i}" for i in range(n)],
            "residents": np.full(n, 1000.0),
            "households": np.full(n, 400),
        }
    )


def idle_land() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code": ["L1", "L2", "L3", "L4", "L5", "L6"],
            "name": ["空地1", "荒地2", "边角地3", "闲置地4", "拆违5", "绿地6"],
            "kind": ["vacant", "wasteland", "corner", "idle", "demolition", "green"],
            "owner": ["街道", "区国资", "小区业主", "区国资", "街道", "园林局"],
            "tenure": ["state"] * 6,
            "consent": ["granted", "unknown", "refused", "asked", None, "granted"],
            "status": [
                "available",
                "available",
                "available",
                "reserved",
                "available",
                "available",
            ],
            "district_code": ["HS", "HS", "HS", "YZ", "YZ", "JB"],
        },
        geometry=[
            box(0, 0, 60, 60),  # 3600 m2
            box(100, 0, 130, 30),  # 900 m2
            box(200, 0, 300, 100),  # 10000 m2 but refused
            box(300, 0, 400, 100),  # reserved
            box(400, 0, 410, 10),  # 100 m2
            box(500, 0, 520, 20),  # 400 m2
        ],
        crs=CRS,
    )


def vacant_housing() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code": ["H1", "H2", "H3"],
            "name": ["公房1", "公房2", "公房3"],
            "address": ["a", "b", "c"],
            "floor_area_m2": [700.0, 150.0, 400.0],
            "floors": [2, 1, 1],
            "owner_kind": ["public", "work_unit", "public"],
            "status": ["available", "available", "used"],
            "district_code": ["HS", "YZ", "HS"],
        },
        geometry=[Point(50, 200), Point(150, 200), Point(250, 200)],
        crs=CRS,
    )


# ---------------------------------------------------------------------------
# candidates
# ---------------------------------------------------------------------------
def test_candidates_apply_rule_status_and_consent() -> None:
    # kindergarten: min site 3500 m2, min floor 2200 m2 (gb50180_2018.json)
    rule = {"code": "kindergarten", "min_site_area_m2": 3500, "min_floor_area_m2": 2200}
    cand = siting_candidates(idle_land(), vacant_housing(), rule)
    # L1 3600 >= 3500; L3 is refused; L4 reserved; no housing reaches 2200 m2
    assert list(cand["code"]) == ["L1"]
    assert cand.crs == CRS


def test_candidates_none_minimum_means_no_minimum() -> None:
    rule = {"min_site_area_m2": None, "min_floor_area_m2": None}
    cand = siting_candidates(idle_land(), vacant_housing(), rule, consent="all")
    assert set(cand["code"]) == {"L1", "L2", "L5", "L6", "H1", "H2"}
    assert set(cand.loc[cand["source"] == "vacant_housing", "consent"]) == {
        "not_required"
    }
    # null consent counts as "unknown"
    assert cand.set_index("code").loc["L5", "consent"] == "unknown"


def test_clause_4_4_3_consent_pending_plots_are_ranked_apart() -> None:
    """四(四)3 征得业主同意: by default only plots whose owners agreed (L1, L6) and the
    public housing (no consent needed); not asked yet or being asked (L2, L5: null is
    unknown) only when asked for, apart; refused (L3) never."""
    rule = {"min_site_area_m2": None, "min_floor_area_m2": None}
    granted = siting_candidates(idle_land(), vacant_housing(), rule)
    assert set(granted["code"]) == {"L1", "L6", "H1", "H2"}
    pending = siting_candidates(idle_land(), vacant_housing(), rule, consent="pending")
    assert set(pending["code"]) == {"L2", "L5"}
    assert set(pending["consent"]) == {"unknown"}
    with pytest.raises(ValueError, match="consent must be one of"):
        siting_candidates(idle_land(), None, rule, consent="refused")


def test_refused_consent_never_a_candidate_whatever_the_filters() -> None:
    for rule in (None, {"min_site_area_m2": 0}, {"min_site_area_m2": 9000}):
        cand = siting_candidates(idle_land(), None, rule, kinds={"corner"})
        assert "L3" not in set(cand["code"])
        assert len(cand) == 0


def test_candidates_floor_minimum_for_housing() -> None:
    # elderly_daycare: min floor 350 m2, no site minimum
    rule = {"min_floor_area_m2": 350, "min_site_area_m2": None}
    cand = siting_candidates(idle_land(), vacant_housing(), rule)
    housing = cand.loc[cand["source"] == "vacant_housing"]
    assert list(housing["code"]) == ["H1"]  # 700 >= 350; H2 150 < 350; H3 used
    assert housing["area_basis"].tolist() == ["floor"]


def test_candidates_filters_kind_district_area() -> None:
    cand = siting_candidates(
        idle_land(), vacant_housing(), None, kinds=["vacant_housing"]
    )
    assert set(cand["code"]) == {"H1", "H2"}
    every = {"consent": "all"}
    cand = siting_candidates(
        idle_land(), vacant_housing(), None, districts=["HS"], **every
    )
    assert set(cand["code"]) == {"L1", "L2", "H1"}
    cand = siting_candidates(
        idle_land(), vacant_housing(), None, min_area_m2=500, **every
    )
    assert set(cand["code"]) == {"L1", "L2", "H1"}
    # district polygons: only x < 140 (L1, L2, H1)
    districts = gpd.GeoDataFrame(
        {"code": ["W"]}, geometry=[box(-10, -10, 140, 300)], crs=CRS
    )
    cand = siting_candidates(
        idle_land(), vacant_housing(), None, districts=districts, **every
    )
    assert set(cand["code"]) == {"L1", "L2", "H1"}


def test_candidates_empty_and_errors() -> None:
    empty = siting_candidates(None, None, None)
    assert len(empty) == 0
    assert "consent" in empty.columns
    land = idle_land().drop(columns="district_code")
    with pytest.raises(ValueError, match="district_code"):
        siting_candidates(land, None, None, districts=["HS"])
    with pytest.raises(ValueError, match="metric CRS"):
        siting_candidates(idle_land().to_crs(4326), None, None)
    with pytest.raises(ValueError, match="non-negative"):
        siting_candidates(idle_land(), None, {"min_site_area_m2": -1})


# ---------------------------------------------------------------------------
# coverage matrix
# ---------------------------------------------------------------------------
def test_coverage_matrix_by_hand_on_the_line() -> None:
    cov = coverage_matrix(LINE, SITE_NODES, COMM_NODES, 200.0)
    dense = cov.cover.toarray()
    # from the sketch above
    expected = np.array(
        [
            [0, 1, 1, 1, 1, 0],  # s0: B, C, D, E
            [1, 1, 1, 0, 0, 0],  # s1: A, B, C
            [0, 0, 0, 1, 1, 1],  # s2: D, E, F
        ],
        dtype=bool,
    )
    np.testing.assert_array_equal(dense, expected)
    # s1 sits on B's node: a zero distance is kept as an explicit entry
    d = cov.distance_m
    np.testing.assert_array_equal(d.indptr, cov.cover.indptr)
    np.testing.assert_allclose(d[1].data, [100.0, 0.0, 100.0])
    assert cov.direction == "candidates"


def test_coverage_matrix_offsets_and_ragged_entrances() -> None:
    # community 0 has entrances at nodes 0 and 6; community 1 at node 3
    cov = coverage_matrix(
        LINE,
        [5],
        [[0, 6], [3]],
        200.0,
        candidate_offsets_m=[50.0],
    )
    # node 6 is 100 m + 50 m snap = 150 <= 200; node 3 is 200 + 50 = 250 > 200
    np.testing.assert_array_equal(cov.cover.toarray(), [[True, False]])
    np.testing.assert_allclose(cov.distance_m.data, [150.0])
    # the same, as flat access points with a community index
    flat = coverage_matrix(
        LINE,
        [5],
        [0, 6, 3],
        200.0,
        candidate_offsets_m=[50.0],
        access_community=[0, 0, 1],
        access_offsets_m=[0.0, 60.0, 0.0],
    )
    # entrance at node 6 now has a 60 m snap: 100 + 50 + 60 = 210 > 200
    assert flat.cover.nnz == 0


def test_coverage_matrix_directed() -> None:
    # one-way line 0 -> 1 -> ... ; a resident at node 0 can walk to a site at node 2
    cov = coverage_matrix(LINE, [2], [0, 4], 250.0, directed=True)
    np.testing.assert_array_equal(cov.cover.toarray(), [[True, False]])
    rev = coverage_matrix(
        LINE, [2], [0, 4], 250.0, directed=True, direction="communities"
    )
    np.testing.assert_array_equal(rev.cover.toarray(), cov.cover.toarray())


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_nodes=st.integers(2, 25),
    n_cand=st.integers(1, 6),
    n_comm=st.integers(1, 6),
    limit=st.floats(0, 400),
)
def test_coverage_matrix_matches_dense_dijkstra(seed, n_nodes, n_cand, n_comm, limit):
    rng = np.random.default_rng(seed)
    m = rng.integers(n_nodes, 3 * n_nodes)
    r, c = rng.integers(0, n_nodes, m), rng.integers(0, n_nodes, m)
    keep = r != c
    g = sp.csr_matrix(
        (rng.uniform(10, 150, keep.sum()).round(), (r[keep], c[keep])),
        shape=(n_nodes, n_nodes),
    )
    g.sum_duplicates()
    cand = rng.integers(0, n_nodes, n_cand)
    entrances = [rng.integers(0, n_nodes, rng.integers(1, 3)) for _ in range(n_comm)]
    off = rng.uniform(0, 40, n_cand).round()
    full = dijkstra(g, directed=False)
    expected = np.full((n_cand, n_comm), np.inf)
    for j in range(n_cand):
        for i, ent in enumerate(entrances):
            expected[j, i] = full[cand[j], ent].min() + off[j]
    expected[expected > limit] = np.inf
    for direction, subgraph in itertools.product(
        ("candidates", "communities"), (True, False)
    ):
        cov = coverage_matrix(
            g,
            cand,
            entrances,
            limit,
            candidate_offsets_m=off,
            direction=direction,
            chunk_bytes=8 * n_nodes * 2,
            subgraph=subgraph,
        )
        got = np.full((n_cand, n_comm), np.inf)
        rows = np.repeat(np.arange(n_cand), np.diff(cov.distance_m.indptr))
        got[rows, cov.distance_m.indices] = cov.distance_m.data
        np.testing.assert_allclose(got, expected)
        np.testing.assert_array_equal(cov.cover.toarray(), np.isfinite(expected))


def test_coverage_matrix_only_demand_columns() -> None:
    full = coverage_matrix(LINE, SITE_NODES, COMM_NODES, 200.0).cover.toarray()
    mask = np.array([False, True, False, True, False, False])
    part = coverage_matrix(
        LINE, SITE_NODES, COMM_NODES, 200.0, only_communities=mask
    ).cover.toarray()
    np.testing.assert_array_equal(part[:, mask], full[:, mask])
    assert not part[:, ~mask].any()
    by_index = coverage_matrix(
        LINE, SITE_NODES, COMM_NODES, 200.0, only_communities=[1, 3]
    ).cover.toarray()
    np.testing.assert_array_equal(by_index, part)
    with pytest.raises(ValueError, match="only_communities"):
        coverage_matrix(
            LINE, SITE_NODES, COMM_NODES, 200.0, only_communities=[True, False]
        )


def test_coverage_matrix_errors() -> None:
    with pytest.raises(ValueError, match="square"):
        coverage_matrix(sp.csr_matrix((2, 3)), [0], [0], 100)
    with pytest.raises(ValueError, match="candidate_nodes"):
        coverage_matrix(LINE, [99], [0], 100)
    with pytest.raises(ValueError, match="community node"):
        coverage_matrix(LINE, [0], [99], 100)
    with pytest.raises(ValueError, match="distance_m"):
        coverage_matrix(LINE, [0], [0], -1)
    with pytest.raises(ValueError, match="candidate_offsets_m"):
        coverage_matrix(LINE, [0], [0], 100, candidate_offsets_m=[1, 2])


# ---------------------------------------------------------------------------
# demand and the single-category solvers
# ---------------------------------------------------------------------------
def test_existing_coverage_is_not_a_gain() -> None:
    # an existing facility 120 m from A and 80 m from B (within 200 m);
    # C is 250 m away; D, E, F have none (inf / unknown NaN)
    current = np.array([120.0, 80.0, 250.0, np.inf, np.nan, np.inf])
    w = demand_weights(current, RESIDENTS, 200.0)
    np.testing.assert_array_equal(w, [0, 0, 1000, 1000, 1000, 1000])
    gain = coverage_gain(crafted_cover(), w)
    # s0: C, D, E; s1: C only (A, B already served); s2: D, E, F
    np.testing.assert_array_equal(gain, [3000, 1000, 3000])
    sol = exact_mclp(crafted_cover(), w, 2)
    assert sol.objective == 4000  # C + D + E + F, never A or B
    assert not sol.covered[[0, 1]].any() or sol.objective == w[sol.covered].sum()


def test_greedy_is_suboptimal_and_exact_finds_the_optimum() -> None:
    cover = crafted_cover()
    greedy = greedy_mclp(cover, RESIDENTS, 2)
    assert greedy.chosen.tolist() == [0, 1]  # s0 first, then s1 (tie with s2)
    assert greedy.objective == 5000
    exact = exact_mclp(cover, RESIDENTS, 2)
    assert exact.chosen.tolist() == [1, 2]
    assert exact.objective == 6000
    assert exact.status == "optimal"
    assert exact.method == "exact"
    assert exact.greedy_objective == 5000
    assert exact.gap_to_greedy == pytest.approx(1000 / 6000)
    assert exact.mip_gap is not None and exact.mip_gap <= 1e-6
    assert exact.parameters["k"] == 2


def test_greedy_ties_by_lowest_index_and_stops_when_nothing_to_gain() -> None:
    cover = sp.csr_matrix(np.array([[1, 0], [1, 0], [0, 0]], dtype=bool))
    sol = greedy_mclp(cover, [5.0, 7.0], 3)
    assert sol.chosen.tolist() == [0]
    assert sol.objective == 5.0
    exact = exact_mclp(cover, [5.0, 7.0], 3)
    assert exact.chosen.tolist() == [0] or exact.chosen.tolist() == [1]
    assert exact.chosen.size == 1  # no useless extra sites
    assert greedy_mclp(cover, [5.0, 7.0], 0).chosen.size == 0


def test_solver_input_errors() -> None:
    cover = crafted_cover()
    with pytest.raises(ValueError, match="weights"):
        greedy_mclp(cover, [1.0, 2.0], 1)
    with pytest.raises(ValueError, match="non-negative"):
        greedy_mclp(cover, -RESIDENTS, 1)
    with pytest.raises(ValueError, match="k must"):
        exact_mclp(cover, RESIDENTS, -1)
    with pytest.raises(ValueError, match="time_limit_s"):
        exact_mclp(cover, RESIDENTS, 1, time_limit_s=0)


def brute_force(cover: np.ndarray, w: np.ndarray, k: int) -> float:
    best = 0.0
    n = cover.shape[0]
    for size in range(min(k, n) + 1):
        for combo in itertools.combinations(range(n), size):
            covered = (
                cover[list(combo)].any(axis=0)
                if combo
                else np.zeros(cover.shape[1], bool)
            )
            best = max(best, float(w[covered].sum()))
    return best


instances = (
    st.integers(0, 100_000)
    .map(np.random.default_rng)
    .map(
        lambda rng: (
            rng.random((rng.integers(1, 7), rng.integers(1, 9)))
            < rng.uniform(0.1, 0.6),
            rng.integers(0, 20, 8).astype(float),
            int(rng.integers(0, 4)),
        )
    )
)


@settings(max_examples=60, deadline=None)
@given(instances)
def test_exact_at_least_greedy_and_equals_brute_force(instance) -> None:
    cover, w, k = instance
    w = w[: cover.shape[1]]
    greedy = greedy_mclp(sp.csr_matrix(cover), w, k)
    exact = exact_mclp(sp.csr_matrix(cover), w, k)
    assert exact.objective >= greedy.objective
    assert exact.objective == pytest.approx(brute_force(cover, w, k))
    assert exact.chosen.size <= k and greedy.chosen.size <= k
    # reported objectives are what the chosen sites really cover
    for sol in (greedy, exact):
        assert sol.objective == pytest.approx(
            w[cover[sol.chosen].any(axis=0)].sum() if sol.chosen.size else 0.0
        )


# ---------------------------------------------------------------------------
# several categories
# ---------------------------------------------------------------------------
def test_capacity_respected_in_multi_category() -> None:
    # one central site j=0 covers everybody for both categories; sites 1 and 2
    # each cover half of the second category's demand.
    covers = {
        "elderly_daycare": sp.csr_matrix(np.array([[1, 1], [0, 0], [0, 0]], bool)),
        "nursery": sp.csr_matrix(np.array([[1, 1], [1, 0], [0, 1]], bool)),
    }
    weights = {"elderly_daycare": [100.0, 100.0], "nursery": [50.0, 50.0]}
    for method in ("exact", "greedy"):
        one = multi_category_siting(covers, weights, 3, [1, 1, 1], method=method)
        # site 0 can host one facility: elderly there, nursery at sites 1 and 2
        assert one.chosen["elderly_daycare"].tolist() == [0]
        assert one.chosen["nursery"].tolist() == [1, 2]
        assert one.objective == 300.0
        two = multi_category_siting(covers, weights, 2, [2, 1, 1], method=method)
        assert two.chosen["elderly_daycare"].tolist() == [0]
        assert two.chosen["nursery"].tolist() == [0]
        for sol in (one, two):
            counts = np.zeros(3, int)
            for idx in sol.chosen.values():
                np.add.at(counts, idx, 1)
            assert np.all(counts <= ([1, 1, 1] if sol is one else [2, 1, 1]))


def test_multi_category_k_per_category_area_and_eligibility() -> None:
    covers = {
        "kindergarten": sp.csr_matrix(np.array([[1, 0], [0, 1]], bool)),
        "outdoor_fitness": sp.csr_matrix(np.array([[1, 1], [1, 1]], bool)),
    }
    weights = {"kindergarten": [10.0, 10.0], "outdoor_fitness": [1.0, 1.0]}
    area = [3600.0, 900.0]
    mins = {"kindergarten": 3500.0, "outdoor_fitness": 150.0}
    cap, elig = hosting_capacity(area, mins)
    np.testing.assert_array_equal(cap, [24, 6])  # floor(area / 150)
    np.testing.assert_array_equal(elig["kindergarten"], [True, False])
    sol = multi_category_siting(
        covers,
        weights,
        {"kindergarten": 2, "outdoor_fitness": 1},
        cap,
        eligible=elig,
        area_m2=area,
        min_area_m2=mins,
    )
    # site 1 (900 m2) cannot host a kindergarten; 3500 + 150 > 3600 on site 0
    assert sol.chosen["kindergarten"].tolist() == [0]
    assert sol.chosen["outdoor_fitness"].tolist() == [1]
    assert sol.category_objective == {"kindergarten": 10.0, "outdoor_fitness": 2.0}
    with pytest.raises(ValueError, match="unknown categories"):
        multi_category_siting(covers, weights, {"bank": 1}, cap)
    with pytest.raises(ValueError, match="together"):
        multi_category_siting(covers, weights, 1, cap, area_m2=area)


def test_embedded_complex_bonus() -> None:
    # Two candidates cover the same single community for four categories.
    # Site 0: 700 m2 floor area; site 1: 400 m2.  Without a bonus the cheapest
    # tie-break spreads nothing in particular; with a bonus the MILP stacks
    # three functions (>= 2 core) on site 0 and forms a 嵌入式服务综合体.
    cats = ["elderly_daycare", "nursery", "community_canteen", "health_station"]
    one = sp.csr_matrix(np.array([[1], [1]], bool))
    covers = dict.fromkeys(cats, one)
    weights = {c: [10.0] for c in cats}
    sol = multi_category_siting(
        covers, weights, 4, [4, 4], floor_area_m2=[700.0, 400.0], embedded_bonus=5.0
    )
    assert sol.embedded.tolist() == [0]
    assert sol.objective == 4 * 10.0 + 5.0
    hosted = sum(0 in v for v in sol.chosen.values())
    assert hosted >= 3
    # a 400 m2 site never counts as a complex
    small = multi_category_siting(
        covers, weights, 4, [4, 4], floor_area_m2=[400.0, 400.0], embedded_bonus=5.0
    )
    assert small.embedded.size == 0
    assert small.objective == 40.0
    # only one core function stacked: not a complex
    covers2 = {"elderly_daycare": one, "health_station": one, "community_shop": one}
    w2 = {c: [10.0] for c in covers2}
    sol2 = multi_category_siting(
        covers2, w2, 3, [3, 0], floor_area_m2=[800.0, 800.0], embedded_bonus=5.0
    )
    assert sol2.embedded.size == 0


# ---------------------------------------------------------------------------
# adapters and explanation
# ---------------------------------------------------------------------------
def line_candidates(consents=("granted", "unknown", "granted")) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "source": ["idle_land", "idle_land", "vacant_housing"],
            "code": ["s0", "s1", "s2"],
            "name": ["中间空地", "西侧边角地", "东侧公房"],
            "kind": ["vacant", "corner", "vacant_housing"],
            "owner": ["街道", "区国资", "public"],
            "consent": list(consents),
            "status": ["available"] * 3,
            "area_m2": [500.0, 300.0, 420.0],
            "area_basis": ["site", "site", "floor"],
        },
        geometry=[Point(300, 0), Point(100, 0), Point(500, 0)],
        crs=CRS,
    )


def test_explain_attributes_each_gain_to_the_nearest_site() -> None:
    cov = coverage_matrix(LINE, SITE_NODES, COMM_NODES, 200.0)
    comms = communities_table()
    sol = exact_mclp(cov.cover, RESIDENTS, 2)
    table = explain(sol, line_candidates(), comms, cov.cover, cov.distance_m)
    assert table["code"].tolist() == ["s1", "s2"]
    assert table["residents_gained"].sum() == sol.objective
    s1 = table.iloc[0]
    assert [g["community"] for g in s1["gains"]] == ["C0", "C1", "C2"]
    assert [g["walk_m"] for g in s1["gains"]] == [100.0, 0.0, 100.0]
    assert s1["kind"] == "corner" and s1["owner"] == "区国资"
    assert s1["area_m2"] == 300.0 and s1["consent"] == "unknown"
    assert s1["max_walk_m"] == 100.0


def test_rank_order_is_by_gain_then_candidate_among_the_eligible() -> None:
    gain = np.array([3.0, 5.0, 5.0, 0.0, 4.0])
    assert rank_order(gain).tolist() == [1, 2, 4, 0, 3]
    eligible = np.array([True, False, True, True, True])
    assert rank_order(gain, eligible).tolist() == [2, 4, 0, 3]
    assert rank_order(np.zeros(0)).tolist() == []


def test_residents_fall_back_to_households() -> None:
    comms = communities_table()
    comms.loc[0, "residents"] = np.nan  # 400 households * 2.5 = 1000
    comms.loc[1, ["residents", "households"]] = np.nan  # nothing known: 0
    got = community_residents(comms)
    assert got[0] == 1000 and got[1] == 0
    assert got[2:].tolist() == comms["residents"].iloc[2:].tolist()


def test_hosting_capacity_takes_a_minimum_per_candidate() -> None:
    """A plot is measured by the rule's site area, housing by its floor area."""
    area = np.array([700.0, 700.0, 100.0, np.nan])
    cap, elig = hosting_capacity(
        area, {"clinic": np.array([300.0, 200.0, 300.0, 300.0]), "shop": None}
    )
    assert cap.tolist() == [2, 3, 1, 1]  # 700 // 300, 700 // 200; shop fits anywhere
    assert elig["clinic"].tolist() == [True, True, False, False]
    with pytest.raises(ValueError, match="needs 4 non-negative areas"):
        hosting_capacity(area, {"clinic": np.array([1.0, 2.0])})
