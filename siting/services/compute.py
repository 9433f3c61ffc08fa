"""One siting computation on a life-circle run: candidates onto the network, coverage per category, the chosen sites and the stored rows."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

from analysis import parking
from analysis import siting as core
from analysis.network import (
    MIN_COMPONENT_NODES,
    NetworkEntry,
    WalkNetwork,
    same_edge_pairs,
)
from layers import frames
from lifecircle import services as lc
from runs.models import AnalysisRun
from siting.services.reads import PRIVATE_FIELDS
from siting.services.store import _store


# ---------------------------------------------------------------------------
# network plumbing (array level)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Sites:
    """Where the candidates enter the walk network (reachable ones only)."""

    rows: np.ndarray  # candidate row of each entry
    entry: NetworkEntry
    snap_m: np.ndarray  # per candidate, distance to the network (inf: no edge)
    reachable: np.ndarray  # per candidate


def _candidate_points(cand: gpd.GeoDataFrame) -> np.ndarray:
    geom = cand.geometry.to_numpy()
    if len(geom) == 0:
        return np.zeros((0, 2))
    pts = np.where(
        shapely.get_type_id(geom) == shapely.GeometryType.POINT,
        geom,
        shapely.point_on_surface(geom),
    )
    return shapely.get_coordinates(pts)


def _snap_sites(
    net: WalkNetwork,
    cand: gpd.GeoDataFrame,
    snap_limit_m: float,
    min_component_nodes: int = MIN_COMPONENT_NODES,
) -> _Sites:
    """Candidates join the network as the life circle's facilities did (same snap
    limit, same islands left out)."""
    xy = _candidate_points(cand)
    snap = net.snap_points(
        xy, max_distance_m=snap_limit_m, min_component_nodes=min_component_nodes
    )
    rows = np.flatnonzero(snap.reachable)
    return _Sites(
        rows=rows,
        entry=NetworkEntry.from_snap(net, snap, rows),
        snap_m=snap.distance_m,
        reachable=snap.reachable,
    )


def _coverage(
    net: WalkNetwork,
    sites: _Sites,
    n_cand: int,
    ap_entry: Any,
    ap_owner: np.ndarray,
    weights: np.ndarray,
    distance_m: float,
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Candidate × community walk coverage within ``distance_m`` for demand communities."""
    n_comm = weights.size
    keep = np.flatnonzero(weights[ap_owner] > 0)
    parts_c, parts_i, parts_d = [], [], []
    m = sites.rows.size
    if keep.size and m:
        access = ap_entry.take(keep)
        a_nodes, a_off = access.nodes()
        s_nodes, s_off = sites.entry.nodes()
        cov = core.coverage_matrix(
            net.csr,
            s_nodes,
            a_nodes,
            distance_m,
            candidate_offsets_m=s_off,
            access_community=np.concatenate([ap_owner[keep], ap_owner[keep]]),
            access_offsets_m=a_off,
        )
        dm = cov.distance_m
        r = np.repeat(np.arange(dm.shape[0]), np.diff(dm.indptr))
        parts_c.append(sites.rows[r % m])
        parts_i.append(dm.indices.astype(np.int64))
        parts_d.append(np.asarray(dm.data, dtype=float))
        # the direct walk along an edge shared by a site and an access point
        s_idx, a_idx, d = same_edge_pairs(sites.entry, access)
        ok = d <= distance_m
        parts_c.append(sites.rows[s_idx[ok]])
        parts_i.append(ap_owner[keep[a_idx[ok]]])
        parts_d.append(d[ok])
    if parts_c:
        c = np.concatenate(parts_c)
        i = np.concatenate(parts_i)
        d = np.concatenate(parts_d)
    else:
        c = i = np.zeros(0, np.int64)
        d = np.zeros(0)
    return core.pairs_to_coverage(c, i, d, n_cand, n_comm)


# ---------------------------------------------------------------------------
# runs
# ---------------------------------------------------------------------------
@dataclass
class _Problem:
    category: str
    distance_m: float
    weights: np.ndarray
    cover: sp.csr_matrix
    dist: sp.csr_matrix
    eligible: np.ndarray


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return None if not math.isfinite(v) else round(v, 4)
    return v


