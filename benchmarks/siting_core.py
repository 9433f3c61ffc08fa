"""Benchmark the siting array core at city scale on a seeded synthetic grid.

Run::

    cd /work/main && /tmp/req/venv/bin/python -m benchmarks.siting_core [--seed 0] [--tiers 300 500 1000]

The synthetic city is a 448 x 448 street grid (200,704 nodes, 50 m blocks,
about 22 km x 22 km, the scale of Ningbo's central districts) with 2,000
candidate sites (idle plots / vacant housing, 0-40 m snap offsets), 3,000
communities (1-3 entrances each, 500-8,000 residents) and 400 existing
facilities of the category, which stay fixed: only communities farther than the
tier distance from all of them count as demand.  ``k = 20`` new sites.

For each tier it prints the coverage-matrix time alone (both run directions),
greedy time + objective (coverage matrix included = end to end), exact time +
objective + MIP gap + gap to greedy.  Goals: greedy end to end < 2 s, exact < 5 s.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from analysis.siting import (
    coverage_matrix,
    demand_weights,
    exact_mclp,
    greedy_mclp,
)

SIDE = 448  # 448**2 = 200,704 nodes
BLOCK_M = 50.0
N_CANDIDATES = 2_000
N_COMMUNITIES = 3_000
N_EXISTING = 400
K = 20


def grid_graph(side: int, block_m: float, rng: np.random.Generator) -> sp.csr_matrix:
    """Two-way grid; edge lengths jittered ±20 % so that ties are rare."""
    idx = np.arange(side * side).reshape(side, side)
    a = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    b = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    w = block_m * rng.uniform(0.8, 1.2, a.size)
    rows, cols = np.concatenate([a, b]), np.concatenate([b, a])
    return sp.csr_matrix((np.concatenate([w, w]), (rows, cols)), shape=(idx.size,) * 2)


def synthetic_city(seed: int) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    graph = grid_graph(SIDE, BLOCK_M, rng)
    n = graph.shape[0]
    n_entr = rng.integers(1, 4, N_COMMUNITIES)
    access = rng.integers(0, n, int(n_entr.sum()))
    access_comm = np.repeat(np.arange(N_COMMUNITIES), n_entr)
    return {
        "graph": graph,
        "candidate_nodes": rng.integers(0, n, N_CANDIDATES),
        "candidate_offsets_m": rng.uniform(0, 40, N_CANDIDATES),
        "access_nodes": access,
        "access_community": access_comm,
        "residents": rng.integers(500, 8_000, N_COMMUNITIES).astype(float),
        "existing": rng.integers(0, n, N_EXISTING),
    }


def current_distance(city: dict, limit_m: float) -> np.ndarray:
    """What walkshed.py provides: nearest existing facility per community."""
    d = dijkstra(
        city["graph"],
        directed=False,
        indices=city["existing"],
        limit=limit_m,
        min_only=True,
    )
    per_access = d[city["access_nodes"]]
    out = np.full(N_COMMUNITIES, np.inf)
    np.minimum.at(out, city["access_community"], per_access)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--tiers", type=float, nargs="+", default=[300.0, 500.0, 1000.0]
    )
    parser.add_argument("--k", type=int, default=K)
    args = parser.parse_args()

    t = time.perf_counter()
    city = synthetic_city(args.seed)
    g = city["graph"]
    print(
        f"city: {g.shape[0]:,} nodes, {g.nnz // 2:,} edges, {N_CANDIDATES:,} candidates, "
        f"{N_COMMUNITIES:,} communities ({city['access_nodes'].size:,} entrances), "
        f"k={args.k}, built in {time.perf_counter() - t:.2f} s"
    )
    for tier in args.tiers:
        current = current_distance(city, tier)  # walkshed.py's job, not timed
        w = demand_weights(current, city["residents"], tier)
        common = {
            "candidate_offsets_m": city["candidate_offsets_m"],
            "access_community": city["access_community"],
        }
        times = {}
        for direction in ("candidates", "communities"):
            for subgraph in (True, False):
                cov = coverage_matrix(
                    g,
                    city["candidate_nodes"],
                    city["access_nodes"],
                    tier,
                    direction=direction,
                    subgraph=subgraph,
                    **common,
                )
                times[direction, subgraph] = cov.time_s
        # end to end = demand + coverage matrix of the demand (auto) + solver
        t0 = time.perf_counter()
        w = demand_weights(current, city["residents"], tier)
        cov = coverage_matrix(
            g,
            city["candidate_nodes"],
            city["access_nodes"],
            tier,
            only_communities=w > 0,
            **common,
        )
        greedy = greedy_mclp(cov.cover, w, args.k)
        t_greedy = time.perf_counter() - t0
        t0 = time.perf_counter()
        w = demand_weights(current, city["residents"], tier)
        cov2 = coverage_matrix(
            g,
            city["candidate_nodes"],
            city["access_nodes"],
            tier,
            only_communities=w > 0,
            **common,
        )
        exact = exact_mclp(cov2.cover, w, args.k, time_limit_s=30)
        t_exact = time.perf_counter() - t0
        print(
            f"\n-- tier {tier:.0f} m: demand {int((w > 0).sum()):,} communities "
            f"lacking, {w.sum():,.0f} residents; cover nnz {cov.cover.nnz:,}"
        )
        print(
            "coverage matrix (ball-union subgraph / plain per-source): "
            f"from candidates {times['candidates', True]:.2f} / "
            f"{times['candidates', False]:.2f} s, from communities "
            f"{times['communities', True]:.2f} / {times['communities', False]:.2f} s"
            f"; demand columns only (auto -> {cov.direction}): {cov.time_s:.2f} s"
        )
        print(
            f"greedy: {t_greedy:.2f} s end to end (solver {greedy.time_s:.3f} s), "
            f"objective {greedy.objective:,.0f}"
        )
        print(
            f"exact:  {t_exact:.2f} s end to end (solver {exact.time_s:.3f} s), "
            f"objective {exact.objective:,.0f}, status {exact.status}, "
            f"MIP gap {exact.mip_gap if exact.mip_gap is not None else float('nan'):.2e}, "
            f"gap to greedy {exact.gap_to_greedy:.4%} ({exact.method})"
        )


if __name__ == "__main__":
    main()
