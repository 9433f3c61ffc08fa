"""Several categories on one inventory: capacity per site and 社区嵌入式服务综合体."""

from __future__ import annotations

import heapq
import time
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.optimize import Bounds, LinearConstraint, milp

from analysis.siting.checks import _as_cover, _as_weights, _check_k, _positive_or_none
from analysis.siting.mclp import _STATUS, _covered_by, _gap
from analysis.siting.results import BoolArray, FloatArray, IntArray, MultiSolution

# 《城市社区嵌入式服务设施建设导则（试行）》: a 社区嵌入式服务综合体 is normally
# >= 600 m2, with >= 3 service functions of which >= 2 from 养老、托育、儿童托管、助餐
# (LIFECIRCLE.md §1.4).  "after_school_care" (儿童托管) has no category in the default
# GB 50180 rule set; a city rule set may add it under this code.
EMBEDDED_CORE_FUNCTIONS: frozenset[str] = frozenset(
    {"elderly_daycare", "nursery", "after_school_care", "community_canteen"}
)
EMBEDDED_MIN_FLOOR_AREA_M2 = 600.0
EMBEDDED_MIN_FUNCTIONS = 3
EMBEDDED_MIN_CORE_FUNCTIONS = 2


def _minimum_per_candidate(value: Any, n: int, category: str) -> FloatArray:
    """A category's minimum area as one figure per candidate (0 = no minimum)."""
    if value is None or np.ndim(value) == 0:
        m = _positive_or_none(value, f"min_area_m2[{category}]")
        return np.full(n, 0.0 if m is None else m)
    arr = np.nan_to_num(np.asarray(value, dtype=np.float64).ravel(), nan=0.0)
    if arr.size != n or (arr < 0).any():
        msg = f"min_area_m2[{category}] needs {n} non-negative areas, got {arr.size}"
        raise ValueError(msg)
    return arr


def hosting_capacity(
    area_m2: ArrayLike,
    min_area_m2: Mapping[str, float | ArrayLike | None],
) -> tuple[IntArray, dict[str, BoolArray]]:
    """
    How many facilities each candidate can host, and which categories fit.

    Parameters
    ----------
    area_m2
        Usable area of each candidate (site area for plots, floor area for
        housing; see :func:`siting_candidates`).
    min_area_m2
        Per category, the minimum area of one facility (``None`` = no minimum),
        one figure or one per candidate (a plot is measured by the rule's site
        area, vacant housing by its floor area).

    Returns
    -------
    capacity
        ``max(1, floor(area / smallest positive minimum))`` for a candidate
        that fits at least one category, else 0.  With no positive minimum at
        all the capacity is 1 (one facility per plot).
    eligible
        Per category, ``area >= minimum`` (all ``True`` when no minimum).

    Notes
    -----
    The count is an upper bound; :func:`multi_category_siting` additionally
    checks Σ minimum areas ≤ area when it is given ``area_m2`` and
    ``min_area_m2``.
    """
    area = np.nan_to_num(np.asarray(area_m2, dtype=np.float64).ravel(), nan=0.0)
    mins = {c: _minimum_per_candidate(m, area.size, c) for c, m in min_area_m2.items()}
    eligible = {c: area >= m for c, m in mins.items()}
    smallest = np.full(area.size, np.inf)
    for m in mins.values():
        smallest = np.where(m > 0, np.minimum(smallest, m), smallest)
    with np.errstate(divide="ignore", invalid="ignore"):
        cap = np.where(np.isfinite(smallest), np.floor(area / smallest), 1.0)
    cap = np.maximum(cap, 1).astype(np.int64)
    fits_any = np.zeros(area.size, dtype=bool)
    for e in eligible.values():
        fits_any |= e
    cap[~fits_any] = 0
    return cap, eligible


