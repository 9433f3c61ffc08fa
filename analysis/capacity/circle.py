"""The capacity-aware life circle of every community, and the what-if of new facilities with their capacity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.capacity.evaluate import _evaluate
from analysis.capacity.result import CapacityResult
from analysis.capacity.supply import facility_supply
from analysis.network import (
    MIN_COMPONENT_NODES,
    NetworkEntry,
    WalkNetwork,
    check_metric_crs,
)
from analysis.rules import RuleSet
from analysis.walkshed import (
    FacilityPairs,
    LifeCircleResult,
    cost_pairs,
)


# ---------------------------------------------------------------------- adapters
def capacity_circle(
    network: WalkNetwork | None,
    base: LifeCircleResult,
    amenities: gpd.GeoDataFrame,
    ruleset: RuleSet,
    *,
    shares: Mapping[str, Any] | None,
    categories: Sequence[str] | None = None,
    workers: int = 1,
) -> CapacityResult:
    """Supply against demand within the walk, for every category with a standard.

    Parameters
    ----------
    network
        The walk network of ``base`` (``None``: a straight-line base, which
        this analysis refuses).
    base
        The distance-only life circle of the same communities: its access
        points, residents, districts, thresholds and snap limit are used.
    amenities
        Facility points with ``category``, ``code`` and optional ``capacity``
        and ``floor_area_m2``.
    ruleset
        The rule set of ``base`` (standards and decay).
    shares
        Target-group shares in force (:func:`target_shares`).
    categories
        Restrict to these categories (default: every category of ``base`` with
        a capacity standard).
    workers
        Processes for the pair search (:func:`~analysis.walkshed.cost_pairs`).

    Returns
    -------
    CapacityResult
        Ratios, shortfalls and the capacity-aware gaps.

    Raises
    ------
    ValueError
        On a straight-line base, a geographic CRS or missing shares.

    Notes
    -----
    One :func:`~analysis.walkshed.cost_pairs` call gives every
    (facility, community) pair within the facility's catchment for all
    categories at once; then :func:`e2sfca` per category. When ``base`` was
    computed with ``pair_categories`` and holds the pairs of exactly these
    facilities (``base.pairs``), they are used instead (the same pairs).
    """
    if network is None or base.straight_line or base.access.ap_entry is None:
        msg = "the capacity-aware life circle needs the walk network (not straight lines)."
        raise ValueError(msg)
    if not isinstance(amenities, gpd.GeoDataFrame):
        msg = "amenities must be a GeoDataFrame."
        raise TypeError(msg)
    check_metric_crs(amenities.crs, "amenities")
    analysed = list(base.distance_m.columns)
    cats = [
        c
        for c in (categories if categories is not None else ruleset.capacity_codes)
        if c in analysed and ruleset.rule(c).capacity is not None
    ]
    am_cat = amenities["category"].astype(str).to_numpy()
    # a hash lookup per amenity (np.isin compares object arrays by sorting them)
    use = np.flatnonzero(pd.Series(am_cat).isin(cats).to_numpy())
    sel = amenities.iloc[use]
    codes = (
        sel["code"].astype(str).to_numpy()
        if "code" in sel.columns
        else sel.index.astype(str).to_numpy()
    )
    xy = np.column_stack(
        [sel.geometry.x.to_numpy(float), sel.geometry.y.to_numpy(float)]
    )
    snap = network.snap_points(xy, **_snap_kw(base))
    ok = np.flatnonzero(snap.reachable)
    sup = facility_supply(sel, ruleset)
    fac_cat = am_cat[use]
    thresholds = base.thresholds_m
    st = base.access
    assert st.ap_entry is not None  # checked above: network mode
    src = NetworkEntry.from_snap(network, snap, ok)
    given = base.pairs
    if given is not None and _same_facilities(given, src, xy[ok], fac_cat[ok]):
        # found by the life circle's routing pass (pair_categories)
        pairs = (given.source, given.community, given.distance_m)
    else:
        pairs = cost_pairs(
            network,
            src,
            xy[ok],
            st.ap_entry,
            st.ap_xy,
            thresholds.reindex(fac_cat[ok]).to_numpy(float),
            target_owner=st.ap_owner,
            workers=workers,
        )
    facility = {
        "code": codes[ok],
        "category": fac_cat[ok],
        "supply": sup["supply"].to_numpy(float)[ok],
        "unit": sup["unit"].to_numpy()[ok],
        "basis": sup["basis"].to_numpy()[ok],
        "note": sup["note"].to_numpy()[ok],
    }
    return _evaluate(base, ruleset, cats, facility, pairs, shares, extra={})


def capacity_what_if(
    base: CapacityResult,
    lifecircle: LifeCircleResult,
    network: WalkNetwork,
    added: gpd.GeoDataFrame,
    ruleset: RuleSet,
    *,
    shares: Mapping[str, Any] | None,
) -> CapacityResult:
    """Ratios and shortfalls after adding facilities (with their capacity).

    Parameters
    ----------
    base
        A result of :func:`capacity_circle` (or an earlier what-if).
    lifecircle
        The distance-only result ``base`` was computed from.
    network
        Its walk network.
    added
        New facilities: ``category``, optional ``code``, ``capacity``,
        ``floor_area_m2`` (else the standard's size, :func:`facility_supply`).
    ruleset, shares
        As for :func:`capacity_circle`.

    Returns
    -------
    CapacityResult
        The new result; categories without a standard are left as they were.

    Notes
    -----
    Only the new facilities are routed (:func:`~analysis.walkshed.cost_pairs`);
    their rows are appended to the category's cost matrix and :func:`e2sfca`
    recomputed for the categories added to (the others are the base's), which
    equals a full recomputation.
    """
    check_metric_crs(added.crs, "added")
    cats = [c for c in dict.fromkeys(added["category"].astype(str)) if c in base._state]
    rows = np.flatnonzero(added["category"].astype(str).isin(cats).to_numpy())
    sel = added.iloc[rows]
    codes = (
        sel["code"].astype(str).to_numpy()
        if "code" in sel.columns
        else np.array([f"new-{k + 1}" for k in range(len(sel))], dtype=object)
    )
    xy = np.column_stack(
        [sel.geometry.x.to_numpy(float), sel.geometry.y.to_numpy(float)]
    )
    snap = network.snap_points(xy, **_snap_kw(lifecircle))
    ok = np.flatnonzero(snap.reachable)
    sup = facility_supply(sel, ruleset)
    cat = sel["category"].astype(str).to_numpy()
    st = lifecircle.access
    if st.ap_entry is None:
        msg = "a capacity what-if needs the walk network (not straight lines)."
        raise ValueError(msg)
    s, c, d = cost_pairs(
        network,
        NetworkEntry.from_snap(network, snap, ok),
        xy[ok],
        st.ap_entry,
        st.ap_xy,
        lifecircle.thresholds_m.reindex(cat[ok]).to_numpy(float),
        target_owner=st.ap_owner,
    )
    old = base.supply
    new = {
        "code": codes[ok],
        "category": cat[ok],
        "supply": sup["supply"].to_numpy(float)[ok],
        "unit": sup["unit"].to_numpy()[ok],
        "basis": sup["basis"].to_numpy()[ok],
        "note": sup["note"].to_numpy()[ok],
    }
    facility = {k: np.concatenate([old[k].to_numpy(), v]) for k, v in new.items()}
    # the old pairs of the categories added to, rebuilt from their cost matrices,
    # then the new ones; the other categories are the base's (reuse)
    parts_s, parts_c, parts_d = [], [], []
    old_cat = old["category"].to_numpy()
    for code, cs in base._state.items():
        if code not in cats:
            continue
        rows_of = np.flatnonzero(old_cat == code)
        coo = cs.cost.tocoo()
        parts_s.append(rows_of[coo.row])
        parts_c.append(coo.col.astype(np.int64))
        parts_d.append(np.asarray(coo.data, float))
    parts_s.append(s + len(old))
    parts_c.append(c)
    parts_d.append(d)
    pairs = (np.concatenate(parts_s), np.concatenate(parts_c), np.concatenate(parts_d))
    previous = list(base.parameters.get("what_if", []))
    previous.append({"added": int(len(sel)), "categories": cats})
    return _evaluate(
        lifecircle,
        ruleset,
        list(base.categories),
        facility,
        pairs,
        shares,
        extra={"what_if": previous},
        reuse=base,
        changed=frozenset(cats),
    )


def _same_facilities(
    given: FacilityPairs, entry: NetworkEntry, xy: np.ndarray, category: np.ndarray
) -> bool:
    """Whether the life circle's pairs are of exactly these facilities (same
    points, categories and network entries, in the same order)."""
    if len(given.entry) != len(entry):
        return False
    same = np.array_equal(given.xy, xy) and np.array_equal(
        given.category.astype(str), category.astype(str)
    )
    return same and all(
        np.array_equal(getattr(given.entry, f), getattr(entry, f))
        for f in ("u", "v", "cost_u", "cost_v", "edge", "along", "offset")
    )


def _snap_kw(base: LifeCircleResult) -> dict[str, Any]:
    """Snap as the life circle did (its limit, its island threshold)."""
    return {
        "max_distance_m": base.parameters["snap_limit_m"],
        "min_component_nodes": base.parameters.get(
            "min_component_nodes", MIN_COMPONENT_NODES
        ),
    }
