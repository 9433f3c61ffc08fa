"""Enough service, not only a service nearby: the capacity-aware life circle (E2SFCA).

The distance-only life circle (:mod:`analysis.walkshed`) asks 有没有: is
a facility of the category within the tier distance? This module asks 够不够:
is there enough of it for the residents who share it?

Method: the enhanced two-step floating catchment area (E2SFCA; Luo & Qi 2009),
per category, over the walk network. With ``d_ij`` the walking distance from
community ``i`` to facility ``j`` (the same distance as the life circle's,
:func:`~analysis.walkshed.cost_pairs`), ``d0`` the catchment (the
category's threshold, i.e. its tier distance or service radius), ``W`` the
distance decay of the rule set (:class:`~analysis.rules.DistanceDecay`),
``S_j`` the facility's supply (places, beds or m², :func:`facility_supply`) and
``P_i`` the community's demand (residents, or its target group,
:func:`community_demand`)::

    step 1   R_j = S_j / sum_{i : d_ij <= d0} W(d_ij) P_i
    step 2   A_i = sum_{j : d_ij <= d0} W(d_ij) R_j

``A_i`` is the supply per person of demand that community ``i`` can count on.
Against the standard's ``s* = per_1000 / 1000`` units per person::

    ratio_i     = A_i / s*                      (>= 1: enough for the residents)
    shortfall_i = max(0, s* P_i - A_i P_i)      (places, beds or m²)

Every unit of supply is shared out: ``sum_i W(d_ij) P_i R_j = S_j`` for each
facility with demand in its catchment, so a new facility of ``S`` places
raises the communities it reaches by ``P_i W(d_ik) S / sum_i W(d_ik) P_i`` and
leaves every other ``R_j`` unchanged (demand does not move). A facility with no
demand in reach keeps its supply idle (``R_j = 0``, reported). A community with
no facility in reach has ``A_i = 0``.

Array core
    :func:`decay_weights`, :func:`e2sfca` (a sparse facility × community
    distance matrix, supply and demand in; ratios out).

Adapters
    :func:`facility_supply`, :func:`target_shares`, :func:`community_demand`,
    :func:`capacity_circle` (the life circle's network, communities and
    amenities in, :class:`CapacityResult` out) and :func:`capacity_what_if`.

Assumptions (README, "Capacity-aware life circle"): residents choose among
the facilities in reach in proportion to the decay, not by price, quality or
catchment rules (school districts); a facility's supply is used only by the
analysed communities; the target-group share of a community is its district's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from analysis.eligibility import select_in_force
from analysis.network import (
    MIN_COMPONENT_NODES,
    NetworkEntry,
    WalkNetwork,
    check_metric_crs,
)
from analysis.rules import CapacityStandard, DistanceDecay, RuleSet
from analysis.walkshed import (
    LifeCircleResult,
    cost_pairs,
    coverage_tables,
)

__all__ = [
    "BASIS_ATTRIBUTE",
    "BASIS_FLOOR_AREA",
    "BASIS_STANDARD",
    "CapacityResult",
    "E2SFCA",
    "capacity_circle",
    "capacity_what_if",
    "community_demand",
    "decay_weights",
    "e2sfca",
    "facility_supply",
    "target_shares",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

BASIS_ATTRIBUTE = "attribute"
BASIS_FLOOR_AREA = "floor_area"
BASIS_STANDARD = "standard"
# a community whose ratio is within this of 1 counts as served (float sums)
_ADEQUATE_TOL = 1e-9

UNIT_NAMES = {"places": "个学位/托位", "beds": "张床位", "m2": "m²"}


# --------------------------------------------------------------------------- core
def decay_weights(
    distance_m: npt.ArrayLike, catchment_m: npt.ArrayLike, decay: DistanceDecay
) -> FloatArray:
    """The E2SFCA weight ``W(d)`` of each distance (0 beyond the catchment).

    Parameters
    ----------
    distance_m
        Walking distances in metres.
    catchment_m
        The catchment ``d0`` of each distance (broadcast), in metres.
    decay
        The rule set's decay: ``none`` (1 inside), ``step`` (``w_k`` for the
        first zone with ``d <= f_k d0``) or ``gaussian``
        (``exp(-d^2 / (2 (sigma d0)^2))``).

    Returns
    -------
    numpy.ndarray
        Weights in ``[0, max w]``, same shape as ``distance_m``.
    """
    d = np.asarray(distance_m, dtype=float)
    d0 = np.broadcast_to(np.asarray(catchment_m, dtype=float), d.shape)
    inside = d <= d0
    if decay.kind == "none":
        w = np.ones(d.shape)
    elif decay.kind == "gaussian":
        s = float(decay.sigma or 1.0) * d0
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.exp(-(d * d) / (2.0 * s * s))
    else:
        w = np.zeros(d.shape)
        done = np.zeros(d.shape, dtype=bool)
        for f, wk in decay.steps:
            hit = ~done & (d <= f * d0)
            w[hit] = wk
            done |= hit
    return np.where(inside, w, 0.0)


@dataclass(frozen=True)
class E2SFCA:
    """Result of :func:`e2sfca` for one category.

    Attributes
    ----------
    accessibility
        ``A_i`` per community: supply per person of demand within reach.
    facility_ratio
        ``R_j`` per facility: supply per weighted person of its catchment
        (0 where no demand is in reach).
    weighted_demand
        ``sum_i W(d_ij) P_i`` per facility.
    weights
        The weight matrix ``W(d_ij)`` (facility × community csr, the structure
        of the cost matrix).
    """

    accessibility: FloatArray
    facility_ratio: FloatArray
    weighted_demand: FloatArray
    weights: sp.csr_array


def e2sfca(
    cost_m: sp.csr_array | sp.csr_matrix,
    supply: npt.ArrayLike,
    demand: npt.ArrayLike,
    catchment_m: float | npt.ArrayLike,
    decay: DistanceDecay,
) -> E2SFCA:
    """Enhanced two-step floating catchment area on a cost matrix.

    Parameters
    ----------
    cost_m
        Facility × community walking distances in metres; only stored entries
        are pairs (explicit zeros are a distance of 0).
    supply
        ``S_j`` per facility (non-negative).
    demand
        ``P_i`` per community (non-negative).
    catchment_m
        ``d0``, one for all facilities or one per facility: pairs farther
        than it do not count.
    decay
        The distance decay ``W``.

    Returns
    -------
    E2SFCA
        ``A_i``, ``R_j``, the weighted demand and the weights.

    Raises
    ------
    ValueError
        On mismatched shapes or negative supply, demand or distances.

    Notes
    -----
    ``R_j = S_j / sum_i W(d_ij) P_i`` and ``A_i = sum_j W(d_ij) R_j`` (module
    docstring), i.e. ``R = S / (W P)`` and ``A = W^T R`` with ``W`` sparse.
    The same as PySAL ``access``'s ``enhanced_two_stage_fca`` with
    ``max_cost = d0`` and ``weight_fn = W`` (tested to 1e-9), except that a
    facility with no demand in reach gives 0, not infinity, and a community with
    no facility in reach gives 0, not NaN.
    """
    c = sp.csr_array(cost_m, dtype=float)
    n_fac, n_comm = c.shape
    s = np.asarray(supply, dtype=float).reshape(-1)
    p = np.asarray(demand, dtype=float).reshape(-1)
    if s.size != n_fac or p.size != n_comm:
        msg = (
            f"cost_m is {n_fac} x {n_comm} but supply has {s.size} and demand "
            f"{p.size} entries."
        )
        raise ValueError(msg)
    if np.any(~(s >= 0)) or np.any(~(p >= 0)) or np.any(c.data < 0):
        msg = "supply, demand and distances must be non-negative numbers."
        raise ValueError(msg)
    d0 = np.broadcast_to(np.asarray(catchment_m, dtype=float), (n_fac,))
    row = np.repeat(np.arange(n_fac), np.diff(c.indptr))
    w = decay_weights(c.data, d0[row], decay)
    weights = sp.csr_array((w, c.indices, c.indptr), shape=c.shape)
    wd = weights @ p
    r = np.zeros(n_fac)
    np.divide(s, wd, out=r, where=wd > 0)
    a = weights.T @ r
    return E2SFCA(
        accessibility=np.asarray(a, dtype=float),
        facility_ratio=r,
        weighted_demand=np.asarray(wd, dtype=float),
        weights=weights,
    )


# ---------------------------------------------------------------- supply, demand
def facility_supply(amenities: pd.DataFrame, ruleset: RuleSet) -> pd.DataFrame:
    """Each facility's supply in its category's unit, and where the figure comes from.

    Parameters
    ----------
    amenities
        ``category`` and optional ``capacity`` (places or beds) and
        ``floor_area_m2`` columns; rows of categories without a capacity
        standard are returned with NaN supply.
    ruleset
        Gives each category's :class:`~analysis.rules.CapacityStandard`.

    Returns
    -------
    pandas.DataFrame
        Same index: ``supply`` (float), ``unit``, ``basis``
        (:data:`BASIS_ATTRIBUTE`, :data:`BASIS_FLOOR_AREA`,
        :data:`BASIS_STANDARD`) and ``note`` (how the figure was obtained, with
        the standard's source).

    Notes
    -----
    In order: the ``capacity`` attribute where the unit is places or beds; the
    floor area, as is for m², divided by ``m2_per_unit`` for places and beds;
    else one facility of the standard, ``service_population * per_1000 / 1000``.
    """
    n = len(amenities)
    cat = amenities["category"].astype(str).to_numpy()
    cap = (
        pd.to_numeric(amenities["capacity"], errors="coerce").to_numpy(float)
        if "capacity" in amenities.columns
        else np.full(n, np.nan)
    )
    area = (
        pd.to_numeric(amenities["floor_area_m2"], errors="coerce").to_numpy(float)
        if "floor_area_m2" in amenities.columns
        else np.full(n, np.nan)
    )
    supply = np.full(n, np.nan)
    unit = np.full(n, "", dtype=object)
    basis = np.full(n, "", dtype=object)
    note = np.full(n, "", dtype=object)
    for code in np.unique(cat):
        if code not in ruleset.codes:
            continue
        std = ruleset.rule(code).capacity
        if std is None:
            continue
        rows = np.flatnonzero(cat == code)
        unit[rows] = std.unit
        src = std.source_clause
        has_cap = np.isfinite(cap[rows]) & (cap[rows] >= 0) & (std.unit != "m2")
        has_area = ~has_cap & np.isfinite(area[rows]) & (area[rows] > 0)
        if std.unit != "m2" and std.m2_per_unit is None:
            has_area[:] = False
        rest = ~has_cap & ~has_area
        r = rows[has_cap]
        supply[r] = cap[r]
        basis[r] = BASIS_ATTRIBUTE
        note[r] = [f"{v:g} {UNIT_NAMES[std.unit]} (设施属性 capacity)" for v in cap[r]]
        r = rows[has_area]
        if std.unit == "m2":
            supply[r] = area[r]
            note[r] = [f"{v:g} m² (设施属性 floor_area_m2)" for v in area[r]]
        else:
            per = float(std.m2_per_unit)  # type: ignore[arg-type]
            supply[r] = area[r] / per
            note[r] = [
                f"由建筑面积 {v:g} m² 按 {per:g} m²/{UNIT_NAMES[std.unit]} 估算 "
                f"(estimated from floor area; {src})"
                for v in area[r]
            ]
        basis[r] = BASIS_FLOOR_AREA
        r = rows[rest]
        if std.service_population is not None:
            value = std.service_population * std.per_person
            supply[r] = value
            basis[r] = BASIS_STANDARD
            note[r] = (
                f"按标准估算 {value:g} {UNIT_NAMES[std.unit]}: 每处服务 "
                f"{std.service_population:g} 人 × {std.per_1000:g}/千人 "
                f"(estimated from the standard; {src})"
            )
    return pd.DataFrame(
        {"supply": supply, "unit": unit, "basis": basis, "note": note},
        index=amenities.index,
    )


def target_shares(data: Mapping[str, Any], on: dt.date) -> dict[str, Any]:
    """The target-group shares in force on a day (``fixtures/lifecircle/population_shares.json``).

    Parameters
    ----------
    data
        ``{"versions": [...]}``, each version with ``effective_from``,
        ``effective_to``, ``default`` (group → share) and ``districts``
        (district code → group → share).
    on
        The day of the analysis.

    Returns
    -------
    dict
        The version in force (``id``, ``default``, ``districts``, ``source``).

    Raises
    ------
    ValueError
        When no version or several are in force, or a share is not in [0, 1].
    """
    version = dict(select_in_force(data, on))
    tables = [version.get("default") or {}, *(version.get("districts") or {}).values()]
    for table in tables:
        for group, share in table.items():
            if isinstance(share, bool) or not isinstance(share, int | float):
                msg = f"share of {group!r} must be a number, got {share!r}."
                raise ValueError(msg)
            if not 0 <= float(share) <= 1:
                msg = f"share of {group!r} must be within [0, 1], got {share!r}."
                raise ValueError(msg)
    return version


def community_demand(
    residents: npt.ArrayLike,
    district_code: npt.ArrayLike,
    standard: CapacityStandard,
    shares: Mapping[str, Any] | None,
) -> tuple[FloatArray, FloatArray]:
    """Persons of the demand group per community.

    Parameters
    ----------
    residents
        Residents per community (NaN counts as 0).
    district_code
        District of each community.
    standard
        The category's standard (its ``target_group``).
    shares
        A version of :func:`target_shares`; needed when the standard has a
        target group.

    Returns
    -------
    tuple
        ``(demand, share)``: persons of the group and the share used, per
        community (share 1 without a target group).

    Raises
    ------
    ValueError
        When a target group is needed and ``shares`` gives no share for it.
    """
    res = np.nan_to_num(np.asarray(residents, dtype=float), nan=0.0)
    group = standard.target_group
    if group is None:
        return res, np.ones(res.shape)
    if shares is None:
        msg = f"target-group shares are needed for {group!r}."
        raise ValueError(msg)
    default = (shares.get("default") or {}).get(group)
    by_district = shares.get("districts") or {}
    codes = np.asarray(district_code, dtype=object).astype(str)
    share = np.full(res.shape, np.nan)
    for code in np.unique(codes):
        value = (by_district.get(code) or {}).get(group, default)
        share[codes == code] = np.nan if value is None else float(value)
    if np.isnan(share).any():
        msg = f"no share of {group!r} for districts {sorted(set(codes[np.isnan(share)]))}."
        raise ValueError(msg)
    return res * share, share


# ------------------------------------------------------------------------ result
@dataclass(frozen=True)
class _CategoryState:
    """What a what-if needs for one category (the cost matrix and its inputs)."""

    cost: sp.csr_array
    supply: FloatArray
    demand: FloatArray
    catchment_m: float
    standard: CapacityStandard


@dataclass(frozen=True, eq=False)
class CapacityResult:
    """Result of :func:`capacity_circle` / :func:`capacity_what_if`.

    Attributes
    ----------
    categories
        The categories with a capacity standard that were analysed.
    supply
        One row per analysed facility: ``code``, ``category``, ``supply``,
        ``unit``, ``basis``, ``note``, ``ratio`` (``R_j``) and ``idle`` (no
        demand in reach).
    demand
        Community × category: persons of the demand group.
    accessibility
        Community × category: ``A_i``, supply per person of demand.
    ratio
        Community × category: ``A_i / s*`` (1 = exactly the standard).
    shortfall
        Community × category: units missing to reach the standard.
    adequate
        Community × category: ratio >= 1 (or no demand).
    served
        Community × every analysed category: *enough* where the category has a
        standard, *within reach* otherwise; drives ``tiers_met``, ``missing``
        and ``score`` (the capacity-aware gaps).
    tiers_met, missing, score, by_street, by_district
        As in :class:`~analysis.walkshed.LifeCircleResult`, from
        ``served``; ``by_district`` adds ``residents_adequate_<code>``,
        ``share_adequate_<code>`` and ``shortfall_<code>`` per category.
    parameters
        JSON-friendly parameters (decay, standards, shares version).
    """

    categories: tuple[str, ...]
    supply: pd.DataFrame
    demand: pd.DataFrame
    accessibility: pd.DataFrame
    ratio: pd.DataFrame
    shortfall: pd.DataFrame
    adequate: pd.DataFrame
    served: pd.DataFrame
    tiers_met: pd.DataFrame
    missing: pd.DataFrame
    score: pd.Series
    by_street: pd.DataFrame
    by_district: pd.DataFrame
    parameters: dict[str, Any]
    _state: dict[str, _CategoryState] = field(repr=False)


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
    categories at once; then :func:`e2sfca` per category.
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
    use = np.flatnonzero(np.isin(am_cat, np.asarray(cats, dtype=object)))
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
    pairs = cost_pairs(
        network,
        NetworkEntry.from_snap(network, snap, ok),
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
    recomputed, which equals a full recomputation.
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
    # the old pairs, rebuilt from the per-category cost matrices, then the new ones
    parts_s, parts_c, parts_d = [], [], []
    old_cat = old["category"].to_numpy()
    for code, cs in base._state.items():
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
    )


def _snap_kw(base: LifeCircleResult) -> dict[str, Any]:
    """Snap as the life circle did (its limit, its island threshold)."""
    return {
        "max_distance_m": base.parameters["snap_limit_m"],
        "min_component_nodes": base.parameters.get(
            "min_component_nodes", MIN_COMPONENT_NODES
        ),
    }


def _evaluate(
    base: LifeCircleResult,
    ruleset: RuleSet,
    cats: list[str],
    facility: Mapping[str, npt.NDArray[Any]],
    pairs: tuple[IntArray, IntArray, FloatArray],
    shares: Mapping[str, Any] | None,
    *,
    extra: dict[str, Any],
) -> CapacityResult:
    attrs = base.access.community_attrs
    index = base.distance_m.index
    n_comm = len(index)
    fac_cat = np.asarray(facility["category"], dtype=object)
    supply = np.nan_to_num(np.asarray(facility["supply"], dtype=float), nan=0.0)
    fac_ratio = np.zeros(fac_cat.size)
    fac_idle = np.zeros(fac_cat.size, dtype=bool)
    s_idx, c_idx, dist = pairs
    # every pair in one facility x community csr (rows in pair order, as a coo to
    # csr conversion keeps them); each category's cost matrix is a row slice of it
    by_fac = np.argsort(s_idx, kind="stable")
    all_cost = sp.csr_array(
        (
            np.asarray(dist, dtype=float)[by_fac],
            np.asarray(c_idx, dtype=np.int64)[by_fac],
            np.concatenate(
                [[0], np.cumsum(np.bincount(s_idx, minlength=fac_cat.size))]
            ),
        ),
        shape=(fac_cat.size, n_comm),
    )
    cols: dict[str, dict[str, FloatArray]] = {
        k: {} for k in ("demand", "accessibility", "ratio", "shortfall")
    }
    adequate: dict[str, npt.NDArray[np.bool_]] = {}
    state: dict[str, _CategoryState] = {}
    residents = attrs["residents"].to_numpy(float)
    districts = attrs["district_code"].to_numpy()
    standards: dict[str, Any] = {}
    for code in cats:
        std = ruleset.rule(code).capacity
        if std is None:  # the callers keep only categories with a standard
            continue
        rows = np.flatnonzero(fac_cat == code)
        cost = all_cost[rows]
        demand, share = community_demand(residents, districts, std, shares)
        d0 = float(base.thresholds_m[code])
        res = e2sfca(cost, supply[rows], demand, d0, ruleset.distance_decay)
        fac_ratio[rows] = res.facility_ratio
        fac_idle[rows] = res.weighted_demand <= 0
        need = std.per_person
        ratio = res.accessibility / need
        short = np.maximum(0.0, need * demand - res.accessibility * demand)
        cols["demand"][code] = demand
        cols["accessibility"][code] = res.accessibility
        cols["ratio"][code] = ratio
        cols["shortfall"][code] = short
        adequate[code] = (ratio >= 1.0 - _ADEQUATE_TOL) | (demand <= 0)
        state[code] = _CategoryState(cost, supply[rows], demand, d0, std)
        standards[code] = {
            "unit": std.unit,
            "per_1000": std.per_1000,
            "target_group": std.target_group,
            "m2_per_unit": std.m2_per_unit,
            "service_population": std.service_population,
            "source_clause": std.source_clause,
            "verified": std.verified,
            "catchment_m": d0,
            "mean_share": float(np.mean(share)) if share.size else None,
        }

    def frame(values: dict[str, Any]) -> pd.DataFrame:
        out = pd.DataFrame(values, index=index)
        out.columns.name = "category"
        return out.reindex(columns=cats)

    adequate_df = frame(adequate).astype(bool) if cats else pd.DataFrame(index=index)
    # enough implies within reach (A_i > 0 needs a facility inside the catchment);
    # a community without demand is served as far as distance goes
    served = base.covered.copy()
    for code in cats:
        served[code] = served[code].to_numpy() & adequate_df[code].to_numpy()
    tiers_met, missing, score, by_street, by_district = coverage_tables(
        served, ruleset, attrs
    )
    by_district = _district_adequacy(
        by_district, attrs, adequate_df, frame(cols["shortfall"])
    )
    supply_df = pd.DataFrame(
        {
            **{k: np.asarray(v) for k, v in facility.items()},
            "ratio": fac_ratio,
            "idle": fac_idle,
        }
    )
    decay = ruleset.distance_decay
    params: dict[str, Any] = {
        "method": "E2SFCA",
        "categories": cats,
        "distance_decay": {
            "kind": decay.kind,
            "steps": [list(s) for s in decay.steps],
            "sigma": decay.sigma,
            "source": decay.source,
        },
        "standards": standards,
        "shares_version": (shares or {}).get("id"),
        "facilities": int(fac_cat.size),
        "supply_basis": {
            code: {
                b: int(n)
                for b, n in zip(
                    *np.unique(
                        np.asarray(facility["basis"], dtype=object)[
                            fac_cat == code
                        ].astype(str),
                        return_counts=True,
                    ),
                    strict=True,
                )
            }
            for code in cats
        },
        **extra,
    }
    return CapacityResult(
        categories=tuple(cats),
        supply=supply_df,
        demand=frame(cols["demand"]),
        accessibility=frame(cols["accessibility"]),
        ratio=frame(cols["ratio"]),
        shortfall=frame(cols["shortfall"]),
        adequate=adequate_df,
        served=served,
        tiers_met=tiers_met,
        missing=missing,
        score=score,
        by_street=by_street,
        by_district=by_district,
        parameters=params,
        _state=state,
    )


def _district_adequacy(
    by_district: pd.DataFrame,
    attrs: pd.DataFrame,
    adequate: pd.DataFrame,
    shortfall: pd.DataFrame,
) -> pd.DataFrame:
    res = attrs["residents"].to_numpy(float)
    key = attrs["district_code"].to_numpy()
    cols: dict[str, Any] = {"district_code": key}
    for code in adequate.columns:
        cols[f"residents_adequate_{code}"] = res * adequate[code].to_numpy()
        cols[f"shortfall_{code}"] = shortfall[code].to_numpy(float)
    sums = pd.DataFrame(cols).groupby("district_code", sort=True).sum()
    out = by_district.join(sums)
    total = out["residents"].to_numpy(float)
    for code in adequate.columns:
        share = np.full(len(out), np.nan)
        np.divide(
            out[f"residents_adequate_{code}"].to_numpy(float),
            total,
            out=share,
            where=total > 0,
        )
        out[f"share_adequate_{code}"] = share
    return out