def multi_category_siting(
    covers: Mapping[str, sp.spmatrix | sp.sparray],
    weights: Mapping[str, ArrayLike],
    k: int | Mapping[str, int],
    capacity: ArrayLike,
    *,
    eligible: Mapping[str, ArrayLike] | None = None,
    area_m2: ArrayLike | None = None,
    min_area_m2: Mapping[str, float | None] | None = None,
    floor_area_m2: ArrayLike | None = None,
    embedded_bonus: float = 0.0,
    method: Literal["exact", "greedy"] = "exact",
    time_limit_s: float = 30.0,
    mip_rel_gap: float = 1e-6,
) -> MultiSolution:
    r"""
    Site several categories at once on one candidate inventory.

    Parameters
    ----------
    covers
        Per category, boolean candidates x communities matrix; every matrix
        has the same candidate rows (communities may differ per category).
    weights
        Per category, demand weight per community (:func:`demand_weights`).
    k
        Either one total number of new facilities over all categories, or a
        number per category (a missing category gets 0).
    capacity
        Number of facilities each candidate can host (:func:`hosting_capacity`);
        a plot hosts one facility unless its area fits more.
    eligible
        Per category, whether each candidate may host it (default: all).
    area_m2, min_area_m2
        If both are given, the minimum areas of the facilities put on one
        candidate must also fit its area (Σ_c m_c x_cj ≤ area_j).
    floor_area_m2
        Floor area of each candidate for the embedded-complex rule (NaN: not
        a complex).  Defaults to ``area_m2``.
    embedded_bonus
        Objective bonus (in weight units, e.g. residents) per 社区嵌入式服务综合体
        formed.  0 only reports complexes.
    method
        ``"exact"`` (MILP; never worse than greedy) or ``"greedy"``.
    time_limit_s, mip_rel_gap
        HiGHS options.

    Returns
    -------
    MultiSolution

    Notes
    -----
    With ``x_cj`` binary (candidate ``j`` hosts category ``c``), ``y_ci`` in
    [0, 1] and ``z_j`` binary (``j`` is an embedded complex):

    .. math::

        \max \sum_c \sum_i w_{ci} y_{ci} + b \sum_j z_j \quad\text{s.t.}\quad
        y_{ci} \le \sum_{j \in N_{ci}} x_{cj}, \quad
        \sum_c x_{cj} \le \mathrm{cap}_j, \quad
        \sum_j x_{cj} \le k_c \;(\text{or } \sum_{c,j} x_{cj} \le k),

        \sum_c m_c x_{cj} \le A_j, \quad
        3 z_j \le \sum_c x_{cj}, \quad
        2 z_j \le \sum_{c \in \mathrm{core}} x_{cj}, \quad
        z_j = 0 \text{ if } F_j < 600.

    Embedded complex (《城市社区嵌入式服务设施建设导则》, LIFECIRCLE.md §1.4): a
    candidate with floor area ≥ 600 m² hosting ≥ 3 of the sited categories,
    ≥ 2 of them in :data:`EMBEDDED_CORE_FUNCTIONS`.  Only categories sited in
    this run count as functions.  The greedy method ignores the bonus while
    choosing, but its objective includes the bonus of any complex it forms.
    """
    t0 = time.perf_counter()
    cats = list(covers)
    if not cats:
        msg = "covers must name at least one category."
        raise ValueError(msg)
    if set(weights) != set(cats):
        msg = "weights must have exactly the categories of covers."
        raise ValueError(msg)
    mats = {c: _as_cover(covers[c], f"covers[{c}]") for c in cats}
    n_cand = mats[cats[0]].shape[0]
    for c in cats:
        if mats[c].shape[0] != n_cand:
            msg = f"covers[{c}] has {mats[c].shape[0]} candidates, expected {n_cand}."
            raise ValueError(msg)
    ws = {c: _as_weights(weights[c], mats[c].shape[1], f"weights[{c}]") for c in cats}
    if isinstance(k, Mapping):
        unknown = set(k) - set(cats)
        if unknown:
            msg = f"k names unknown categories: {sorted(unknown)}."
            raise ValueError(msg)
        k_cat: dict[str, int] | None = {
            c: _check_k(k.get(c, 0), f"k[{c}]") for c in cats
        }
        k_total = None
    else:
        k_cat, k_total = None, _check_k(k)
    cap = np.asarray(capacity).ravel()
    if cap.size != n_cand or np.any(cap < 0):
        msg = f"capacity must have {n_cand} non-negative entries."
        raise ValueError(msg)
    cap = np.floor(cap).astype(np.int64)
    elig = {}
    for c in cats:
        if eligible is not None and c in eligible:
            e = np.asarray(eligible[c], dtype=bool).ravel()
            if e.size != n_cand:
                msg = f"eligible[{c}] must have {n_cand} entries."
                raise ValueError(msg)
        else:
            e = np.ones(n_cand, dtype=bool)
        elig[c] = e & (cap > 0)
    if (area_m2 is None) != (min_area_m2 is None):
        msg = "area_m2 and min_area_m2 must be given together."
        raise ValueError(msg)
    area = None
    mins = np.zeros(len(cats))
    if area_m2 is not None and min_area_m2 is not None:
        area = np.nan_to_num(np.asarray(area_m2, dtype=np.float64).ravel(), nan=0.0)
        if area.size != n_cand:
            msg = f"area_m2 must have {n_cand} entries."
            raise ValueError(msg)
        mins = np.array(
            [
                _positive_or_none(min_area_m2.get(c), f"min_area_m2[{c}]") or 0.0
                for c in cats
            ]
        )
        for i, c in enumerate(cats):
            elig[c] &= area >= mins[i]
    floor = floor_area_m2 if floor_area_m2 is not None else area_m2
    if floor is None:
        floor_arr = np.full(n_cand, np.nan)
    else:
        floor_arr = np.asarray(floor, dtype=np.float64).ravel()
        if floor_arr.size != n_cand:
            msg = f"floor_area_m2 must have {n_cand} entries."
            raise ValueError(msg)
    if embedded_bonus < 0 or not np.isfinite(embedded_bonus):
        msg = "embedded_bonus must be finite and non-negative."
        raise ValueError(msg)
    if method not in ("exact", "greedy"):
        msg = f"method must be 'exact' or 'greedy', got {method!r}."
        raise ValueError(msg)
    core = np.array([c in EMBEDDED_CORE_FUNCTIONS for c in cats])
    complex_ok = floor_arr >= EMBEDDED_MIN_FLOOR_AREA_M2
    params: dict[str, Any] = {
        "categories": cats,
        "k": dict(k_cat) if k_cat is not None else k_total,
        "embedded_bonus": embedded_bonus,
        "method": method,
        "n_candidates": n_cand,
    }

    def evaluate(
        x: BoolArray,
    ) -> tuple[float, dict[str, float], dict[str, BoolArray], IntArray]:
        cat_obj: dict[str, float] = {}
        covered: dict[str, BoolArray] = {}
        for i, c in enumerate(cats):
            cv = _covered_by(mats[c], np.flatnonzero(x[i]))
            covered[c] = cv
            cat_obj[c] = float(ws[c][cv].sum())
        n_fun = x.sum(axis=0)
        n_core = x[core].sum(axis=0) if core.any() else np.zeros(n_cand, np.int64)
        emb = np.flatnonzero(
            complex_ok
            & (n_fun >= EMBEDDED_MIN_FUNCTIONS)
            & (n_core >= EMBEDDED_MIN_CORE_FUNCTIONS)
        )
        total = sum(cat_obj.values()) + embedded_bonus * emb.size
        return total, cat_obj, covered, emb

    # --- greedy over (category, candidate) pairs --------------------------
    x_g = np.zeros((len(cats), n_cand), dtype=bool)
    remaining = {c: ws[c].copy() for c in cats}
    cap_left = cap.copy()
    area_left = area.copy() if area is not None else None
    k_left = dict(k_cat) if k_cat is not None else None
    total_left = k_total
    heap: list[tuple[float, int, int]] = []
    for i, c in enumerate(cats):
        gains = np.asarray(mats[c].astype(np.float64) @ ws[c]).ravel()
        heap.extend(
            (-float(gains[j]), i, int(j)) for j in np.flatnonzero((gains > 0) & elig[c])
        )
    heapq.heapify(heap)

    def feasible(i: int, j: int) -> bool:
        c = cats[i]
        if cap_left[j] <= 0 or x_g[i, j]:
            return False
        if k_left is not None and k_left[c] <= 0:
            return False
        return area_left is None or area_left[j] >= mins[i]

    while heap:
        if total_left is not None and total_left <= 0:
            break
        if k_left is not None and all(v <= 0 for v in k_left.values()):
            break
        _, i, j = heapq.heappop(heap)
        if not feasible(i, j):
            continue
        c = cats[i]
        cols = mats[c].indices[mats[c].indptr[j] : mats[c].indptr[j + 1]]
        g = float(remaining[c][cols].sum())
        if g <= 0:
            continue
        if heap and (-g, i, j) > heap[0]:
            heapq.heappush(heap, (-g, i, j))
            continue
        x_g[i, j] = True
        remaining[c][cols] = 0.0
        cap_left[j] -= 1
        if area_left is not None:
            area_left[j] -= mins[i]
        if k_left is not None:
            k_left[c] -= 1
        if total_left is not None:
            total_left -= 1
    g_total, g_cat, g_cov, g_emb = evaluate(x_g)

    def pack(
        x: BoolArray,
        method_name: str,
        status: str,
        gap: float | None,
        dual: float | None,
    ) -> MultiSolution:
        total, cat_obj, covered, emb = evaluate(x)
        return MultiSolution(
            chosen={
                c: np.flatnonzero(x[i]).astype(np.int64) for i, c in enumerate(cats)
            },
            objective=total,
            category_objective=cat_obj,
            covered=covered,
            embedded=emb.astype(np.int64),
            method=method_name,
            status=status,
            mip_gap=gap,
            dual_bound=dual,
            greedy_objective=g_total,
            gap_to_greedy=_gap(total, g_total),
            time_s=time.perf_counter() - t0,
            parameters=params,
        )

    if method == "greedy":
        return pack(x_g, "greedy", "heuristic", None, None)

    # --- MILP -------------------------------------------------------------
    nc = len(cats)
    nx = nc * n_cand
    demand_idx = {}
    subs = {}
    for c in cats:
        a = mats[c]
        d = np.flatnonzero((ws[c] > 0) & (np.asarray(a.sum(axis=0)).ravel() > 0))
        demand_idx[c] = d
        subs[c] = a[:, d].tocsc()
    ny = int(sum(d.size for d in demand_idx.values()))
    use_z = embedded_bonus > 0
    nz = n_cand if use_z else 0
    nvar = nx + ny + nz
    cost = np.zeros(nvar)
    ub = np.zeros(nvar)
    for i, c in enumerate(cats):
        ub[i * n_cand : (i + 1) * n_cand] = elig[c].astype(float)
    ub[nx : nx + ny] = 1.0
    if use_z:
        ub[nx + ny :] = complex_ok.astype(float)
        cost[nx + ny :] = -embedded_bonus
    rows_list: list[sp.csr_matrix] = []
    lo_list: list[FloatArray] = []
    hi_list: list[FloatArray] = []
    # linking rows: y_ci - Σ_j a_cij x_cj <= 0
    off = nx
    for i, c in enumerate(cats):
        d = demand_idx[c]
        if d.size == 0:
            continue
        cost[off : off + d.size] = -ws[c][d]
        at = subs[c].T.tocoo()  # demand x candidates
        r = np.concatenate([at.row, np.arange(d.size)])
        col = np.concatenate([at.col + i * n_cand, off + np.arange(d.size)])
        val = np.concatenate([-np.ones(at.nnz), np.ones(d.size)])
        rows_list.append(sp.csr_matrix((val, (r, col)), shape=(d.size, nvar)))
        lo_list.append(np.full(d.size, -np.inf))
        hi_list.append(np.zeros(d.size))
        off += d.size
    cand_ids = np.arange(n_cand)
    # capacity: Σ_c x_cj <= cap_j
    r = np.tile(cand_ids, nc)
    col = np.arange(nx)
    rows_list.append(sp.csr_matrix((np.ones(nx), (r, col)), shape=(n_cand, nvar)))
    lo_list.append(np.full(n_cand, -np.inf))
    hi_list.append(cap.astype(float))
    # area: Σ_c m_c x_cj <= A_j
    if area is not None and np.any(mins > 0):
        rows_list.append(
            sp.csr_matrix((np.repeat(mins, n_cand), (r, col)), shape=(n_cand, nvar))
        )
        lo_list.append(np.full(n_cand, -np.inf))
        hi_list.append(area)
    # budget
    if k_cat is not None:
        r = np.repeat(np.arange(nc), n_cand)
        rows_list.append(sp.csr_matrix((np.ones(nx), (r, col)), shape=(nc, nvar)))
        lo_list.append(np.full(nc, -np.inf))
        hi_list.append(np.array([float(k_cat[c]) for c in cats]))
    else:
        rows_list.append(
            sp.csr_matrix((np.ones(nx), (np.zeros(nx, int), col)), shape=(1, nvar))
        )
        lo_list.append(np.array([-np.inf]))
        hi_list.append(np.array([float(k_total or 0)]))
    # embedded complex: 3 z_j <= Σ_c x_cj ; 2 z_j <= Σ_core x_cj
    if use_z:
        zcol = nx + ny + cand_ids
        r = np.concatenate([np.tile(cand_ids, nc), cand_ids])
        c_ = np.concatenate([np.arange(nx), zcol])
        v = np.concatenate([-np.ones(nx), np.full(n_cand, EMBEDDED_MIN_FUNCTIONS)])
        rows_list.append(sp.csr_matrix((v, (r, c_)), shape=(n_cand, nvar)))
        core_cols = np.concatenate(
            [np.arange(i * n_cand, (i + 1) * n_cand) for i in range(nc) if core[i]]
            or [np.zeros(0, np.int64)]
        )
        r = np.concatenate([np.tile(cand_ids, int(core.sum())), cand_ids])
        c_ = np.concatenate([core_cols, zcol])
        v = np.concatenate(
            [-np.ones(core_cols.size), np.full(n_cand, EMBEDDED_MIN_CORE_FUNCTIONS)]
        )
        rows_list.append(sp.csr_matrix((v, (r, c_)), shape=(n_cand, nvar)))
        lo_list += [np.full(n_cand, -np.inf)] * 2
        hi_list += [np.zeros(n_cand)] * 2
    a_all = sp.vstack(rows_list).tocsr()
    integrality = np.zeros(nvar)
    integrality[:nx] = 1
    integrality[nx + ny :] = 1
    res = milp(
        cost,
        constraints=[
            LinearConstraint(a_all, np.concatenate(lo_list), np.concatenate(hi_list))
        ],
        integrality=integrality,
        bounds=Bounds(np.zeros(nvar), ub),
        options={"time_limit": float(time_limit_s), "mip_rel_gap": mip_rel_gap},
    )
    status = _STATUS.get(int(res.status), "error")
    dual = (
        float(-res.mip_dual_bound)
        if getattr(res, "mip_dual_bound", None) is not None
        else None
    )
    gap = float(res.mip_gap) if getattr(res, "mip_gap", None) is not None else None
    if res.x is not None:
        x_e = (res.x[:nx] > 0.5).reshape(nc, n_cand)
        e_total = evaluate(x_e)[0]
        if e_total >= g_total:
            return pack(x_e, "exact", status, gap, dual)
    label = (
        "greedy (exact hit the time limit)"
        if status == "time_limit"
        else f"greedy (exact status {status})"
    )
    return pack(x_g, label, status, gap, dual)
