"""Tests for analysis.walkshed: the multi-source core and the life-circle adapter.

Cases: offsets on sources; the routing limit; facility and community on the same
edge; hand-computed distances, coverage, cumulative tiers, missing lists,
scores and residents aggregates on a straight road; the strict 800 m variant;
unreachable amenities and communities; a river with one bridge (covered by
straight line, not by the network); property tests against networkx; what-if
equals a full recomputation.
"""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_array
from shapely.geometry import LineString, Point, box

from analysis.network import WalkNetwork, build_network
from analysis.rules import RuleSet, load_ruleset
from analysis.walkshed import life_circle, nearest_distance, what_if

CRS = "EPSG:4549"


@pytest.fixture
def rs() -> RuleSet:
    return load_ruleset(
        {
            "name": "test",
            "version": 1,
            "tiers": [
                {"minutes": 5, "distance_m": 300},
                {"minutes": 10, "distance_m": 500},
                {"minutes": 15, "distance_m": 1000, "strict_distance_m": 800},
            ],
            "categories": [
                {"code": "k", "tier_minutes": 5, "required": True},
                {
                    "code": "g",
                    "tier_minutes": 5,
                    "required": True,
                    "service_radius_m": 70,
                },
                {"code": "n", "tier_minutes": 5, "required": False},
                {"code": "p", "tier_minutes": 10, "required": True},
                {"code": "m", "tier_minutes": 15, "required": True},
            ],
        }
    )


def _road(x_max: int = 1200, step: int = 100) -> WalkNetwork:
    lines = [LineString([(x, 0), (x + step, 0)]) for x in range(0, x_max, step)]
    return build_network(gpd.GeoDataFrame(geometry=lines, crs=CRS))


def _communities(rows: list[tuple[str, float, float, str, int]]) -> gpd.GeoDataFrame:
    """Communities as small boxes north of the road with one entrance each."""
    return gpd.GeoDataFrame(
        {
            "code": [r[0] for r in rows],
            "street_code": [r[3] for r in rows],
            "district_code": ["d1"] * len(rows),
            "residents": [r[4] for r in rows],
            "entrances": gpd.GeoSeries([Point(r[1], r[2]) for r in rows], crs=CRS),
        },
        geometry=[box(r[1] - 10, r[2], r[1] + 10, r[2] + 30) for r in rows],
        crs=CRS,
    )


