"""Tests for analysis.capacity: the capacity-aware life circle (E2SFCA).

Cases: the decay shapes; a hand-built case (two communities, one small and one
large facility) worked out by hand, on a cost matrix and on a real street line;
the cost pairs equal the life circle's nearest distances; facility supply from
attributes, floor area and the standard, with its source; target-group shares
in force by date, per district, with a default; the same ratios as PySAL
``access``'s E2SFCA on the same cost matrix, supply and demand (1e-9) on the demo
city, on the Beijing OSM extract and on the real Ningbo schools and hospitals;
a what-if with a 60-place kindergarten lowers each shortfall by what the method
predicts.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from access import Access, weights
from shapely.geometry import LineString, Point, box

from analysis import capacity as cap
from analysis.network import build_network
from analysis.rules import DistanceDecay, load_ruleset
from analysis.walkshed import life_circle
from geoapp.demo.generator import generate_city

REPO = Path(__file__).resolve().parents[2]
RULESET = REPO / "fixtures" / "rulesets" / "gb50180_2018.json"
SHARES = REPO / "fixtures" / "lifecircle" / "population_shares.json"
SHARED = REPO.parent / "shared" / "data"
CRS = "EPSG:4549"
LUO_QI = DistanceDecay(
    "step", ((0.333333, 1.0), (0.666667, 0.68), (1.0, 0.22)), None, "test"
)


def _rules(extra_standards=None, **capacity):
    """The hand-built rule set: the kindergartens sized (``capacity`` overrides their
    standard), ``extra_standards`` other categories' standards by code."""
    return load_ruleset(
        {
            "name": "hand",
            "tiers": [
                {"minutes": 5, "distance_m": 300},
                {"minutes": 10, "distance_m": 500},
                {"minutes": 15, "distance_m": 1000},
            ],
            "categories": [
                {"code": "kindergarten", "tier_minutes": 5, "required": True},
                {"code": "market", "tier_minutes": 10, "required": True},
            ],
            "distance_decay": {
                "kind": "step",
                "steps": [[0.333333, 1.0], [0.666667, 0.68], [1.0, 0.22]],
            },
            "capacity_standards": {
                "kindergarten": {
                    "unit": "places",
                    "per_1000": 100,
                    "target_group": "children_3_5",
                    "m2_per_unit": 10,
                    "service_population": 500,
                    **capacity,
                },
                **(extra_standards or {}),
            },
        }
    )


SHARES_HAND = {
    "versions": [
        {
            "id": "hand",
            "effective_from": "2020-01-01",
            "effective_to": None,
            "default": {"children_3_5": 0.05},
            "districts": {},
        }
    ]
}


def test_decay_shapes():
    d = np.array([0.0, 80.0, 150.0, 250.0, 300.0, 301.0])
    assert cap.decay_weights(d, 300, LUO_QI).tolist() == [1, 1, 0.68, 0.22, 0.22, 0]
    none = DistanceDecay("none")
    assert cap.decay_weights(d, 300, none).tolist() == [1, 1, 1, 1, 1, 0]
    gauss = DistanceDecay("gaussian", ((1.0, 1.0),), 0.5)
    # exp(-d² / (2 (0.5 · 300)²)): 1 at 0, e^-0.5 at 150 m
    w = cap.decay_weights(d, 300, gauss)
    assert w[0] == 1 and w[2] == pytest.approx(np.exp(-0.5)) and w[-1] == 0


def test_hand_built_cost_matrix():
    """Two communities A (1 000 children) and B (3 000), a small kindergarten s
    (60 places) and a large one L (300 places); catchment 300 m, zones 1 / 0.68 /
    0.22 at 100 / 200 / 300 m; standard 100 places per 1 000 children::

        A --80 m-- s        A --250 m-- L --50 m-- B        (B to s: 380 m, out)

    By hand: R_s = 60 / (1 · 1000) = 0.06; R_L = 300 / (0.22 · 1000 + 1 · 3000)
    = 15/161; A_A = 0.06 + 0.22 · 15/161 = 0.0804969; A_B = 15/161 = 0.0931677;
    ratios 0.804969 and 0.931677; shortfalls (0.1 - A) · P = 19.503 and 20.497
    places, 40 in all = the 400 places needed minus the 360 supplied.
    """
    cost = sp.csr_array(np.array([[80.0, 0.0], [250.0, 50.0]]))
    cost = sp.csr_array(
        (np.array([80.0, 250.0, 50.0]), np.array([0, 0, 1]), np.array([0, 1, 3])),
        shape=(2, 2),
    )
    res = cap.e2sfca(cost, [60, 300], [1000, 3000], 300, LUO_QI)
    r_l = 300 / (0.22 * 1000 + 3000)
    assert res.facility_ratio.tolist() == pytest.approx([0.06, r_l], abs=1e-15)
    assert res.accessibility == pytest.approx([0.06 + 0.22 * r_l, r_l], abs=1e-15)
    assert res.accessibility[0] == pytest.approx(0.0804969, abs=1e-7)
    assert res.accessibility[1] == pytest.approx(0.0931677, abs=1e-7)
    short = (0.1 - res.accessibility) * np.array([1000, 3000])
    assert short == pytest.approx([19.503106, 20.496894], abs=1e-6)
    assert short.sum() == pytest.approx(40.0, abs=1e-12)


