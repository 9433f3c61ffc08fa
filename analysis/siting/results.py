"""The results of a siting: coverage, one category's solution, several categories'."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Coverage:
    """
    Walk coverage of communities by candidate sites.

    Attributes
    ----------
    cover
        Boolean csr matrix (n_candidates x n_communities); ``True`` when the
        community is within ``distance_m`` of the candidate.
    distance_m
        Float csr matrix with exactly the sparsity structure of ``cover``
        (explicit zeros are kept): the walk distance in metres, including the
        snap offsets, from the community's nearest access point.
    distance_limit_m
        The coverage distance used.
    direction
        Which side the limited Dijkstra runs started from
        (``"candidates"`` or ``"communities"``).
    time_s
        Wall-clock seconds spent.
    """

    cover: sp.csr_matrix
    distance_m: sp.csr_matrix
    distance_limit_m: float
    direction: str
    time_s: float


@dataclass(frozen=True)
class Solution:
    """
    A chosen set of sites for one category (maximal covering location problem).

    Attributes
    ----------
    chosen
        Candidate indices; greedy order for the greedy method, ascending
        otherwise.
    objective
        Weight (residents) newly covered: Σ w_i over communities covered by at
        least one chosen site.
    covered
        Boolean array, per community, covered by the chosen sites.
    method
        ``"greedy"``, ``"exact"`` or ``"greedy (exact hit the time limit)"``.
    status
        Solver status text (``"optimal"``, ``"time_limit"``, ...).
    mip_gap
        Relative MIP gap reported by HiGHS (``None`` for greedy).
    dual_bound
        Upper bound on the optimum proved by HiGHS (``None`` for greedy).
    greedy_objective
        Objective of the greedy solution on the same instance.
    gap_to_greedy
        ``(objective - greedy_objective) / objective`` (0 when objective is 0).
    time_s
        Wall-clock seconds spent (exact includes the greedy run).
    parameters
        The parameters that produced the solution (for ``AnalysisRun``).
    """

    chosen: IntArray
    objective: float
    covered: BoolArray
    method: str
    status: str
    mip_gap: float | None = None
    dual_bound: float | None = None
    greedy_objective: float | None = None
    gap_to_greedy: float | None = None
    time_s: float = 0.0
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MultiSolution:
    """
    Sites chosen for several categories at once.

    Attributes
    ----------
    chosen
        Per category, the candidate indices hosting a new facility of it.
    objective
        Σ over categories of the newly covered weight, plus
        ``embedded_bonus`` per embedded service complex formed.
    category_objective
        Per category, the newly covered weight.
    covered
        Per category, boolean array of communities covered.
    embedded
        Candidate indices that form a 社区嵌入式服务综合体 (floor area ≥ 600 m²,
        ≥ 3 functions, ≥ 2 of them core functions).
    method, status, mip_gap, dual_bound, greedy_objective, gap_to_greedy, time_s,
    parameters
        As in :class:`Solution`.
    """

    chosen: dict[str, IntArray]
    objective: float
    category_objective: dict[str, float]
    covered: dict[str, BoolArray]
    embedded: IntArray
    method: str
    status: str
    mip_gap: float | None = None
    dual_bound: float | None = None
    greedy_objective: float | None = None
    gap_to_greedy: float | None = None
    time_s: float = 0.0
    parameters: dict[str, Any] = field(default_factory=dict)
