"""Tests for analysis.bundling (连片改造: contiguous renovation blocks).

Cases the module must cover: a row split at the household ceiling; a component
below the floor; a community above the ceiling on its own; isolated communities
(no neighbour, neighbour across a barrier, neighbour in another street); group
boundaries; locked blocks; shared life-circle gaps; selection by mask and by ids;
string and integer ids; ``keep_small_components``; a star-shaped component the
spanning tree cannot split evenly; block outlines; bad inputs. Property tests
(hypothesis) on random grids of jittered rectangles check every invariant the
module docstring promises, plus determinism for a seed.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse import csgraph

from analysis.adjacency import community_adjacency
from analysis.bundling import (
    bundle_blocks,
    dissolve_blocks,
    partition_contiguous,
)

CRS = "EPSG:4549"


def _row(households, *, gap=10.0, width=100.0, ids=None, street=None):
    """Communities in one row, ``gap`` metres apart, left to right."""
    geoms, x = [], 0.0
    for _ in households:
        geoms.append(shapely.box(x, 0, x + width, 100))
        x += width + gap
    data = {"households": households}
    data["street_code"] = street if street is not None else ["S1"] * len(households)
    return gpd.GeoDataFrame(data, geometry=geoms, crs=CRS, index=ids)


# ---------------------------------------------------------------- hand-built


def test_row_split_at_ceiling():
    """
    Four communities in a row, 10 m streets, 400 households each; ceiling 1,000::

        [A 400][B 400][C 400][D 400]   ->   {A, B} {C, D}

    The whole row (1,600) exceeds the ceiling; the only cut that leaves both sides
    >= 300 and <= 1,000 is the middle one (800 + 800).
    """
    comms = _row([400] * 4, ids=list("ABCD"))
    res = bundle_blocks(comms, min_households=300, max_households=1000)
    assert res.labels.to_dict() == {"A": 0, "B": 0, "C": 1, "D": 1}
    assert res.blocks["households"].tolist() == [800, 800]
    assert res.blocks.loc[0, "members"] == ["A", "B"]
    assert res.unassigned.empty


def test_whole_component_kept_when_it_fits():
    """
    Three neighbours, 1,500 households in all (<= 3,000): one block, not split::

        [A 500][B 500][C 500]
    """
    comms = _row([500, 500, 500], ids=[10, 20, 30])
    res = bundle_blocks(comms)
    assert res.labels.tolist() == [0, 0, 0]
    assert res.blocks.loc[0, "n_communities"] == 3


def test_component_below_floor_isolated_and_too_big():
    """
    A-B below the floor (100 + 150 < 300); C is 60 m away (isolated);
    D holds more households than the ceiling on its own::

        [A 100][B 150]   60 m   [C 900]   60 m   [D 5000]
    """
    geoms = [
        shapely.box(0, 0, 100, 100),
        shapely.box(110, 0, 210, 100),
        shapely.box(270, 0, 370, 100),
        shapely.box(430, 0, 530, 100),
    ]
    comms = gpd.GeoDataFrame(
        {"households": [100, 150, 900, 5000], "street_code": "S1"},
        geometry=geoms,
        crs=CRS,
        index=list("ABCD"),
    )
    res = bundle_blocks(comms)
    assert (res.labels == -1).all()
    codes = res.unassigned["reason_code"].to_dict()
    assert codes == {
        "A": "component_below_floor",
        "B": "component_below_floor",
        "C": "isolated",
        "D": "exceeds_ceiling",
    }
    reasons = res.unassigned["reason"]
    assert "250 < 300" in reasons["A"]  # 100 + 150 households
    assert reasons["C"] == "isolated: no selected neighbour within 30 m"
    assert "5000 > 3000" in reasons["D"]

    kept = bundle_blocks(comms, keep_small_components=True)
    assert kept.labels["A"] == kept.labels["B"] == 0
    assert bool(kept.blocks.loc[0, "below_floor"])

    single = bundle_blocks(comms, min_communities=1)
    assert single.labels["C"] >= 0  # 900 households alone is a valid block
    assert single.blocks.loc[single.labels["C"], "members"] == ["C"]


def test_barrier_splits_what_would_join():
    """
    An arterial (|) in the 20 m street between B and C::

        [A 200][B 200] | [C 200][D 200]   ->   {A, B} {C, D}

    Without it the four would form one block of 800.
    """
    comms = _row([200] * 4, gap=20, ids=list("ABCD"))
    road = gpd.GeoSeries([shapely.LineString([(230, -50), (230, 150)])], crs=CRS)
    assert bundle_blocks(comms).labels.nunique() == 1
    res = bundle_blocks(comms, barriers=road)
    assert res.labels.to_dict() == {"A": 0, "B": 0, "C": 1, "D": 1}

    pair = _row([200, 200], gap=20, ids=["A", "B"])
    road = gpd.GeoSeries([shapely.LineString([(110, -50), (110, 150)])], crs=CRS)
    alone = bundle_blocks(pair, barriers=road)
    assert (
        alone.unassigned["reason"].tolist()
        == ["isolated: neighbours within 30 m are across a barrier"] * 2
    )


def test_blocks_never_cross_group_boundary():
    """
    Same row, B and C in different streets (街道)::

        S1: [A 200][B 200] | S2: [C 200][D 200]
    """
    comms = _row([200] * 4, ids=list("ABCD"), street=["S1", "S1", "S2", "S2"])
    res = bundle_blocks(comms, group_by="street_code")
    assert res.labels.to_dict() == {"A": 0, "B": 0, "C": 1, "D": 1}
    assert res.blocks["group"].tolist() == ["S1", "S2"]
    assert bundle_blocks(comms, group_by=None).labels.nunique() == 1

    lonely = _row([200, 200], ids=["A", "B"], street=["S1", "S2"])
    res = bundle_blocks(lonely)
    assert res.unassigned["reason"].iloc[0] == (
        "isolated: neighbours within 30 m are all in another street_code"
    )
    missing = _row([200, 200], ids=["A", "B"], street=["S1", None])
    res = bundle_blocks(missing)
    assert res.unassigned.loc["B", "reason_code"] == "missing_group"


def test_locked_block_survives_and_is_excluded():
    """
    A and B are locked as block 5; C, D, E are bundled; new ids start at 6::

        [A 200][B 200][C 200][D 200][E 200]
    """
    comms = _row([200] * 5, ids=list("ABCDE"))
    res = bundle_blocks(comms, locked={5: ["A", "B"]})
    assert res.labels.to_dict() == {"A": 5, "B": 5, "C": 6, "D": 6, "E": 6}
    assert bool(res.blocks.loc[5, "locked"])
    assert not bool(res.blocks.loc[6, "locked"])
    assert res.parameters["locked_blocks"] == [5]
    with pytest.raises(ValueError, match="locked in blocks"):
        bundle_blocks(comms, locked={1: ["A"], 2: ["A", "B"]})
    with pytest.raises(ValueError, match="unknown community"):
        bundle_blocks(comms, locked={1: ["Z"]})


def test_selection_by_mask_and_ids():
    """
    C is not selected, which cuts the row in two::

        [A 200][B 200]( C )[D 200][E 200]
    """
    comms = _row([200] * 5, ids=list("ABCDE"))
    by_ids = bundle_blocks(comms, selected=["A", "B", "D", "E"])
    by_mask = bundle_blocks(comms, selected=np.array([1, 1, 0, 1, 1], dtype=bool))
    expected = {"A": 0, "B": 0, "C": -1, "D": 1, "E": 1}
    assert by_ids.labels.to_dict() == expected
    assert by_mask.labels.to_dict() == expected
    assert "C" not in by_ids.unassigned.index  # not selected is not "unassigned"
    with pytest.raises(ValueError, match="not in communities"):
        bundle_blocks(comms, selected=["Q"])


def test_shared_gaps_and_totals():
    """
    Two neighbours; both lack a kindergarten, only A lacks a clinic::

        [A 300][B 400]
    """
    comms = _row([300, 400], ids=["A", "B"])
    comms["residents"] = [800, np.nan]
    comms["completion_year"] = [1985, 1996]
    comms["dangerous_c"] = [1, 2]
    comms["dangerous_d"] = [0, 1]
    profile = pd.DataFrame(
        {"kindergarten": [True, True], "clinic": [True, False]}, index=["A", "B"]
    )
    res = bundle_blocks(comms, gap_profile=profile)
    row = res.blocks.loc[0]
    assert row["households"] == 700
    assert row["residents"] == 800  # sum of the known values
    assert (row["completion_year_min"], row["completion_year_max"]) == (1985, 1996)
    assert row["dangerous_buildings"] == 4  # 1 + 2 + 0 + 1
    assert row["gaps_all"] == ["kindergarten"]
    assert row["gaps_most"] == ["kindergarten"]  # clinic: 1 of 2 is not "most"


def test_gap_profile_prefers_shared_gaps():
    """
    A 2×2 square of equal communities, 800 households each, ceiling 1,600:
    it must split into two pairs. Distances tie, so the gap profiles decide:
    A and C (left column) lack the same facilities::

        [C 800][D 800]
        [A 800][B 800]     ->   {A, C} {B, D}
    """
    geoms = [
        shapely.box(0, 0, 100, 100),
        shapely.box(110, 0, 210, 100),
        shapely.box(0, 110, 100, 210),
        shapely.box(110, 110, 210, 210),
    ]
    comms = gpd.GeoDataFrame(
        {"households": 800, "street_code": "S"},
        geometry=geoms,
        crs=CRS,
        index=list("ABCD"),
    )
    profile = pd.DataFrame(
        {"k": [True, False, True, False], "e": [True, False, True, False]},
        index=list("ABCD"),
    )
    res = bundle_blocks(comms, max_households=1600, gap_profile=profile, gap_weight=0.9)
    assert res.labels["A"] == res.labels["C"]
    assert res.labels["B"] == res.labels["D"]
    assert res.labels["A"] != res.labels["B"]


def test_star_component_left_overs_join_blocks():
    """
    A hub H with six small spokes (100 each) and ceiling 500. No single tree
    cut leaves both sides >= 300, so spokes are cut off as left-overs and then
    attached to blocks with room; every block stays within 300–500::

             s1  s2
        s6 -- H(200) -- s3
             s5  s4
    """
    n = 7
    rows = [0] * 6 + list(range(1, 7))
    cols = list(range(1, 7)) + [0] * 6
    adj = sparse.csr_matrix((np.ones(12, dtype=bool), (rows, cols)), shape=(n, n))
    weights = np.array([200, 100, 100, 100, 100, 100, 100], dtype=float)
    feats = np.vstack([[0, 0], np.column_stack([np.cos(t := np.arange(6)), np.sin(t)])])
    part = partition_contiguous(adj, weights, feats, min_weight=300, max_weight=500)
    for b in np.unique(part.labels[part.labels >= 0]):
        members = np.flatnonzero(part.labels == b)
        assert 300 <= weights[members].sum() <= 500
        assert csgraph.connected_components(adj[members][:, members])[0] == 1
    assert set(part.reasons[part.labels < 0]) <= {"no_room"}
    # 800 households, ceiling 500, hub in one block: spokes elsewhere are isolated
    assert (part.labels >= 0).sum() == 4  # hub + 3 spokes = 500


def test_dissolve_blocks_outline():
    """
    Two blocks of two; outlines close the 10 m streets between members::

        [A][B]  50 m  [C][D]
    """
    geoms = [
        shapely.box(0, 0, 100, 100),
        shapely.box(110, 0, 210, 100),
        shapely.box(260, 0, 360, 100),
        shapely.box(370, 0, 470, 100),
    ]
    comms = gpd.GeoDataFrame(
        {"households": 200, "street_code": "S"},
        geometry=geoms,
        crs=CRS,
        index=list("ABCD"),
    )
    res = bundle_blocks(comms)
    outlines = dissolve_blocks(comms, res.labels)
    assert list(outlines.index) == [0, 1]
    assert outlines.crs == comms.crs
    assert outlines.is_valid.all()
    assert (outlines.geom_type == "Polygon").all()  # one piece per block
    for b, shape in outlines.geometry.items():
        members = comms.loc[res.labels == b].geometry
        assert shapely.covers(shape.buffer(1e-6), members.union_all())
        # roughly the members plus the 10 m street between them
        assert shape.area == pytest.approx(210 * 100, rel=0.02)


def test_rejects_bad_inputs():
    comms = _row([200, 200])
    with pytest.raises(ValueError, match="geographic"):
        bundle_blocks(comms.set_crs("EPSG:4326", allow_override=True))
    with pytest.raises(ValueError, match="households"):
        bundle_blocks(comms.drop(columns="households"))
    with pytest.raises(ValueError, match="group_by"):
        bundle_blocks(comms, group_by="district_code")
    with pytest.raises(ValueError, match="min_households"):
        bundle_blocks(comms, min_households=500, max_households=400)
    bad = comms.copy()
    bad.loc[0, "households"] = np.nan
    with pytest.raises(ValueError, match="households missing"):
        bundle_blocks(bad)
    assert bundle_blocks(bad, selected=[1]).unassigned.index.tolist() == [1]


def test_empty_input():
    comms = _row([200]).iloc[:0]
    res = bundle_blocks(comms)
    assert res.labels.empty
    assert res.blocks.empty
    assert res.unassigned.empty


# -------------------------------------------------------------- properties


@st.composite
def layouts(draw):
    """A grid of jittered rectangles with random street widths and households."""
    n_rows = draw(st.integers(1, 5))
    n_cols = draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    cell = 100.0
    # street width to the right of / above each cell: some below, some above 30 m
    xgap = rng.choice([0.0, 8.0, 20.0, 45.0], size=n_cols)
    ygap = rng.choice([0.0, 8.0, 20.0, 45.0], size=n_rows)
    xs = np.concatenate([[0.0], np.cumsum(cell + xgap)])
    ys = np.concatenate([[0.0], np.cumsum(cell + ygap)])
    geoms, streets = [], []
    split = int(rng.integers(0, n_cols + 1))
    for r in range(n_rows):
        for c in range(n_cols):
            j = rng.uniform(0, 3, size=4)  # shrink each side by up to 3 m
            geoms.append(
                shapely.box(
                    xs[c] + j[0], ys[r] + j[1], xs[c] + cell - j[2], ys[r] + cell - j[3]
                )
            )
            streets.append("W" if c < split else "E")
    n = len(geoms)
    comms = gpd.GeoDataFrame(
        {
            "households": rng.integers(20, 1800, size=n),
            "residents": rng.integers(50, 4000, size=n),
            "street_code": streets,
        },
        geometry=geoms,
        crs=CRS,
        index=[f"c{k}" for k in rng.permutation(n)],
    )
    barriers = None
    if draw(st.booleans()) and n_cols > 1:
        k = int(rng.integers(1, n_cols))
        x = xs[k] - xgap[k - 1] / 2
        barriers = gpd.GeoSeries(
            [shapely.LineString([(x, -10), (x, ys[-1] + 10)])], crs=CRS
        )
    selected = rng.random(n) < 0.85
    return comms, barriers, selected


params = st.fixed_dictionaries(
    {
        "min_households": st.sampled_from([0, 300, 600]),
        "max_households": st.sampled_from([1800, 3000]),
        "min_communities": st.sampled_from([1, 2]),
        "max_communities": st.sampled_from([None, 2, 4]),
        "group_by": st.sampled_from(["street_code", None]),
        "seed": st.integers(0, 3),
    }
)


def _check_invariants(comms, barriers, selected, res, p, locked_ids=()):
    labels = res.labels
    assert labels.index.equals(comms.index)
    # each community in at most one block, and the table agrees with the labels
    members = [m for ms in res.blocks["members"] for m in ms]
    assert len(members) == len(set(members))
    assert set(members) == set(labels.index[labels >= 0])
    for b, ms in res.blocks["members"].items():
        assert (labels[ms] == b).all()
    # unassigned = selected, unlocked and not in a block, each with a reason
    todo = pd.Series(selected, index=comms.index) & ~comms.index.isin(locked_ids)
    expected = set(comms.index[todo & (labels < 0)])
    assert set(res.unassigned.index) == expected
    assert (res.unassigned["reason"].str.len() > 0).all()
    assert not (labels[~selected & ~comms.index.isin(locked_ids)] >= 0).any()
    adj = community_adjacency(comms, gap_m=30.0, barriers=barriers)
    for b, row in res.blocks.iterrows():
        if row["locked"]:
            continue
        pos = comms.index.get_indexer(row["members"])
        # contiguous under the adjacency
        sub = adj.matrix[pos][:, pos]
        assert csgraph.connected_components(sub, directed=False)[0] == 1, b
        # group boundaries
        if p["group_by"]:
            assert comms.iloc[pos][p["group_by"]].nunique() == 1
        # size constraints
        h = comms.iloc[pos]["households"].sum()
        assert h <= p["max_households"]
        if not row["below_floor"]:
            assert h >= p["min_households"]
            assert len(pos) >= p["min_communities"]
        if p["max_communities"] is not None:
            assert len(pos) <= p["max_communities"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=layouts(), p=params)
def test_property_invariants(layout, p):
    comms, barriers, selected = layout
    if p["max_communities"] is not None and p["max_communities"] < p["min_communities"]:
        return
    res = bundle_blocks(comms, gap_m=30.0, barriers=barriers, selected=selected, **p)
    _check_invariants(comms, barriers, selected, res, p)
    again = bundle_blocks(comms, gap_m=30.0, barriers=barriers, selected=selected, **p)
    pd.testing.assert_series_equal(res.labels, again.labels)
    outlines = dissolve_blocks(comms, res.labels)
    assert outlines.is_valid.all()
    assert len(outlines) == len(res.blocks)


@settings(max_examples=60, deadline=None)
@given(layout=layouts(), p=params, data=st.data())
def test_property_locked_blocks_survive(layout, p, data):
    comms, barriers, selected = layout
    if p["max_communities"] is not None and p["max_communities"] < p["min_communities"]:
        return
    k = data.draw(st.integers(1, min(3, len(comms))))
    locked_ids = list(comms.index[:k])
    res = bundle_blocks(
        comms,
        gap_m=30.0,
        barriers=barriers,
        selected=selected,
        locked={9: locked_ids},
        **p,
    )
    assert (res.labels[locked_ids] == 9).all()
    assert (res.labels.drop(locked_ids) != 9).all()
    assert res.blocks.loc[9, "members"] == locked_ids
    assert (res.blocks.drop(9).index > 9).all()
    _check_invariants(comms, barriers, selected, res, p, locked_ids)


@settings(max_examples=40, deadline=None)
@given(layout=layouts())
def test_property_barrier_never_joins(layout):
    """Adding barriers only removes neighbour pairs, never adds them."""
    comms, barriers, _ = layout
    if barriers is None:
        return
    free = community_adjacency(comms, gap_m=30.0)
    cut = community_adjacency(comms, gap_m=30.0, barriers=barriers)
    assert (cut.matrix > free.matrix).nnz == 0
    assert (cut.matrix + cut.blocked != free.matrix).nnz == 0


def test_partition_contiguous_validates_inputs():
    adj = sparse.csr_matrix(np.array([[0, 1], [1, 0]], dtype=bool))
    feats = np.zeros((2, 2))
    with pytest.raises(ValueError, match="must agree"):
        partition_contiguous(adj, [1.0], feats, min_weight=0, max_weight=5)
    with pytest.raises(ValueError, match=">= 0"):
        partition_contiguous(adj, [1.0, -1.0], feats, min_weight=0, max_weight=5)
    with pytest.raises(ValueError, match="min_weight <= max_weight"):
        partition_contiguous(adj, [1.0, 1.0], feats, min_weight=6, max_weight=5)
    with pytest.raises(ValueError, match="min_count <= max_count"):
        partition_contiguous(
            adj, [1.0, 1.0], feats, min_weight=0, max_weight=5, min_count=3, max_count=2
        )
    # a one-sided adjacency with a self-loop is symmetrised and cleaned
    one_sided = sparse.csr_matrix(np.array([[1, 1], [0, 0]], dtype=bool))
    part = partition_contiguous(
        one_sided, [1.0, 1.0], feats, min_weight=2, max_weight=5
    )
    assert part.labels.tolist() == [0, 0]


def test_group_none_and_parameters_are_json_ready():
    import json

    comms = _row([200, 200], ids=["A", "B"])
    res = bundle_blocks(comms, group_by=None)
    assert res.blocks.loc[0, "group"] is None
    json.dumps(res.parameters)  # storable in AnalysisRun.parameters
    assert res.parameters["min_households"] == 300  # LIFECIRCLE.md 居住街坊 floor
    assert res.parameters["max_households"] == 3000