def _amenities(rows: list[tuple[str, float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": [f"a{i}" for i in range(len(rows))], "category": [r[0] for r in rows]},
        geometry=[Point(r[1], r[2]) for r in rows],
        crs=CRS,
    )


# ------------------------------------------------------------------------- core
def test_nearest_distance_offsets_and_limit() -> None:
    """Path 0 --100-- 1 --100-- 2 --100-- 3.

    Sources: node 0 with offset 5 and node 3 with offset 0.
    """
    csr = csr_array(
        (
            [100.0] * 6,
            ([0, 1, 1, 2, 2, 3], [1, 0, 2, 1, 3, 2]),
        ),
        shape=(4, 4),
    )
    d = nearest_distance(csr, [0, 3], offsets_m=[5.0, 0.0])
    assert d.tolist() == [5.0, 105.0, 100.0, 0.0]  # node 1: min(5+100, 0+200)
    d = nearest_distance(csr, [0, 3], 102.0, offsets_m=[5.0, 0.0])
    assert d.tolist() == [5.0, math.inf, 100.0, 0.0]  # node 1: 105 > 102
    d = nearest_distance(csr, [0, 3], 50.0)
    assert d.tolist() == [0.0, math.inf, math.inf, 0.0]
    assert np.isinf(nearest_distance(csr, [])).all()
    with pytest.raises(ValueError, match="node ids"):
        nearest_distance(csr, [4])
    with pytest.raises(ValueError, match="non-negative"):
        nearest_distance(csr, [0], offsets_m=[-1.0])
    with pytest.raises(ValueError, match="2 sources"):
        nearest_distance(csr, [0, 1], offsets_m=[1.0])


def _random_graph(
    data: st.DataObject,
) -> tuple[int, list[tuple[int, int, float]], csr_array]:
    n = data.draw(st.integers(1, 14), label="n")
    edges = data.draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.integers(0, n - 1),
                st.floats(0.0, 500.0, allow_nan=False),
            ),
            max_size=40,
        ),
        label="edges",
    )
    best: dict[tuple[int, int], float] = {}
    for u, v, w in edges:
        if u == v:
            continue
        key = (min(u, v), max(u, v))
        best[key] = min(best.get(key, math.inf), w)
    rows = [u for (u, v) in best] + [v for (u, v) in best]
    cols = [v for (u, v) in best] + [u for (u, v) in best]
    wts = list(best.values()) * 2
    csr = csr_array((wts, (rows, cols)), shape=(n, n))
    return n, [(u, v, w) for (u, v), w in best.items()], csr


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_multi_source_matches_networkx(data: st.DataObject) -> None:
    n, edges, csr = _random_graph(data)
    sources = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=5))
    limit = data.draw(st.one_of(st.just(math.inf), st.floats(0.0, 1500.0)))
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(edges)
    cutoff = None if math.isinf(limit) else limit
    expected = nx.multi_source_dijkstra_path_length(g, set(sources), cutoff=cutoff)
    got = nearest_distance(csr, sources, limit)
    for node in range(n):
        assert got[node] == pytest.approx(expected.get(node, math.inf))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_offsets_match_networkx_super_source(data: st.DataObject) -> None:
    n, edges, csr = _random_graph(data)
    sources = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=5))
    offsets = data.draw(
        st.lists(st.floats(0.0, 300.0), min_size=len(sources), max_size=len(sources))
    )
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(edges)
    # networkx reference: a super source "s" joined to each source by its offset
    # (a DiGraph so that paths cannot pass through "s").
    dg = g.to_directed()
    for s, o in zip(sources, offsets):
        w = min(o, dg.edges["s", s]["weight"]) if dg.has_edge("s", s) else o
        dg.add_edge("s", s, weight=w)
    expected = nx.single_source_dijkstra_path_length(dg, "s")
    got = nearest_distance(csr, sources, offsets_m=offsets)
    for node in range(n):
        assert got[node] == pytest.approx(expected.get(node, math.inf))


