"""Tests for the facility-community pairs found in the life circle's routing pass
(``life_circle(pair_categories=...)``, :class:`analysis.walkshed.pairs.PairSearch`).

On the small demo city: the distances are the same floats as without the pairs
(with the default routing limit, where only the 1000 m categories take their
column from the pairs, and with ``limit_per_category``, where every paired
category does); the pairs are the same as :func:`cost_pairs` of the same
facilities; the capacity-aware result built on them is the same as the one that
searches its own pairs; a category searched from the other side (more
facilities than access points) is routed, not derived.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import capacity as cap
from analysis.capacity.circle import _same_facilities
from analysis.network import NetworkEntry, build_network
from analysis.rules import load_ruleset
from analysis.walkshed import cost_pairs, life_circle
from analysis.walkshed.pairs import PairSearch
from geoapp.demo.generator import generate_city

REPO = Path(__file__).resolve().parents[2]
RULESET = REPO / "fixtures" / "rulesets" / "gb50180_2018.json"
SHARES = REPO / "fixtures" / "lifecircle" / "population_shares.json"


@pytest.fixture(scope="module")
def demo():
    city = generate_city(seed=42, scale="small")
    rs = load_ruleset(json.loads(RULESET.read_text(encoding="utf-8")))
    net = build_network(city.walk_segments)
    shares = cap.target_shares(
        json.loads(SHARES.read_text(encoding="utf-8")), dt.date(2026, 1, 1)
    )
    return city, rs, net, shares


def _bits(frame: pd.DataFrame) -> np.ndarray:
    return np.ascontiguousarray(frame.to_numpy(float)).view(np.uint64)


@pytest.mark.parametrize("limit_per_category", [False, True])
def test_distances_are_the_same_floats_with_the_pairs(demo, limit_per_category):
    city, rs, net, _ = demo
    kw = {"limit_per_category": limit_per_category}
    plain = life_circle(net, city.communities, city.amenities, rs, **kw)
    paired = life_circle(
        net,
        city.communities,
        city.amenities,
        rs,
        pair_categories=list(rs.capacity_codes),
        **kw,
    )
    assert plain.pairs is None
    assert paired.pairs is not None and paired.pairs.source.size > 1000
    np.testing.assert_array_equal(_bits(paired.distance_m), _bits(plain.distance_m))
    pd.testing.assert_frame_equal(paired.tiers_met, plain.tiers_met)
    pd.testing.assert_series_equal(paired.score, plain.score)
    # the categories that took their column from the pairs are really distances:
    # a 1000 m category has communities covered and communities not
    far = [c for c in rs.capacity_codes if plain.thresholds_m[c] == plain.limit_m]
    assert far
    for c in far:
        covered = paired.covered[c].to_numpy()
        assert covered.any() and not covered.all()


def test_pairs_are_cost_pairs_of_the_same_facilities(demo):
    city, rs, net, shares = demo
    base = life_circle(
        net,
        city.communities,
        city.amenities,
        rs,
        pair_categories=list(rs.capacity_codes),
    )
    p = base.pairs
    st = base.access
    ref = cost_pairs(
        net,
        p.entry,
        p.xy,
        st.ap_entry,
        st.ap_xy,
        base.thresholds_m.reindex(p.category).to_numpy(float),
        target_owner=st.ap_owner,
    )
    for got, want in zip((p.source, p.community, p.distance_m), ref, strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    # the capacity-aware result on them is the one that searches its own pairs
    own = dataclasses.replace(base, pairs=None)
    a = cap.capacity_circle(net, base, city.amenities, rs, shares=shares)
    b = cap.capacity_circle(net, own, city.amenities, rs, shares=shares)
    for name in ("accessibility", "ratio", "shortfall", "adequate", "served"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    pd.testing.assert_frame_equal(a.supply, b.supply)
    for code in a.categories:
        x, y = a._state[code].cost, b._state[code].cost
        np.testing.assert_array_equal(x.indptr, y.indptr)
        np.testing.assert_array_equal(x.indices, y.indices)
        np.testing.assert_array_equal(x.data, y.data)


def test_pairs_of_other_facilities_are_not_used(demo):
    city, rs, net, shares = demo
    base = life_circle(
        net,
        city.communities,
        city.amenities,
        rs,
        pair_categories=list(rs.capacity_codes),
    )
    p = base.pairs
    assert _same_facilities(p, p.entry, p.xy, p.category)
    # the same amenities moved by a metre: the stored pairs are not theirs
    moved = city.amenities.copy()
    moved["geometry"] = moved.geometry.translate(1.0, 0.0)
    assert not _same_facilities(p, p.entry, p.xy + [1.0, 0.0], p.category)
    a = cap.capacity_circle(net, base, moved, rs, shares=shares)
    b = cap.capacity_circle(
        net, dataclasses.replace(base, pairs=None), moved, rs, shares=shares
    )
    pd.testing.assert_frame_equal(a.ratio, b.ratio)
    code = "kindergarten"
    assert a._state[code].cost.nnz == b._state[code].cost.nnz


def test_nearest_refuses_sources_searched_from_the_other_side(demo):
    city, rs, net, _ = demo
    base = life_circle(net, city.communities, city.amenities, rs)
    st = base.access
    am = city.amenities
    xy = np.column_stack([am.geometry.x.to_numpy(), am.geometry.y.to_numpy()])
    snap = net.snap_points(xy)
    ok = np.flatnonzero(snap.reachable)
    # more sources than targets: the search runs from the access points
    search = PairSearch(
        net,
        NetworkEntry.from_snap(net, snap, ok),
        xy[ok],
        st.ap_entry.take(np.arange(10)),
        st.ap_xy[:10],
        300.0,
        target_owner=st.ap_owner[:10],
    )
    assert not search.from_sources.any()
    found = search.collect([search.run(b) for b in search.batches])
    with pytest.raises(ValueError, match="searched from"):
        search.nearest(found, np.arange(5), 300.0, int(st.ap_owner.max()) + 1)


def test_a_band_of_limits_gives_the_pairs_of_each_limit_searched_alone(demo):
    """300 and 500 m share their tiles' subgraphs (one region, one Dijkstra per
    limit): the pairs are the same floats as each limit's own search."""
    city, rs, net, _ = demo
    base = life_circle(
        net,
        city.communities,
        city.amenities,
        rs,
        pair_categories=list(rs.capacity_codes),
    )
    p, st = base.pairs, base.access
    lim = base.thresholds_m.reindex(p.category).to_numpy(float)
    assert {300.0, 500.0} <= set(lim.tolist())
    search = PairSearch(
        net, p.entry, p.xy, st.ap_entry, st.ap_xy, lim, target_owner=st.ap_owner
    )
    mixed = [job for job in search._jobs if np.unique(job[1]).size > 1]
    assert mixed  # some tiles hold both limits
    assert all(set(np.unique(job[1]).tolist()) <= {300.0, 500.0} for job in mixed)
    together = search.pairs(search.collect([search.run(b) for b in search.batches]))
    for value in np.unique(lim):
        rows = np.flatnonzero(lim == value)
        alone = cost_pairs(
            net,
            p.entry.take(rows),
            p.xy[rows],
            st.ap_entry,
            st.ap_xy,
            value,
            target_owner=st.ap_owner,
        )
        mine = np.isin(together[0], rows)
        np.testing.assert_array_equal(rows[alone[0]], together[0][mine])
        np.testing.assert_array_equal(alone[1], together[1][mine])
        np.testing.assert_array_equal(
            alone[2].view(np.uint64), together[2][mine].view(np.uint64)
        )