def _street_city():
    """The hand-built case on a real street: a straight road along y = 0 in two
    segments, the community entrances and the kindergartens on it (offset 0)::

        s(x=20)  A(x=100)        L(x=350) B(x=400)
        ---------------------|-----------------------   (node at x = 300)
    """
    x0, y0 = 600_000.0, 3_300_000.0
    streets = gpd.GeoDataFrame(
        {"code": ["w1", "w2"]},
        geometry=[
            LineString([(x0 - 500, y0), (x0 + 300, y0)]),
            LineString([(x0 + 300, y0), (x0 + 1500, y0)]),
        ],
        crs=CRS,
    )
    comm = gpd.GeoDataFrame(
        {
            "code": ["A", "B"],
            "residents": [20_000, 60_000],  # × 0.05 = 1 000 and 3 000 children
            "district_code": ["d1", "d1"],
        },
        geometry=[
            box(x0 + 80, y0 + 10, x0 + 120, y0 + 50),
            box(x0 + 380, y0 + 10, x0 + 420, y0 + 50),
        ],
        crs=CRS,
    )
    comm["entrances"] = gpd.GeoSeries(
        [Point(x0 + 100, y0), Point(x0 + 400, y0)], crs=CRS
    )
    amen = gpd.GeoDataFrame(
        {
            "code": ["s", "L", "m"],
            "category": ["kindergarten", "kindergarten", "market"],
            "capacity": [60, 300, None],
        },
        geometry=[Point(x0 + 20, y0), Point(x0 + 350, y0), Point(x0 + 100, y0)],
        crs=CRS,
    )
    return build_network(streets), comm, amen


def test_hand_built_on_a_street():
    net, comm, amen = _street_city()
    rs = _rules()
    base = life_circle(net, comm, amen, rs)
    shares = cap.target_shares(SHARES_HAND, dt.date(2026, 1, 1))
    res = cap.capacity_circle(net, base, amen, rs, shares=shares)
    assert res.categories == ("kindergarten",)  # market has no standard
    r_l = 300 / (0.22 * 1000 + 3000)
    assert res.demand["kindergarten"].tolist() == pytest.approx([1000, 3000])
    assert res.accessibility["kindergarten"].tolist() == pytest.approx(
        [0.06 + 0.22 * r_l, r_l], abs=1e-12
    )
    assert res.ratio["kindergarten"].tolist() == pytest.approx(
        [0.804969, 0.931677], abs=1e-6
    )
    assert res.shortfall["kindergarten"].sum() == pytest.approx(40.0, abs=1e-9)
    # both are within reach, neither has enough: the capacity-aware gaps say so
    assert base.covered["kindergarten"].all()
    assert not res.adequate["kindergarten"].any()
    assert res.missing.loc["A", 5] == ("kindergarten",)
    assert base.missing.loc["A", 5] == ()
    d = res.by_district.loc["d1"]
    assert d["share_adequate_kindergarten"] == 0
    assert d["shortfall_kindergarten"] == pytest.approx(40.0)
    assert set(res.supply["basis"]) == {"attribute"}


def _kindergarten_what_if(rs):
    """The street city's life circle and capacity under ``rs``, and the what-if of a
    60-place kindergarten k at x = 380 m: (net, comm, amen, added, shares, before,
    after)."""
    net, comm, amen = _street_city()
    base = life_circle(net, comm, amen, rs)
    shares = cap.target_shares(SHARES_HAND, dt.date(2026, 1, 1))
    before = cap.capacity_circle(net, base, amen, rs, shares=shares)
    x0, y0 = 600_000.0, 3_300_000.0
    added = gpd.GeoDataFrame(
        {"code": ["k"], "category": ["kindergarten"], "capacity": [60]},
        geometry=[Point(x0 + 380, y0)],
        crs=CRS,
    )
    after = cap.capacity_what_if(before, base, net, added, rs, shares=shares)
    return net, comm, amen, added, shares, before, after