def _objective(sol: Any, weights: Mapping[str, np.ndarray] | np.ndarray) -> dict:
    n_comm: int | dict[str, int]
    if isinstance(sol, core.MultiSolution):
        n_comm = {c: int(v.sum()) for c, v in sol.covered.items()}
        chosen = int(sum(v.size for v in sol.chosen.values()))
        extra = {
            "category_objective": sol.category_objective,
            "embedded_complexes": int(sol.embedded.size),
        }
    else:
        w = np.asarray(weights)
        n_comm = int((sol.covered & (w > 0)).sum())
        chosen = int(sol.chosen.size)
        extra = {}
    return _jsonable(
        {
            "method": sol.method,
            "status": sol.status,
            "objective_residents": sol.objective,
            "communities_covered": n_comm,
            "sites": chosen,
            "mip_gap": sol.mip_gap,
            "dual_bound": sol.dual_bound,
            "greedy_objective": sol.greedy_objective,
            "gap_to_greedy": sol.gap_to_greedy,
            "time_s": sol.time_s,
            **extra,
        }
    )


def _explain(
    chosen: np.ndarray,
    prob: _Problem,
    cand: gpd.GeoDataFrame,
    comm: pd.DataFrame,
    names: Mapping[str, str],
) -> list[dict]:
    if chosen.size == 0:
        return []
    sol = core.Solution(
        chosen=chosen,
        objective=0.0,
        covered=np.zeros(prob.weights.size, bool),
        method="",
        status="",
    )
    table = core.explain(sol, cand, comm, prob.cover, prob.dist, weights=prob.weights)
    out = []
    for rec in table.to_dict(orient="records"):
        gains = sorted(
            (
                {
                    "community": g["community"],
                    "name": names.get(g["community"], ""),
                    "residents": int(g["residents"]),
                    "walk_m": round(float(g["walk_m"]), 1),
                }
                for g in rec.pop("gains")
            ),
            key=lambda g: (-g["residents"], g["community"]),
        )
        row = cand.iloc[int(rec["candidate"])]
        rec.update(
            category=prob.category,
            candidate_kind=row["source"],
            district_code=row["district_code"],
            walk_distance_limit_m=prob.distance_m,
            snap_to_network_m=None,
            gains=gains,
        )
        rec["residents_gained"] = int(rec["residents_gained"])
        for name in PRIVATE_FIELDS:  # kept with the candidates, not in the run record
            rec.pop(name, None)
        out.append(_jsonable(rec))
    return out


def _demand(ctx: lc.RunContext, category: str, residents, distance: float, gaps: str):
    """Residents per community that a new site can gain (see the module docstring)."""
    if gaps == "capacity" and ctx.capacity is not None:
        short = ctx.capacity.shortfall[category].reindex(ctx.communities["code"])
        return np.where(short.to_numpy(float) > 1e-9, residents, 0.0)
    current = ctx.result.distance_m[category].to_numpy(dtype=float)
    return core.demand_weights(current, residents, distance)


@dataclass
class _Parking:
    """What each candidate would do for parking if given over to it (idle plots only)."""

    spaces: np.ndarray  # spaces it holds (analysis.parking.plot_spaces)
    reduced: np.ndarray  # shortage it takes off the communities within walk
    cover: sp.csr_matrix  # candidate × community within PARKING_WALK_M (short ones)
    shortage: np.ndarray  # per community (NaN: not surveyed)
    source: dict


