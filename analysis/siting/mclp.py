"""One category: the maximal covering location problem, greedy and exact (HiGHS)."""

from __future__ import annotations

import heapq
import time
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.optimize import Bounds, LinearConstraint, milp

from analysis.siting.checks import _as_cover, _as_weights, _check_k
from analysis.siting.results import BoolArray, FloatArray, IntArray, Solution


def _covered_by(a: sp.csr_matrix, chosen: IntArray) -> BoolArray:
    covered = np.zeros(a.shape[1], dtype=bool)
    if chosen.size:
        covered[a[chosen].indices] = True
    return covered


def greedy_mclp(
    cover: sp.spmatrix | sp.sparray, weights: ArrayLike, k: int
) -> Solution:
    """
    Maximal covering location: choose up to ``k`` sites greedily.

    Parameters
    ----------
    cover
        Boolean candidates x communities matrix (:func:`coverage_matrix`).
    weights
        Demand weight per community (:func:`demand_weights`).
    k
        Maximum number of new sites.

    Returns
    -------
    Solution
        Chosen sites in pick order.  Fewer than ``k`` are returned when no
        remaining site adds weight.

    Notes
    -----
    Lazy greedy (a max-heap of stale upper bounds; submodularity makes a
    re-evaluated gain that still tops the heap the true best).  Ties are
    broken by the lowest candidate index.  Greedy is a (1 - 1/e)
    approximation; :func:`exact_mclp` solves the MILP.
    """
    t0 = time.perf_counter()
    a = _as_cover(cover)
    w = _as_weights(weights, a.shape[1])
    k = _check_k(k)
    n_cand = a.shape[0]
    indptr, indices = a.indptr, a.indices
    remaining = w.copy()
    gains = np.asarray(a.astype(np.float64) @ w).ravel()
    heap = [(-float(g), j) for j, g in enumerate(gains) if g > 0]
    heapq.heapify(heap)
    chosen: list[int] = []
    objective = 0.0
    while heap and len(chosen) < k:
        _, j = heapq.heappop(heap)
        g = float(remaining[indices[indptr[j] : indptr[j + 1]]].sum())
        if g <= 0:
            continue
        if heap and (-g, j) > heap[0]:
            heapq.heappush(heap, (-g, j))
            continue
        chosen.append(j)
        objective += g
        remaining[indices[indptr[j] : indptr[j + 1]]] = 0.0
    chosen_arr = np.asarray(chosen, dtype=np.int64)
    covered = _covered_by(a, chosen_arr)
    return Solution(
        chosen=chosen_arr,
        objective=float(w[covered].sum()),
        covered=covered,
        method="greedy",
        status="heuristic",
        greedy_objective=float(w[covered].sum()),
        gap_to_greedy=0.0,
        time_s=time.perf_counter() - t0,
        parameters={"k": k, "n_candidates": n_cand, "method": "greedy"},
    )


def _prune_useless(a: sp.csr_matrix, w: FloatArray, chosen: IntArray) -> IntArray:
    """Drop chosen sites whose removal loses no weight (the MILP may pick spares)."""
    keep = list(chosen)
    count = np.zeros(a.shape[1], dtype=np.int64)
    for j in keep:
        count[a.indices[a.indptr[j] : a.indptr[j + 1]]] += 1
    for j in sorted(keep, reverse=True):
        cols = a.indices[a.indptr[j] : a.indptr[j + 1]]
        if not np.any((count[cols] == 1) & (w[cols] > 0)):
            keep.remove(j)
            count[cols] -= 1
    return np.asarray(sorted(keep), dtype=np.int64)


def _gap(objective: float, other: float) -> float:
    return 0.0 if objective <= 0 else (objective - other) / objective


_STATUS = {
    0: "optimal",
    1: "time_limit",
    2: "infeasible",
    3: "unbounded",
    4: "error",
}


