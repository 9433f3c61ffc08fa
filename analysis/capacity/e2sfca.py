"""The enhanced two-step floating catchment (Luo & Qi 2009) over a cost matrix: distance decay, R_j and A_i."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from analysis.rules import DistanceDecay

FloatArray = npt.NDArray[np.float64]


IntArray = npt.NDArray[np.int64]


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