def test_what_if_60_places_lowers_the_shortfall_as_predicted():
    """A 60-place kindergarten k at x = 380 (B at 20 m, A at 280 m): R_k =
    60 / (0.22 · 1000 + 1 · 3000); every other R_j is unchanged, so A_i rises by
    W_ik R_k, the 60 places are shared out (sum_i P_i W_ik R_k = 60) and each
    shortfall falls by min(shortfall, P_i W_ik R_k): A by 4.10 places, B by all
    of its 20.50 (B gets 55.9 places' worth and is then over-served)."""
    rs = _rules()
    net, comm, amen, added, shares, before, after = _kindergarten_what_if(rs)
    p = np.array([1000.0, 3000.0])
    w = np.array([0.22, 1.0])  # 280 m and 20 m
    r_k = 60 / (w @ p)
    gain = p * w * r_k
    assert gain.sum() == pytest.approx(60.0, abs=1e-9)
    rise = after.accessibility["kindergarten"] - before.accessibility["kindergarten"]
    assert (rise.to_numpy() * p) == pytest.approx(gain, abs=1e-9)
    short = before.shortfall["kindergarten"].to_numpy()
    drop = short - after.shortfall["kindergarten"].to_numpy()
    assert drop == pytest.approx(np.minimum(short, gain), abs=1e-9)
    assert drop == pytest.approx([4.099379, 20.496894], abs=1e-6)
    assert after.adequate.loc["B", "kindergarten"]
    # the same as a full recomputation with the kindergarten in the data
    full_am = pd.concat([amen, added], ignore_index=True)
    full = cap.capacity_circle(
        net, life_circle(net, comm, full_am, rs), full_am, rs, shares=shares
    )
    assert after.shortfall["kindergarten"].to_numpy() == pytest.approx(
        full.shortfall["kindergarten"].to_numpy(), abs=1e-12
    )
    assert after.parameters["what_if"] == [{"added": 1, "categories": ["kindergarten"]}]


def test_what_if_recomputes_the_category_added_to_and_keeps_the_others_exactly():
    """With two categories sized (kindergarten, market), a what-if adding a
    kindergarten recomputes the kindergartens and takes the markets from the base:
    every table equals a full recomputation with the kindergarten in the data, to
    the last bit."""
    rs = _rules(
        {"market": {"unit": "m2", "per_1000": 50, "service_population": 20_000}}
    )
    net, comm, amen, added, shares, before, after = _kindergarten_what_if(rs)
    assert set(before.categories) == {"kindergarten", "market"}
    full_am = pd.concat([amen, added], ignore_index=True)
    full = cap.capacity_circle(
        net, life_circle(net, comm, full_am, rs), full_am, rs, shares=shares
    )
    for name in ("demand", "accessibility", "ratio", "shortfall", "adequate"):
        pd.testing.assert_frame_equal(getattr(after, name), getattr(full, name))
    pd.testing.assert_series_equal(after.score, full.score)
    pd.testing.assert_frame_equal(after.missing, full.missing)
    pd.testing.assert_frame_equal(after.by_district, full.by_district)
    pd.testing.assert_frame_equal(
        after.supply[["code", "category", "supply", "ratio", "idle"]],
        full.supply[["code", "category", "supply", "ratio", "idle"]],
    )
    # the markets are the base's, unchanged; the kindergartens moved
    pd.testing.assert_series_equal(after.ratio["market"], before.ratio["market"])
    assert not after.ratio["kindergarten"].equals(before.ratio["kindergarten"])


def test_supply_from_attribute_floor_area_and_standard():
    rs = _rules()
    am = pd.DataFrame(
        {
            "category": ["kindergarten"] * 3 + ["market"],
            "capacity": [120, None, None, None],
            "floor_area_m2": [5000.0, 2400.0, None, 900.0],
        }
    )
    sup = cap.facility_supply(am, rs)
    assert sup["supply"].iloc[:3].tolist() == [120, 240, 50]  # 2400/10, 500·0.1
    assert sup["basis"].iloc[:3].tolist() == ["attribute", "floor_area", "standard"]
    assert "10 m²" in sup["note"].iloc[1] and "500" in sup["note"].iloc[2]
    assert np.isnan(sup["supply"].iloc[3])  # market: no standard