def _parking(
    ctx: lc.RunContext, sites: _Sites, cand: gpd.GeoDataFrame
) -> _Parking | None:
    """The parking value of the candidates (None when no ratios are in force): a
    community of the run no longer in the layer counts as not surveyed."""
    # today's surveyed spaces and ratios (a survey after the life-circle run counts)
    figures, source = lc.community_parking_figures()
    if source is None:
        return None
    comm = ctx.communities
    n_cand = len(cand)
    figures = figures.set_index("code").reindex(comm["code"].astype(str))
    shortage = figures["shortage"].to_numpy(dtype=float)
    st = ctx.result.access
    assert ctx.network is not None  # checked by the caller
    cover, _dist = _coverage(
        ctx.network,
        sites,
        n_cand,
        st.ap_entry,
        st.ap_owner,
        np.nan_to_num(shortage, nan=0.0),
        parking.PARKING_WALK_M,
    )
    area = cand["area_m2"].to_numpy(dtype=float) if n_cand else np.zeros(0)
    is_land = (
        (cand["source"] == "idle_land").to_numpy() if n_cand else np.zeros(0, bool)
    )
    spaces = np.where(is_land, parking.plot_spaces(area), 0.0)
    reduced, _reach = parking.gap_reduced(spaces, cover, shortage)
    return _Parking(
        spaces=spaces,
        reduced=reduced,
        cover=cover,
        shortage=shortage,
        source=source,
    )


def _parking_summary(
    park: _Parking,
    weight: float,
    cand: gpd.GeoDataFrame,
    chosen: dict[str, dict[str, np.ndarray]],
    objectives: dict[str, dict],
    problems: dict[str, _Problem],
) -> dict:
    """The trade-off the planner sees: per method, residents newly served by the chosen
    sites against the parking shortage the same plots could take off instead."""
    known = ~np.isnan(park.shortage)
    tradeoff = {}
    for m, per_cat in chosen.items():
        if not per_cat:
            continue
        rows = np.unique(np.concatenate(list(per_cat.values()))).astype(np.int64)
        gain = _stand_alone_gain(problems, cand, rows)
        prefer = parking.prefer_parking(gain, park.reduced[rows], weight)
        tradeoff[m] = {
            "sites": int(rows.size),
            "residents_served": (objectives.get(m) or {}).get("objective_residents"),
            "parking_spaces": int(park.spaces[rows].sum()),
            "parking_gap_reduced": int(
                parking.set_gap_reduced(rows, park.spaces, park.cover, park.shortage)
            ),
            "prefer_parking": [str(cand.at[int(j), "code"]) for j in rows[prefer]],
        }
    order = np.argsort(-park.reduced, kind="stable")[:5]
    best = [
        {
            "candidate_kind": cand.at[int(j), "source"],
            "candidate_code": str(cand.at[int(j), "code"]),
            "name": str(cand.at[int(j), "name"] or ""),
            "parking_spaces": int(park.spaces[j]),
            "parking_gap_reduced": int(park.reduced[j]),
        }
        for j in order
        if park.reduced[j] > 0
    ]
    return {
        "weight": weight,
        "m2_per_space": parking.SPACE_M2,
        "walk_m": parking.PARKING_WALK_M,
        "ratios": park.source,
        "communities_short": int((np.nan_to_num(park.shortage) > 0).sum()),
        "communities_unsurveyed": int((~known).sum()),
        "shortage_total": int(np.nansum(park.shortage)),
        "tradeoff": tradeoff,
        "best_for_parking": best,
    }


def _stand_alone_gain(
    problems: dict[str, _Problem], cand: gpd.GeoDataFrame, rows: np.ndarray | None
) -> np.ndarray:
    """Each candidate's best stand-alone gain over the categories (residents)."""
    gain = np.zeros(len(cand))
    for p in problems.values():
        if len(cand):
            gain = np.maximum(gain, core.coverage_gain(p.cover, p.weights))
    return gain[rows] if rows is not None else gain


def _needs(cand: gpd.GeoDataFrame, rule: Any) -> np.ndarray:
    """Minimum area one facility of ``rule`` takes on each candidate (0: no minimum)."""
    is_land = (cand["source"] == "idle_land").to_numpy()
    site = rule.min_site_area_m2 or rule.min_floor_area_m2 or 0.0
    floor = rule.min_floor_area_m2 or 0.0
    return np.where(is_land, float(site), float(floor))