# --------------------------------------------------------------------- adapter
@pytest.fixture
def road_case(rs: RuleSet) -> tuple[WalkNetwork, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A straight road with 100 m edges; entrances 20 m north, facilities 10 m south.

    ::

        C1(100,20)        C3(400,20)          C2(700,20)                  y=20
        ===0===100===200===300===400===500===600===700===...===1200===    y=0
                  g150    k350  g400        p600   g700          m1200    y=-10
                                                         k(5000,5000) off-network

    Every distance = 20 (entrance offset) + along the road + 10 (facility offset).
    """
    net = _road()
    comm = _communities(
        [
            ("C1", 100, 20, "s1", 1000),
            ("C2", 700, 20, "s1", 2000),
            ("C3", 400, 20, "s2", 500),
            ("C4", 3000, 3000, "s3", 100),  # 3000 m from the road: unreachable
        ]
    )
    am = _amenities(
        [
            ("k", 350, -10),
            ("g", 150, -10),
            ("g", 400, -10),
            ("g", 700, -10),
            ("p", 600, -10),
            ("m", 1200, -10),
            ("k", 5000, 5000),
            ("zz", 0, 0),  # not a rule-set category: ignored
        ]
    )
    return net, comm, am


def test_life_circle_hand_computed(
    rs: RuleSet,
    road_case: tuple[WalkNetwork, gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> None:
    net, comm, am = road_case
    r = life_circle(net, comm, am, rs)
    d = r.distance_m
    assert r.mode == "network"
    assert not r.straight_line
    assert list(d.columns) == ["k", "g", "n", "p", "m"]
    # C1: k 20+250+10; g 20+50+10; p 20+500+10; m 20+1100+10 > 1000 limit
    assert d.loc["C1"].tolist() == [280.0, 80.0, math.inf, 530.0, math.inf]
    # C2: k 20+350+10; g 20+0+10; p 20+100+10; m 20+500+10
    assert d.loc["C2"].tolist() == [380.0, 30.0, math.inf, 130.0, 530.0]
    # C3: k 20+50+10; g 20+0+10; p 20+200+10; m 20+800+10
    assert d.loc["C3"].tolist() == [80.0, 30.0, math.inf, 230.0, 830.0]
    assert np.isinf(d.loc["C4"]).all()

    cov = r.covered
    assert cov.loc["C1"].tolist() == [True, False, False, False, False]
    assert cov.loc["C2"].tolist() == [False, True, False, True, True]
    assert cov.loc["C3"].tolist() == [True, True, False, True, True]

    # walk_tier: smallest tier whose distance covers (300/500/1000)
    assert r.walk_tier.loc["C2", "k"] == 10  # 380 m
    assert r.walk_tier.loc["C3", "m"] == 15  # 830 m
    assert np.isnan(r.walk_tier.loc["C1", "m"])

    # Cumulative tiers: C2's kindergarten at 380 m (< 1000 m) still fails 15 min.
    assert r.tiers_met.loc["C2"].tolist() == [False, False, False]
    assert r.missing.loc["C2", 15] == ("k",)
    assert r.tiers_met.loc["C3"].tolist() == [True, True, True]
    assert r.missing.loc["C1", 5] == ("g",)
    assert r.missing.loc["C1", 10] == ("g", "p")
    assert r.missing.loc["C1", 15] == ("g", "p", "m")
    assert r.missing.loc["C3", 15] == ()

    # Score: covered required / 4 required (k, g, p, m); n is optional.
    assert r.score.to_dict() == {"C1": 25.0, "C2": 75.0, "C3": 100.0, "C4": 0.0}

    s1 = r.by_street.loc["s1"]
    assert s1["residents"] == 3000
    assert s1["communities"] == 2
    assert s1["residents_tier_15min"] == 0
    assert s1["residents_lacking_k"] == 2000  # C2
    assert s1["residents_lacking_g"] == 1000  # C1
    assert s1["mean_score"] == pytest.approx((25 * 1000 + 75 * 2000) / 3000)
    assert r.by_street.loc["s2", "share_tier_15min"] == 1.0
    dist1 = r.by_district.loc["d1"]
    assert dist1["residents"] == 3600
    assert dist1["residents_tier_5min"] == 500  # C3 only

    ua = r.unreachable_amenities
    assert ua["code"].tolist() == ["a6"]
    assert ua["distance_to_network_m"].iloc[0] == pytest.approx(
        math.hypot(5000 - 1200, 5000)
    )
    uc = r.unreachable_communities
    assert uc["code"].tolist() == ["C4"]
    assert uc["distance_to_network_m"].iloc[0] == pytest.approx(
        math.hypot(3000 - 1200, 3000)
    )
    assert r.parameters["ignored_categories"] == ["zz"]
    assert r.parameters["limit_m"] == 1000.0
    assert r.thresholds_m.to_dict() == {
        "k": 300.0,
        "g": 70.0,
        "n": 300.0,
        "p": 500.0,
        "m": 1000.0,
    }


def test_strict_variant(
    rs: RuleSet,
    road_case: tuple[WalkNetwork, gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> None:
    net, comm, am = road_case
    r = life_circle(net, comm, am, rs, strict=True)
    # C3's secondary school at 830 m fails the 800 m strict 15-min tier only.
    assert r.tiers_met.loc["C3"].tolist() == [True, True, False]
    assert r.limit_m == 800.0
    assert math.isinf(r.distance_m.loc["C3", "m"])


def test_limit_per_category_same_coverage(
    rs: RuleSet,
    road_case: tuple[WalkNetwork, gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> None:
    net, comm, am = road_case
    full = life_circle(net, comm, am, rs)
    fast = life_circle(net, comm, am, rs, limit_per_category=True)
    pd.testing.assert_frame_equal(full.covered, fast.covered)
    pd.testing.assert_series_equal(full.score, fast.score)
    assert math.isinf(fast.distance_m.loc["C2", "k"])  # 380 m > 300 m threshold
    assert full.distance_m.loc["C2", "k"] == 380.0


def test_categories_subset_and_unknown(
    rs: RuleSet,
    road_case: tuple[WalkNetwork, gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> None:
    net, comm, am = road_case
    r = life_circle(net, comm, am, rs, categories=["p"])
    assert list(r.distance_m.columns) == ["p"]
    assert r.tiers_met.loc["C1"].tolist() == [True, False, False]
    with pytest.raises(ValueError, match="Unknown categories"):
        life_circle(net, comm, am, rs, categories=["nope"])
    with pytest.raises(ValueError, match="category"):
        life_circle(net, comm, am.drop(columns="category"), rs)


def test_same_edge_direct_distance(rs: RuleSet) -> None:
    """Community and facility on one 1000 m edge, no node in between.

    ::

        (0,0)=================================(1000,0)
                     C(400,20)
                          k(500,-10)

    Direct: 20 + 100 + 10 = 130; via an end node it would be at least 20+400+500+10.
    """
    net = build_network(
        gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1000, 0)])], crs=CRS)
    )
    comm = _communities([("C", 400, 20, "s", 1)])
    r = life_circle(net, comm, _amenities([("k", 500, -10)]), rs, categories=["k"])
    assert r.distance_m.loc["C", "k"] == pytest.approx(130.0)


def test_river_with_one_bridge(rs: RuleSet) -> None:
    """A community across the river: covered by straight line, not by the network.

    ::

        north bank  (0,250)=====================(1000,250)
                      C(50,260)                      ||
        ~~~~~~~~~~~~~~~~~~~ river ~~~~~~~~~~~~~~~~~~~ || bridge (1000,0)-(1000,250)
                      k(50,-10)                      ||
        south bank  (0,0)=======================(1000,0)

    Straight line C→k: 270 m < 300 m. Network: 10 + 950 + 250 + 950 + 10 = 2170 m.
    """
    net = build_network(
        gpd.GeoDataFrame(
            geometry=[
                LineString([(0, 250), (1000, 250)]),
                LineString([(1000, 250), (1000, 0)]),
                LineString([(1000, 0), (0, 0)]),
            ],
            crs=CRS,
        )
    )
    comm = _communities([("C", 50, 260, "s", 100)])
    am = _amenities([("k", 50, -10)])
    by_net = life_circle(net, comm, am, rs, categories=["k"])
    by_line = life_circle(None, comm, am, rs, categories=["k"])
    assert by_line.straight_line
    assert by_line.parameters["mode"] == "straight_line"
    assert by_line.distance_m.loc["C", "k"] == pytest.approx(270.0)
    assert bool(by_line.covered.loc["C", "k"])
    assert math.isinf(by_net.distance_m.loc["C", "k"])  # 2170 m > 1000 m limit
    assert not bool(by_net.covered.loc["C", "k"])
    # With a limit of 3 000 m (speed mode 15 min × 200 m/min) the detour is finite.
    far = life_circle(net, comm, am, rs, categories=["k"], speed_m_per_min=200.0)
    assert far.distance_m.loc["C", "k"] == pytest.approx(2170.0)


def test_crs_checks(rs: RuleSet) -> None:
    net = _road()
    comm = _communities([("C", 100, 20, "s", 1)])
    am = _amenities([("k", 100, -10)]).to_crs(3857)
    with pytest.raises(ValueError, match="CRS mismatch"):
        life_circle(net, comm, am, rs)
    with pytest.raises(ValueError, match="geographic"):
        life_circle(None, comm.to_crs(4326), am.to_crs(4326), rs)


# ---------------------------------------------------------------------- what-if
def _grid_case(
    seed: int,
) -> tuple[WalkNetwork, gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    rng = np.random.default_rng(seed)
    n, step = 12, 100.0
    xy = np.stack(np.meshgrid(np.arange(n), np.arange(n), indexing="ij"), -1) * step
    xy = xy + rng.uniform(-15, 15, xy.shape)
    lines = []
    for i in range(n):
        for j in range(n):
            if i + 1 < n and rng.random() > 0.1:
                lines.append(LineString([xy[i, j], xy[i + 1, j]]))
            if j + 1 < n and rng.random() > 0.1:
                lines.append(LineString([xy[i, j], xy[i, j + 1]]))
    net = build_network(gpd.GeoDataFrame(geometry=lines, crs=CRS))
    cx, cy = rng.uniform(0, 1100, (2, 25))
    comm = gpd.GeoDataFrame(
        {
            "code": [f"C{i}" for i in range(25)],
            "street_code": rng.choice(["s1", "s2", "s3"], 25),
            "district_code": "d",
            "residents": rng.integers(100, 3000, 25),
        },
        geometry=[box(x, y, x + 40, y + 30) for x, y in zip(cx, cy)],
        crs=CRS,
    )
    cats = ["k", "g", "n", "p", "m"]
    am = gpd.GeoDataFrame(
        {"code": [f"a{i}" for i in range(30)], "category": rng.choice(cats, 30)},
        geometry=gpd.points_from_xy(*rng.uniform(-50, 1150, (2, 30))),
        crs=CRS,
    )
    added = gpd.GeoDataFrame(
        {"code": ["new1", "new2", "new3"], "category": ["k", "k", "m"]},
        geometry=gpd.points_from_xy(*rng.uniform(0, 1100, (2, 3))),
        crs=CRS,
    )
    return net, comm, am, added


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("network_mode", [True, False])
@pytest.mark.parametrize("per_category", [False, True])
def test_what_if_equals_full_recompute(
    rs: RuleSet, seed: int, network_mode: bool, per_category: bool
) -> None:
    net, comm, am, added = _grid_case(seed)
    network = net if network_mode else None
    opts = {"limit_per_category": per_category}
    base = life_circle(network, comm, am, rs, **opts)
    quick = what_if(base, network, comm, added, rs)
    both = pd.concat([am, added], ignore_index=True)
    full = life_circle(network, comm, both, rs, **opts)
    pd.testing.assert_frame_equal(quick.distance_m, full.distance_m, rtol=1e-9)
    pd.testing.assert_frame_equal(quick.tiers_met, full.tiers_met)
    pd.testing.assert_series_equal(quick.score, full.score)
    pd.testing.assert_frame_equal(quick.by_street, full.by_street)
    assert quick.parameters["what_if"] == [{"added": 3, "categories": ["k", "m"]}]
    # only k and m may change
    same = ["g", "n", "p"]
    pd.testing.assert_frame_equal(quick.distance_m[same], base.distance_m[same])


def test_what_if_validation(rs: RuleSet) -> None:
    net, comm, am, added = _grid_case(0)
    base = life_circle(net, comm, am, rs, categories=["k"])
    with pytest.raises(ValueError, match="not analysed"):
        what_if(base, net, comm, added, rs)
    with pytest.raises(ValueError, match="mode"):
        what_if(base, None, comm, added.iloc[:1], rs)
    with pytest.raises(ValueError, match="do not match"):
        what_if(base, net, comm.iloc[:3], added.iloc[:1], rs)


def test_parallel_routing_gives_the_same_result(rs: RuleSet, monkeypatch) -> None:
    """Categories routed in forked workers: identical distances, in the right columns."""
    import analysis.walkshed as walkshed

    lines = [LineString([(x, 0), (x + 50, 0)]) for x in range(0, 3000, 50)]
    lines += [LineString([(x, 0), (x, 50)]) for x in range(0, 3000, 250)]
    net = build_network(gpd.GeoDataFrame(geometry=lines, crs=CRS))
    comm = _communities(
        [(f"c{i}", 100.0 + 290 * i, 20.0, "s1", 100 + i) for i in range(10)]
    )
    am = _amenities(
        [("k", 150, 5), ("k", 2600, 5), ("g", 900, 3), ("p", 1500, 0)]
        + [("m", x, 2) for x in (0, 1200, 2900)]
        + [("n", 400, 40)]
    )
    serial = life_circle(net, comm, am, rs, workers=1)
    monkeypatch.setattr(walkshed.circle, "_PARALLEL_MIN_WORK", 0)
    parallel = life_circle(net, comm, am, rs, workers=2)
    pd.testing.assert_frame_equal(serial.distance_m, parallel.distance_m)
    pd.testing.assert_frame_equal(serial.tiers_met, parallel.tiers_met)
    # and the answer is the hand-checkable one: c0 at x=100 → kindergarten at 150
    assert serial.distance_m.at["c0", "k"] == pytest.approx(20 + 50 + 5)
