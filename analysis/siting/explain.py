"""Residents per community, and which communities each chosen site serves."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from analysis.siting.checks import _as_cover, _as_weights
from analysis.siting.results import FloatArray, IntArray, Solution

# Persons per household when a community has no resident count (Zhejiang's
# 2020 census average is about 2.4; 2.5 is a round default) [C].
DEFAULT_PERSONS_PER_HOUSEHOLD = 2.5


def community_residents(
    communities: pd.DataFrame,
    weight_col: str = "residents",
    persons_per_household: float = DEFAULT_PERSONS_PER_HOUSEHOLD,
) -> FloatArray:
    """Residents per community, whole persons: ``weight_col``, else households x
    ``persons_per_household`` where it is missing, else 0."""
    return np.round(_community_weights(communities, weight_col, persons_per_household))


def _community_weights(
    communities: pd.DataFrame, weight_col: str, persons_per_household: float
) -> FloatArray:
    if weight_col in communities.columns:
        w = pd.to_numeric(communities[weight_col], errors="coerce").to_numpy(float)
    else:
        w = np.full(len(communities), np.nan)
    if np.isnan(w).any() and "households" in communities.columns:
        hh = pd.to_numeric(communities["households"], errors="coerce").to_numpy(float)
        w = np.where(np.isnan(w), hh * persons_per_household, w)
    return np.nan_to_num(w, nan=0.0)


def _codes(df: pd.DataFrame) -> NDArray[Any]:
    return df["code"].to_numpy() if "code" in df.columns else df.index.to_numpy()


def explain(
    solution: Solution,
    candidates: pd.DataFrame,
    communities: pd.DataFrame,
    cover: sp.spmatrix | sp.sparray,
    distances: sp.spmatrix | sp.sparray,
    *,
    weights: ArrayLike | None = None,
    weight_col: str = "residents",
    persons_per_household: float = DEFAULT_PERSONS_PER_HOUSEHOLD,
) -> pd.DataFrame:
    """
    Say, for every chosen site, which communities gain and by how much.

    Parameters
    ----------
    solution
        From :func:`greedy_mclp` or :func:`exact_mclp`.
    candidates
        Candidate table (row ``j`` = candidate ``j``), as from
        :func:`siting_candidates`.
    communities
        Community table (row ``i`` = community ``i``).
    cover
        The boolean coverage matrix the solution was computed on.
    distances
        Walk distances in metres with the structure of ``cover``
        (``Coverage.distance_m``).
    weights
        Demand weight per community (default: residents of every community;
        pass :func:`demand_weights` to count only communities that lacked the
        category).
    weight_col, persons_per_household
        Residents column and household-size fallback.

    Returns
    -------
    pandas.DataFrame
        One row per chosen site: ``candidate``, ``code``, ``name``, ``source``,
        ``kind``, ``owner``, ``consent``, ``area_m2``, ``area_basis``,
        ``residents_gained``, ``n_communities``, ``max_walk_m``,
        ``mean_walk_m`` and ``gains`` (a list of dicts ``{community,
        residents, walk_m}``).  Each gaining community is attributed to its
        nearest chosen site, so ``residents_gained`` sums to the objective.
    """
    a = _as_cover(cover)
    dist = sp.csr_matrix(distances)
    if dist.shape != a.shape:
        msg = "distances must have the shape of cover."
        raise ValueError(msg)
    if len(candidates) != a.shape[0] or len(communities) != a.shape[1]:
        msg = "candidates and communities must match the rows and columns of cover."
        raise ValueError(msg)
    if weights is None:
        w = _community_weights(communities, weight_col, persons_per_household)
    else:
        w = _as_weights(weights, a.shape[1])
    codes = _codes(communities)
    pop = _community_weights(communities, weight_col, persons_per_household)
    chosen = np.asarray(solution.chosen, dtype=np.int64)
    best_site = np.full(a.shape[1], -1, dtype=np.int64)
    best_d = np.full(a.shape[1], np.inf)
    for j in chosen:
        lo, hi = a.indptr[j], a.indptr[j + 1]
        cols = a.indices[lo:hi]
        # distances share cover's structure: look the values up per column
        drow = _row_lookup(dist, j, cols)
        better = (drow < best_d[cols]) | (
            (drow == best_d[cols]) & (j < best_site[cols])
        )
        best_d[cols[better]] = drow[better]
        best_site[cols[better]] = j
    rows = []
    for j in chosen:
        mine = np.flatnonzero((best_site == j) & (w > 0))
        gains = [
            {
                "community": codes[i],
                "residents": float(pop[i]),
                "walk_m": float(best_d[i]),
            }
            for i in mine
        ]
        walks = best_d[mine]
        rec = candidates.iloc[int(j)]
        rows.append(
            {
                "candidate": int(j),
                "code": rec.get("code"),
                "name": rec.get("name"),
                "source": rec.get("source"),
                "kind": rec.get("kind"),
                "owner": rec.get("owner"),
                "consent": rec.get("consent"),
                "area_m2": rec.get("area_m2"),
                "area_basis": rec.get("area_basis"),
                "residents_gained": float(w[mine].sum()),
                "n_communities": int(mine.size),
                "max_walk_m": float(walks.max()) if mine.size else np.nan,
                "mean_walk_m": float(walks.mean()) if mine.size else np.nan,
                "gains": gains,
            }
        )
    return pd.DataFrame(rows)


def _row_lookup(m: sp.csr_matrix, j: int, cols: IntArray) -> FloatArray:
    lo, hi = m.indptr[j], m.indptr[j + 1]
    idx = m.indices[lo:hi]
    data = m.data[lo:hi]
    order = np.argsort(idx)
    pos = np.searchsorted(idx[order], cols)
    pos = np.clip(pos, 0, max(idx.size - 1, 0))
    out = np.full(cols.size, np.inf)
    if idx.size:
        hit = idx[order][pos] == cols
        out[hit] = data[order][pos[hit]]
    return out