def _compute_and_store(
    *,
    run: AnalysisRun,
    params: dict,
    ctx: lc.RunContext,
    rules: dict[str, Any],
    distances: dict[str, float],
    k: int | dict[str, int],
) -> dict:
    multi = bool(params["multi"])
    cats = list(rules)
    timings: dict[str, float] = {}
    net = ctx.network
    if net is None or ctx.result.straight_line:
        msg = (
            "the life-circle run has no walk network (straight-line mode); load walk "
            "segments and rerun the life-circle analysis before siting"
        )
        raise ValueError(msg)
    t = time.perf_counter()
    cand = core.siting_candidates(
        frames.idle_land_gdf(),
        frames.vacant_housing_gdf(),
        None if multi else rules[cats[0]],
        kinds=params["kinds"],
        districts=params["districts"],
        min_area_m2=params["min_area_m2"],
        consent=params.get("consent_scope", "granted"),
    )
    timings["read_s"] = time.perf_counter() - t
    n_cand = len(cand)
    comm = ctx.communities
    codes = comm["code"].to_numpy()
    names = dict(zip(comm["code"], comm["name"], strict=True))
    residents = core.community_residents(comm)
    comm_df = pd.DataFrame({"code": codes, "residents": residents})
    st = ctx.result.access
    t = time.perf_counter()
    lc = ctx.result.parameters
    sites = _snap_sites(
        net,
        cand,
        float(lc["snap_limit_m"]),
        int(lc.get("min_component_nodes", MIN_COMPONENT_NODES)),
    )
    timings["snap_s"] = time.perf_counter() - t

    area = cand["area_m2"].to_numpy(dtype=float) if n_cand else np.zeros(0)
    problems: dict[str, _Problem] = {}
    # several categories: how many facilities each candidate hosts, and which fit it
    cap, fits = _capacity(cand, rules) if multi else (None, {})
    t = time.perf_counter()
    for c in cats:
        w = _demand(ctx, c, residents, distances[c], params.get("gaps", "distance"))
        eligible = fits[c] if multi else np.ones(n_cand, dtype=bool)
        cover, dist = _coverage(
            net, sites, n_cand, st.ap_entry, st.ap_owner, w, distances[c]
        )
        if not eligible.all():
            cover, dist = _keep_rows(cover, eligible), _keep_rows(dist, eligible)
        problems[c] = _Problem(c, distances[c], w, cover, dist, eligible)
    timings["coverage_s"] = time.perf_counter() - t
    t = time.perf_counter()
    park = _parking(ctx, sites, cand)
    weight = float(params.get("parking_weight") or 0.0)
    timings["parking_s"] = time.perf_counter() - t

    chosen: dict[str, dict[str, np.ndarray]] = {"greedy": {}, "exact": {}}
    objectives: dict[str, dict] = {}
    embedded: dict[str, list] = {}
    method = params["method"]
    tl = float(params["time_limit_s"])
    if not multi:
        assert isinstance(k, int)  # one category: siting_run checked k with _check_k
        p = problems[cats[0]]
        if method in ("greedy", "both"):
            t = time.perf_counter()
            g = core.greedy_mclp(p.cover, p.weights, int(k))
            timings["greedy_s"] = time.perf_counter() - t
            chosen["greedy"][p.category] = g.chosen
            objectives["greedy"] = _objective(g, p.weights)
        if method in ("exact", "both"):
            t = time.perf_counter()
            e = core.exact_mclp(p.cover, p.weights, int(k), time_limit_s=tl)
            timings["exact_s"] = time.perf_counter() - t
            chosen["exact"][p.category] = e.chosen
            objectives["exact"] = _objective(e, p.weights)
    else:
        assert cap is not None  # computed above for several categories
        floor = (
            np.where(
                (cand["source"] == "idle_land").to_numpy(), area, cand["floor_area_m2"]
            ).astype(float)
            if n_cand
            else np.zeros(0)
        )
        for m in ("greedy", "exact"):
            if method not in (m, "both"):
                continue
            t = time.perf_counter()
            sol = core.multi_category_siting(
                {c: problems[c].cover for c in cats},
                {c: problems[c].weights for c in cats},
                k,
                cap,
                eligible=fits,
                floor_area_m2=floor,
                embedded_bonus=float(params["embedded_bonus"]),
                method=m,
                time_limit_s=tl,
            )
            timings[f"{m}_s"] = time.perf_counter() - t
            chosen[m] = dict(sol.chosen)
            objectives[m] = _objective(sol, {})
            embedded[m] = [
                {
                    "candidate_kind": cand.at[int(j), "source"],
                    "candidate_code": cand.at[int(j), "code"],
                    "categories": [c for c in cats if int(j) in set(sol.chosen[c])],
                }
                for j in sol.embedded
            ]
    if "greedy" in objectives and "exact" in objectives:
        ge = objectives["greedy"]["objective_residents"] or 0.0
        ee = objectives["exact"]["objective_residents"] or 0.0
        objectives["exact"]["gap_to_greedy"] = _jsonable(
            0.0 if ee <= 0 else (ee - ge) / ee
        )

    explanation = {
        m: [
            rec
            for c in cats
            if c in chosen[m]
            for rec in _explain(
                np.sort(chosen[m][c]), problems[c], cand, comm_df, names
            )
        ]
        for m in ("greedy", "exact")
        if chosen[m]
    }
    for recs in explanation.values():
        for rec in recs:
            j = int(rec["candidate"])
            rec["snap_to_network_m"] = _jsonable(float(sites.snap_m[j]))
            rec.pop("candidate", None)

    t = time.perf_counter()
    prefer = (
        parking.prefer_parking(
            _stand_alone_gain(problems, cand, None), park.reduced, weight
        )
        if park is not None
        else np.zeros(n_cand, dtype=bool)
    )
    ranking = _store(
        run,
        cand,
        problems,
        chosen,
        sites,
        codes,
        names,
        residents,
        _lonlat(comm),
        park,
        prefer,
    )
    timings["store_s"] = time.perf_counter() - t
    demand = {
        c: {
            "communities_lacking": int((p.weights > 0).sum()),
            "residents_lacking": int(p.weights.sum()),
            "distance_m": p.distance_m,
        }
        for c, p in problems.items()
    }
    return {
        "categories": cats,
        "category_names": {c: rules[c].name for c in cats},
        "lifecircle_run": run.parameters["lifecircle_run"],
        "counts": {
            "candidates": n_cand,
            "unreachable_candidates": int((~sites.reachable).sum()),
            "idle_land": int((cand["source"] == "idle_land").sum()) if n_cand else 0,
            "vacant_housing": int((cand["source"] == "vacant_housing").sum())
            if n_cand
            else 0,
            "communities": len(comm),
        },
        "demand": demand,
        "objectives": objectives,
        "chosen": {
            m: [
                {
                    "category": c,
                    "candidate_kind": cand.at[int(j), "source"],
                    "candidate_code": cand.at[int(j), "code"],
                }
                for c in cats
                for j in np.sort(chosen[m].get(c, np.zeros(0, np.int64)))
            ]
            for m in ("greedy", "exact")
            if chosen[m]
        },
        "embedded_complexes": embedded,
        "explanation": explanation,
        "parking": None
        if park is None
        else _parking_summary(park, weight, cand, chosen, objectives, problems),
        "top": ranking,
        "timings": {key: round(v, 4) for key, v in timings.items()},
    }


def _keep_rows(m: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    """``m`` with the rows where ``keep`` is False emptied (structure otherwise unchanged)."""
    r = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    ok = keep[r]
    counts = np.bincount(r[ok], minlength=m.shape[0])
    indptr = np.concatenate([[0], np.cumsum(counts)])
    return sp.csr_matrix((m.data[ok], m.indices[ok], indptr), shape=m.shape)


def _capacity(
    cand: gpd.GeoDataFrame, rules: dict[str, Any]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """How many facilities each candidate hosts, and which categories fit it."""
    area = cand["area_m2"].to_numpy(dtype=float) if len(cand) else np.zeros(0)
    needs = {
        c: _needs(cand, rule) if len(cand) else np.zeros(0) for c, rule in rules.items()
    }
    return core.hosting_capacity(area, needs)


def _lonlat(comm: gpd.GeoDataFrame) -> np.ndarray:
    """A point inside each community in EPSG:4326 (for drawing who a site serves)."""
    if len(comm) == 0:
        return np.zeros((0, 2))
    pts = gpd.GeoSeries(
        shapely.point_on_surface(comm.geometry.to_numpy()), crs=comm.crs
    ).to_crs(4326)
    return shapely.get_coordinates(pts.to_numpy())