def exact_mclp(
    cover: sp.spmatrix | sp.sparray,
    weights: ArrayLike,
    k: int,
    *,
    time_limit_s: float = 30.0,
    mip_rel_gap: float = 1e-6,
) -> Solution:
    r"""
    Maximal covering location solved exactly with ``scipy.optimize.milp`` (HiGHS).

    Parameters
    ----------
    cover
        Boolean candidates x communities matrix (:func:`coverage_matrix`).
    weights
        Demand weight per community (:func:`demand_weights`).
    k
        Maximum number of new sites.
    time_limit_s
        HiGHS time limit in seconds.
    mip_rel_gap
        Relative MIP gap at which HiGHS stops.

    Returns
    -------
    Solution
        Chosen sites (ascending), objective, HiGHS status and MIP gap, the
        greedy objective on the same instance and the gap between the two.
        Never worse than greedy: if HiGHS stops early (time limit) with a worse
        incumbent or none, the greedy solution is returned and ``method`` says so.

    Notes
    -----
    Church & ReVelle (1974) MCLP with existing facilities fixed (their
    communities carry weight 0):

    .. math::

        \max \sum_i w_i y_i \quad\text{s.t.}\quad
        y_i \le \sum_{j \in N_i} x_j \;\forall i, \qquad
        \sum_j x_j \le k, \qquad x_j \in \{0, 1\}, \; 0 \le y_i \le 1.

    ``y`` may be continuous: for binary ``x`` and ``w_i > 0`` the optimum sets
    ``y_i = \min(1, \sum_{j \in N_i} x_j) \in \{0, 1\}``.  Communities with
    ``w_i = 0`` or no covering candidate are dropped from the model, and so are
    candidates that cover no demand.  Sites that add nothing are pruned.
    """
    t0 = time.perf_counter()
    a = _as_cover(cover)
    w = _as_weights(weights, a.shape[1])
    k = _check_k(k)
    if time_limit_s <= 0:
        msg = "time_limit_s must be positive."
        raise ValueError(msg)
    greedy = greedy_mclp(a, w, k)
    params = {
        "k": k,
        "n_candidates": a.shape[0],
        "method": "exact",
        "time_limit_s": time_limit_s,
        "mip_rel_gap": mip_rel_gap,
    }
    demand = np.flatnonzero((w > 0) & (np.asarray(a.sum(axis=0)).ravel() > 0))
    sub = a[:, demand].tocsr() if demand.size else a[:, :0].tocsr()
    cand = np.flatnonzero(np.diff(sub.indptr) > 0)
    if k == 0 or cand.size == 0 or demand.size == 0:
        return _replace_solution(
            greedy,
            "exact",
            "optimal",
            0.0,
            greedy.objective,
            greedy.objective,
            time.perf_counter() - t0,
            params,
        )
    sub = sub[cand]
    nx, ny = cand.size, demand.size
    wd = w[demand]
    c = np.concatenate([np.zeros(nx), -wd])
    # y_i - Σ_j a_ij x_j <= 0
    link = sp.hstack([-sub.T.astype(np.float64), sp.identity(ny, format="csr")])
    budget = sp.csr_matrix(np.concatenate([np.ones(nx), np.zeros(ny)])[None, :])
    cons = [
        LinearConstraint(link.tocsr(), -np.inf, 0.0),
        LinearConstraint(budget, -np.inf, float(k)),
    ]
    integrality = np.concatenate([np.ones(nx), np.zeros(ny)])
    res = milp(
        c,
        constraints=cons,
        integrality=integrality,
        bounds=Bounds(0.0, 1.0),
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
        chosen = cand[np.flatnonzero(res.x[:nx] > 0.5)]
        chosen = _prune_useless(a, w, chosen)
        covered = _covered_by(a, chosen)
        obj = float(w[covered].sum())
    else:
        chosen, covered, obj = greedy.chosen, greedy.covered, -np.inf
    if obj >= greedy.objective:
        return Solution(
            chosen=chosen,
            objective=obj,
            covered=covered,
            method="exact",
            status=status,
            mip_gap=gap,
            dual_bound=dual,
            greedy_objective=greedy.objective,
            gap_to_greedy=_gap(obj, greedy.objective),
            time_s=time.perf_counter() - t0,
            parameters=params,
        )
    # HiGHS stopped early with a worse (or no) incumbent: keep greedy
    return _replace_solution(
        greedy,
        "greedy (exact hit the time limit)"
        if status == "time_limit"
        else f"greedy (exact status {status})",
        status,
        gap,
        greedy.objective,
        dual,
        time.perf_counter() - t0,
        params,
    )


def _replace_solution(
    base: Solution,
    method: str,
    status: str,
    gap: float | None,
    greedy_objective: float,
    dual: float | None,
    time_s: float,
    params: dict[str, Any],
) -> Solution:
    return Solution(
        chosen=base.chosen,
        objective=base.objective,
        covered=base.covered,
        method=method,
        status=status,
        mip_gap=gap,
        dual_bound=dual,
        greedy_objective=greedy_objective,
        gap_to_greedy=_gap(base.objective, greedy_objective),
        time_s=time_s,
        parameters=params,
    )
