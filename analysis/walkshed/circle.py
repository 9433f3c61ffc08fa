"""The 15-minute life circle of every community, and the what-if of new facilities."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.forked import map_forked
from analysis.network import (
    MIN_COMPONENT_NODES,
    NetworkEntry,
    WalkNetwork,
    check_metric_crs,
    community_access_points,
)
from analysis.rules import RuleSet
from analysis.walkshed.inputs import (
    _check_inputs,
    _codes,
    _community_attrs,
    _empty_unreachable_amenities,
    _islands_nearest,
    _no_islands,
    _point_xy,
    _straight,
    _unreachable_communities,
)
from analysis.walkshed.pairs import PairSearch, _per_community
from analysis.walkshed.result import (
    MODE_NETWORK,
    MODE_STRAIGHT,
    CommunityAccess,
    FacilityPairs,
    LifeCircleResult,
)
from analysis.walkshed.routing import FloatArray, IntArray, _route
from analysis.walkshed.tables import _derive

# below this many node × category visits one process is faster than forking
_PARALLEL_MIN_WORK = 1_000_000


# ---------------------------------------------------------------------- adapters
def life_circle(
    network: WalkNetwork | None,
    communities: gpd.GeoDataFrame,
    amenities: gpd.GeoDataFrame,
    ruleset: RuleSet,
    *,
    snap_limit_m: float = 150.0,
    strict: bool = False,
    speed_m_per_min: float | None = None,
    categories: Sequence[str] | None = None,
    access_spacing_m: float = 50.0,
    persons_per_household: float = 2.5,
    limit_per_category: bool = False,
    workers: int = 1,
    min_component_nodes: int = MIN_COMPONENT_NODES,
    pair_categories: Sequence[str] | None = None,
) -> LifeCircleResult:
    """Evaluate the life circle of every community.

    Parameters
    ----------
    network
        The walking network, or ``None`` for the straight-line fallback.
    communities
        Community polygons (DATA_MODEL.md ``community``): ``code`` (else the
        index is used), optional ``entrances``, ``street_code``,
        ``district_code``, ``residents`` and ``households``.
    amenities
        Facility points with ``category`` (rule-set codes) and ``code`` (else
        the index). Categories not in the rule set are ignored and listed in
        ``parameters["ignored_categories"]``.
    ruleset
        The rule set giving tiers, thresholds and required categories.
    snap_limit_m
        Points farther than this from the network are unreachable.
    strict
        Use the strict tier distances (800 m at 15 min).
    speed_m_per_min
        Time-based thresholds (``minutes × speed``), see
        :meth:`RuleSet.threshold_m`.
    categories
        Restrict the analysis to these category codes (default: all).
    access_spacing_m
        Boundary point spacing where entrances are unknown
        (:func:`~analysis.network.community_access_points`).
    persons_per_household
        Used for residents where ``residents`` is null and ``households`` is
        known (an assumption, counted in ``parameters["residents_imputed"]``).
    limit_per_category
        Route each category only up to its own threshold instead of the
        largest tier distance: faster (5-min categories explore 300 m instead of
        1000 m) but ``distance_m`` and ``walk_tier`` are then ``inf``/NaN beyond
        each category's threshold. Coverage, tiers and score are unchanged.
    workers
        Processes for routing the categories (:func:`~analysis.forked.map_forked`;
        small problems stay in this process). The result does not depend on it.
    min_component_nodes
        Network components with fewer nodes are islands: nothing snaps to them
        (:meth:`~analysis.network.WalkNetwork.snap_points`); they are listed
        in ``islands``.
    pair_categories
        Also find every (facility, community) pair of these categories within
        the category's threshold (:class:`~analysis.walkshed.result.FacilityPairs`
        in ``pairs``, the capacity step's cost matrix), in the same pool of
        processes as the routing. A category routed no further than its
        threshold then takes its distances from these pairs instead of a
        routing of its own (the same floats). Network mode only.

    Returns
    -------
    LifeCircleResult
        Distances, coverage, tiers, score, aggregates and unreachable items.

    Raises
    ------
    ValueError
        On a geographic CRS, CRS mismatch, missing ``category`` column, unknown
        categories, duplicate community codes or bad parameters.

    Notes
    -----
    GB 50180-2018 tiers 5/10/15 min = 300/500/1000 m (800 m strict), facility
    sets cumulative (LIFECIRCLE.md §1.1, §1.6). The coverage score counts only
    required (▲) categories; optional (△) categories appear in ``distance_m``,
    ``covered`` and the ``residents_lacking_*`` aggregates but not in the score
    or in ``tiers_met``.
    """
    cats = _check_inputs(network, communities, amenities, ruleset, categories)
    if not (np.isfinite(snap_limit_m) and snap_limit_m > 0):
        msg = f"snap_limit_m must be positive, got {snap_limit_m!r}."
        raise ValueError(msg)
    if not (np.isfinite(persons_per_household) and persons_per_household >= 0):
        msg = f"persons_per_household must be >= 0, got {persons_per_household!r}."
        raise ValueError(msg)
    thresholds = pd.Series(
        {
            c: ruleset.threshold_m(c, strict=strict, speed_m_per_min=speed_m_per_min)
            for c in cats
        },
        dtype=float,
    )
    limit = ruleset.max_distance_m(strict=strict, speed_m_per_min=speed_m_per_min)
    route_limit = {
        c: float(thresholds[c]) if limit_per_category else limit for c in cats
    }

    comm_codes = _codes(communities, "communities")
    attrs, n_imputed = _community_attrs(communities, comm_codes, persons_per_household)
    entrances = communities["entrances"] if "entrances" in communities.columns else None
    if entrances is not None and not isinstance(entrances, gpd.GeoSeries):
        entrances = gpd.GeoSeries(entrances, crs=communities.crs)
    aps = community_access_points(
        communities.geometry, entrances, spacing_m=access_spacing_m
    )
    ap_owner = aps["community"].to_numpy(np.int64)
    ap_xy = aps[["x", "y"]].to_numpy(float)
    n_comm = len(communities)

    am_codes = _codes(amenities, "amenities")
    am_cat = amenities["category"].astype(str).to_numpy()
    use = np.isin(am_cat, np.asarray(cats, dtype=object))
    ignored = sorted(set(am_cat[~np.isin(am_cat, np.asarray(ruleset.codes))]))
    am_xy = _point_xy(amenities, "amenities")

    dist = np.full((n_comm, len(cats)), np.inf)
    pairs: FacilityPairs | None = None
    if network is None:
        mode = MODE_STRAIGHT
        entry = None
        islands = _no_islands(communities.crs)
        unreachable_am = _empty_unreachable_amenities()
        unreachable_comm = pd.DataFrame(
            {
                "code": comm_codes[np.setdiff1d(np.arange(n_comm), ap_owner)],
                "distance_to_network_m": np.nan,
            }
        )
        for j, c in enumerate(cats):
            pts = am_xy[use & (am_cat == c)]
            dist[:, j] = _straight(pts, ap_xy, ap_owner, n_comm, route_limit[c])
    else:
        mode = MODE_NETWORK
        snap_kw: dict[str, Any] = {
            "max_distance_m": snap_limit_m,
            "min_component_nodes": min_component_nodes,
        }
        ap_snap = network.snap_points(ap_xy, **snap_kw)
        ok_ap = np.flatnonzero(ap_snap.reachable)
        entry = NetworkEntry.from_snap(network, ap_snap, ok_ap)
        ap_owner_ok = ap_owner[ok_ap]
        unreachable_comm = _unreachable_communities(
            comm_codes, ap_owner, ap_snap, n_comm
        )
        rows = np.flatnonzero(use)
        am_snap = network.snap_points(am_xy[rows], **snap_kw)
        islands = _islands_nearest(
            network,
            min_component_nodes,
            (am_xy[rows], am_snap, "amenities_nearest"),
            (ap_xy, ap_snap, "access_points_nearest"),
        )
        bad = ~am_snap.reachable
        unreachable_am = pd.DataFrame(
            {
                "code": am_codes[rows[bad]],
                "category": am_cat[rows[bad]],
                "distance_to_network_m": am_snap.distance_m[bad],
            }
        )
        src_all = NetworkEntry.from_snap(
            network, am_snap, np.flatnonzero(am_snap.reachable)
        )
        src_cat = am_cat[rows][am_snap.reachable]
        src_xy = am_xy[rows][am_snap.reachable]
        src_rows = [np.flatnonzero(src_cat == c) for c in cats]
        search, p_rows, derived = _pair_search(
            network,
            src_all,
            src_xy,
            src_cat,
            entry,
            ap_xy[ok_ap],
            ap_owner_ok,
            thresholds,
            route_limit,
            [c for c in (pair_categories or ()) if c in cats],
            workers,
        )

        def route_category(j: int) -> FloatArray:
            src = src_all.take(src_rows[j])
            ap_d = _route(network, src, entry, route_limit[cats[j]])
            return _per_community(ap_d, ap_owner_ok, n_comm)

        def job(item: tuple[str, Any]) -> Any:
            kind, arg = item
            return search.run(arg) if kind == "pairs" else route_category(arg)

        # the pair search's batches (the largest jobs), then the categories it does
        # not give, biggest first: the rest fill in around them; all in one pool
        order = sorted(
            (j for j in range(len(cats)) if cats[j] not in derived),
            key=lambda j: -src_rows[j].size,
        )
        items: list[tuple[str, Any]] = [("pairs", b) for b in search.batches]
        items += [("route", j) for j in order]
        small = network.n_nodes * len(cats) < _PARALLEL_MIN_WORK
        n_proc = 1 if small and search.workers == 1 else workers
        done = map_forked(job, items, workers=n_proc)
        n_b = len(search.batches)
        for j, col in zip(order, done[n_b:], strict=True):
            dist[:, j] = col
        found = search.collect(done[:n_b])
        for c, local in derived.items():
            dist[:, cats.index(c)] = search.nearest(
                found, local, route_limit[c], n_comm
            )
        if pair_categories is not None:
            s_idx, c_idx, d_val = search.pairs(found)
            pairs = FacilityPairs(
                entry=search.sources,
                xy=src_xy[p_rows],
                category=src_cat[p_rows].astype(object),
                source=s_idx,
                community=c_idx,
                distance_m=d_val,
            )
        ap_owner = ap_owner_ok
        ap_xy = ap_xy[ok_ap]

    params: dict[str, Any] = {
        "mode": mode,
        "ruleset": {"name": ruleset.name, "version": ruleset.version},
        "categories": list(cats),
        "snap_limit_m": float(snap_limit_m),
        "strict": bool(strict),
        "speed_m_per_min": speed_m_per_min,
        "access_spacing_m": float(access_spacing_m),
        "limit_m": float(limit),
        "limit_per_category": bool(limit_per_category),
        "route_limit_m": route_limit,
        "thresholds_m": {c: float(v) for c, v in thresholds.items()},
        "persons_per_household": float(persons_per_household),
        "residents_imputed": int(n_imputed),
        "ignored_categories": ignored,
        "communities": int(n_comm),
        "amenities": int(use.sum()),
        "access_points": int(len(aps)),
        "network": network.summary() if network is not None else None,
        "min_component_nodes": int(min_component_nodes),
        "islands": int(len(islands)),
    }
    state = CommunityAccess(ap_owner, ap_xy, entry, attrs)
    distance = pd.DataFrame(dist, index=pd.Index(comm_codes, name="community"))
    distance.columns = pd.Index(list(cats), name="category")
    return _derive(
        distance,
        thresholds,
        ruleset,
        limit=limit,
        mode=mode,
        params=params,
        strict=strict,
        speed_m_per_min=speed_m_per_min,
        unreachable_amenities=unreachable_am,
        unreachable_communities=unreachable_comm,
        islands=islands,
        state=state,
        pairs=pairs,
    )


def _pair_search(
    network: WalkNetwork,
    src_all: NetworkEntry,
    src_xy: FloatArray,
    src_cat: npt.NDArray[Any],
    entry: NetworkEntry,
    ap_xy: FloatArray,
    ap_owner: IntArray,
    thresholds: pd.Series,
    route_limit: dict[str, float],
    pair_cats: list[str],
    workers: int,
) -> tuple[PairSearch, IntArray, dict[str, IntArray]]:
    """The pair search of the facilities of ``pair_cats`` (each to its threshold),
    their rows among the reachable amenities, and the categories whose distance
    column it gives (routed no further than their threshold and searched from the
    facilities, so :meth:`PairSearch.nearest` is :func:`_route`'s floats), each
    with its facilities' positions in the search."""
    p_rows = np.flatnonzero(pd.Series(src_cat).isin(pair_cats).to_numpy())
    search = PairSearch(
        network,
        src_all.take(p_rows),
        src_xy[p_rows],
        entry,
        ap_xy,
        thresholds.reindex(src_cat[p_rows]).to_numpy(float),
        target_owner=ap_owner,
        workers=workers,
    )
    p_cat = src_cat[p_rows]
    derived = {}
    for c in pair_cats:
        local = np.flatnonzero(p_cat == c)
        if route_limit[c] <= thresholds[c] and search.from_sources[local].all():
            derived[c] = local
    return search, p_rows, derived


def what_if(
    base: LifeCircleResult,
    network: WalkNetwork | None,
    communities: gpd.GeoDataFrame,
    added_facilities: gpd.GeoDataFrame,
    ruleset: RuleSet,
) -> LifeCircleResult:
    """Re-evaluate after adding facilities, routing only from the new ones.

    Parameters
    ----------
    base
        A result of :func:`life_circle` (or of an earlier :func:`what_if`).
    network
        The network used for ``base`` (``None`` for a straight-line base).
    communities
        The communities of ``base`` (same codes, same order); their access
        points are taken from ``base`` and not recomputed.
    added_facilities
        New facility points with a ``category`` column (and optional ``code``).
    ruleset
        The rule set of ``base``.

    Returns
    -------
    LifeCircleResult
        The new result; its ``parameters["what_if"]`` lists what was added.

    Raises
    ------
    ValueError
        On a mode mismatch, communities that differ from ``base``, or a
        category that ``base`` did not analyse.

    Notes
    -----
    For each affected category one Dijkstra runs from the new facilities only,
    with the base routing limit, and the community distance becomes
    ``min(base, new)``. Since the nearest-facility distance is a minimum over
    facilities, this equals a full recomputation with the facilities added.
    """
    if (network is None) != base.straight_line:
        msg = f"base was computed in {base.mode!r} mode; pass the matching network."
        raise ValueError(msg)
    comm_codes = _codes(communities, "communities")
    if len(comm_codes) != len(base.distance_m) or not np.array_equal(
        comm_codes.astype(str), base.distance_m.index.to_numpy().astype(str)
    ):
        msg = "communities do not match the communities of the base result."
        raise ValueError(msg)
    if not isinstance(added_facilities, gpd.GeoDataFrame):
        msg = "added_facilities must be a GeoDataFrame."
        raise TypeError(msg)
    if "category" not in added_facilities.columns:
        msg = "added_facilities needs a 'category' column."
        raise ValueError(msg)
    check_metric_crs(added_facilities.crs, "added_facilities")
    cat = added_facilities["category"].astype(str).to_numpy()
    unknown = sorted(set(cat) - set(base.distance_m.columns))
    if unknown:
        msg = f"added_facilities has categories not analysed in base: {unknown}."
        raise ValueError(msg)
    xy = _point_xy(added_facilities, "added_facilities")
    codes = _codes(added_facilities, "added_facilities")
    st = base.access
    n_comm = len(comm_codes)
    dist = base.distance_m.to_numpy(copy=True)
    route_limit = base.parameters["route_limit_m"]
    affected = sorted(set(cat))
    unreachable_am = base.unreachable_amenities
    if network is None:
        for c in affected:
            j = base.distance_m.columns.get_loc(c)
            new = _straight(xy[cat == c], st.ap_xy, st.ap_owner, n_comm, route_limit[c])
            np.minimum(dist[:, j], new, out=dist[:, j])
    else:
        if st.ap_entry is None:
            msg = "base has no network state; recompute it with life_circle()."
            raise ValueError(msg)
        snap = network.snap_points(
            xy,
            max_distance_m=base.parameters["snap_limit_m"],
            min_component_nodes=base.parameters.get(
                "min_component_nodes", MIN_COMPONENT_NODES
            ),
        )
        bad = ~snap.reachable
        if bad.any():
            extra = pd.DataFrame(
                {
                    "code": codes[bad],
                    "category": cat[bad],
                    "distance_to_network_m": snap.distance_m[bad],
                }
            )
            unreachable_am = pd.concat([unreachable_am, extra], ignore_index=True)
        src_all = NetworkEntry.from_snap(network, snap, np.flatnonzero(snap.reachable))
        src_cat = cat[snap.reachable]
        for c in affected:
            j = base.distance_m.columns.get_loc(c)
            src = src_all.take(np.flatnonzero(src_cat == c))
            ap_d = _route(network, src, st.ap_entry, route_limit[c])
            new = _per_community(ap_d, st.ap_owner, n_comm)
            np.minimum(dist[:, j], new, out=dist[:, j])
    params = dict(base.parameters)
    previous = list(params.get("what_if", []))
    previous.append({"added": int(len(added_facilities)), "categories": affected})
    params["what_if"] = previous
    distance = pd.DataFrame(
        dist, index=base.distance_m.index, columns=base.distance_m.columns
    )
    return _derive(
        distance,
        base.thresholds_m,
        ruleset,
        limit=base.limit_m,
        mode=base.mode,
        params=params,
        strict=bool(params.get("strict", False)),
        speed_m_per_min=params.get("speed_m_per_min"),
        unreachable_amenities=unreachable_am,
        unreachable_communities=base.unreachable_communities,
        islands=base.islands,
        state=st,
    )