def test_target_shares_by_date_and_district():
    data = json.loads(SHARES.read_text(encoding="utf-8"))
    v = cap.target_shares(data, dt.date(2026, 1, 1))
    assert v["id"] == "census-2020"
    rs = load_ruleset(json.loads(RULESET.read_text(encoding="utf-8")))
    std = rs.rule("elderly_daycare").capacity
    demand, share = cap.community_demand(
        [1000, 1000, np.nan], ["330203", "999999", "330203"], std, v
    )
    assert share.tolist() == [
        v["districts"]["330203"]["age_60_plus"],
        v["default"]["age_60_plus"],
        v["districts"]["330203"]["age_60_plus"],
    ]
    assert demand[2] == 0
    with pytest.raises(ValueError, match="in force"):
        cap.target_shares(data, dt.date(2019, 1, 1))


def test_fixture_ruleset_parses_capacity():
    rs = load_ruleset(json.loads(RULESET.read_text(encoding="utf-8")))
    assert "kindergarten" in rs.capacity_codes
    assert rs.rule("bus_stop").capacity is None
    assert rs.distance_decay.kind == "step"
    with pytest.raises(ValueError, match="unit"):
        _rules(unit="litres")
    with pytest.raises(ValueError, match="unknown categories"):
        load_ruleset(
            {
                **json.loads(RULESET.read_text(encoding="utf-8")),
                "capacity_standards": {"nope": {"unit": "m2", "per_1000": 1}},
            }
        )


# ----------------------------------------------------------- PySAL reference
def _pysal(state, decay: DistanceDecay) -> np.ndarray:
    """PySAL access's E2SFCA on the same cost matrix, supply and demand."""
    coo = state.cost.tocoo()
    cost = pd.DataFrame({"origin": coo.col, "dest": coo.row, "cost": coo.data})
    demand = pd.DataFrame({"geoid": np.arange(state.demand.size), "p": state.demand})
    supply = pd.DataFrame({"geoid": np.arange(state.supply.size), "s": state.supply})
    d0 = state.catchment_m
    fn = weights.step_fn({f * d0: w for f, w in decay.steps})
    acc = Access(
        demand_df=demand,
        demand_index="geoid",
        demand_value="p",
        supply_df=supply,
        supply_index="geoid",
        supply_value="s",
        cost_df=cost,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    out = acc.enhanced_two_stage_fca(max_cost=d0, weight_fn=fn)
    # access leaves communities without a facility in reach out (NaN): ours is 0
    return out.iloc[:, 0].reindex(np.arange(state.demand.size)).fillna(0).to_numpy()


def _compare(res, decay, min_pairs=1):
    checked = 0
    for code in res.categories:
        st = res._state[code]
        # access divides by zero where a facility has demand-free pairs only
        reached = np.diff(st.cost.indptr) > 0
        assert ((st.cost @ st.demand) > 0)[reached].all()
        if st.cost.nnz < min_pairs:
            continue
        ref = _pysal(st, decay)
        mine = res.accessibility[code].to_numpy()
        np.testing.assert_allclose(mine, ref, rtol=1e-9, atol=1e-12)
        checked += 1
    return checked


@pytest.fixture(scope="module")
def demo():
    city = generate_city(seed=42, scale="small")
    rs = load_ruleset(json.loads(RULESET.read_text(encoding="utf-8")))
    net = build_network(city.walk_segments)
    base = life_circle(net, city.communities, city.amenities, rs)
    shares = cap.target_shares(
        json.loads(SHARES.read_text(encoding="utf-8")), dt.date(2026, 1, 1)
    )
    return city, rs, net, base, shares


def test_pairs_equal_the_life_circle_distances(demo):
    city, rs, net, base, shares = demo
    res = cap.capacity_circle(net, base, city.amenities, rs, shares=shares)
    for code in res.categories:
        st = res._state[code]
        best = np.full(st.cost.shape[1], np.inf)
        coo = st.cost.tocoo()
        np.minimum.at(best, coo.col, coo.data)
        ref = base.distance_m[code].to_numpy()
        ref = np.where(ref <= base.thresholds_m[code], ref, np.inf)
        np.testing.assert_allclose(best, ref, rtol=0, atol=1e-9)


def test_same_as_pysal_access_on_the_demo_city(demo):
    city, rs, net, base, shares = demo
    res = cap.capacity_circle(net, base, city.amenities, rs, shares=shares)
    assert _compare(res, rs.distance_decay) == len(rs.capacity_codes)
    # the supply of every facility with demand in reach is used exactly:
    # sum_i W(d_ij) P_i R_j = S_j
    st = res._state["kindergarten"]
    r = res.supply.loc[res.supply["category"] == "kindergarten", "ratio"].to_numpy()
    w = cap.decay_weights(st.cost.data, st.catchment_m, rs.distance_decay)
    wm = sp.csr_array((w, st.cost.indices, st.cost.indptr), shape=st.cost.shape)
    used = (wm @ st.demand) > 0
    np.testing.assert_allclose(
        ((wm @ st.demand) * r)[used], st.supply[used], rtol=1e-12
    )
    assert (r[~used] == 0).all()


@pytest.fixture
def beijing():
    path = SHARED / "beijing_haidian_osm" / "beijing_haidian_osm.gpkg"
    if not path.exists():
        pytest.skip("../shared/data is not beside the checkout")
    crs = "EPSG:4548"  # CGCS2000 3-degree zone CM 117E (Beijing)
    edges = gpd.read_file(path, layer="walk_edges").to_crs(crs)
    areas = gpd.read_file(path, layer="residential_areas").to_crs(crs)
    pois = gpd.read_file(path, layer="poi_points").to_crs(crs)
    return edges, areas, pois


def test_same_as_pysal_access_on_the_beijing_extract(beijing):
    edges, areas, pois = beijing
    net = build_network(gpd.GeoDataFrame(geometry=edges.geometry, crs=edges.crs))
    comm = areas[areas.geom_type == "Polygon"].reset_index(drop=True)
    comm = gpd.GeoDataFrame(
        {
            "code": [f"bj{k}" for k in range(len(comm))],
            # a dense compound: 0.04 residents per m² of its area (an assumption)
            "residents": np.round(comm.area.to_numpy() * 0.04),
            "district_code": "110108",
        },
        geometry=comm.geometry.to_numpy(),
        crs=comm.crs,
    )
    kinds = {
        "kindergarten": "kindergarten",
        "school": "primary_school",
        "hospital": "health_center",
        "marketplace": "market",
        "social_centre": "culture_station",
    }
    tag = pois["amenity"].map(kinds)
    tag = tag.where(tag.notna(), pois["shop"].map({"supermarket": "market"}))
    am = pois[tag.notna()].copy()
    am = gpd.GeoDataFrame(
        {"code": [f"poi{k}" for k in range(len(am))], "category": tag[tag.notna()]},
        geometry=am.geometry.to_numpy(),
        crs=am.crs,
    )
    rs = load_ruleset(json.loads(RULESET.read_text(encoding="utf-8")))
    base = life_circle(net, comm, am, rs)
    shares = cap.target_shares(
        json.loads(SHARES.read_text(encoding="utf-8")), dt.date(2026, 1, 1)
    )
    res = cap.capacity_circle(net, base, am, rs, shares=shares)
    checked = _compare(res, rs.distance_decay, min_pairs=2)
    assert checked >= 3, res.parameters["categories"]
    assert (res.accessibility > 0).to_numpy().sum() >= 10


def test_same_as_pysal_access_with_real_ningbo_facilities(demo):
    """Real OSM schools and hospitals of central Ningbo on the demo city's
    network (the demo city is central Ningbo), sized from their footprints."""
    path = SHARED / "ningbo_osm_facilities"
    if not path.exists():
        pytest.skip("../shared/data is not beside the checkout")
    city, rs, net, _base, shares = demo
    frames = []
    for name, category in (
        ("schools", "primary_school"),
        ("hospitals", "health_center"),
    ):
        f = gpd.read_file(path / f"{name}.geojson").to_crs(CRS)
        f = f[f["in_central_bbox"]]
        frames.append(
            gpd.GeoDataFrame(
                {
                    "code": [f"{name}{k}" for k in range(len(f))],
                    "category": category,
                    # footprint area as floor area: places = area / m² per place
                    "floor_area_m2": f.area.to_numpy(),
                },
                geometry=f.geometry.representative_point().to_numpy(),
                crs=CRS,
            )
        )
    am = pd.concat(frames, ignore_index=True)
    base = life_circle(net, city.communities, am, rs)
    res = cap.capacity_circle(
        net, base, am, rs, shares=shares, categories=["primary_school", "health_center"]
    )
    assert set(res.categories) == {"primary_school", "health_center"}
    assert _compare(res, rs.distance_decay, min_pairs=10) == 2
    assert (res.supply["basis"] == "floor_area").all()
