"""Benchmark of the life-circle engine on a city-sized network.

Run::

    /tmp/req/venv/bin/python benchmarks/lifecircle_core.py [--source auto|demo|synthetic]

``auto`` uses the demo city generator (``geoapp.demo.generator.generate_city(
scale="city")``) when it imports and runs, otherwise a seeded synthetic jittered
grid of ~200 000 nodes, 3 000 communities and 50 000 amenities over the rule
set's categories. Prints sizes, network build time, routing time for all
categories, full ``life_circle`` time, a bare scipy multi-source Dijkstra
reference on the same graph, networkx on a subsample and a one-facility
``what_if``. Goals: routing within 1.5x of the scipy reference; the full
analysis well under 5 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.network import NetworkEntry, build_network  # noqa: E402
from analysis.rules import RuleSet, load_ruleset  # noqa: E402
from analysis.walkshed import (  # noqa: E402
    life_circle,
    what_if,
)
from analysis.walkshed.routing import _route  # noqa: E402

CRS = "EPSG:4549"


def synthetic_city(
    seed: int = 7,
    side: int = 448,
    step_m: float = 80.0,
    n_communities: int = 3000,
    n_amenities: int = 50_000,
    categories: tuple[str, ...] = (),
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Jittered grid (side² nodes, ~8 % of edges removed), communities, amenities."""
    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    xy = np.stack([ii, jj], -1).astype(float) * step_m
    xy += rng.uniform(-0.2 * step_m, 0.2 * step_m, xy.shape)
    a_h = xy[:-1, :, :].reshape(-1, 2)
    b_h = xy[1:, :, :].reshape(-1, 2)
    a_v = xy[:, :-1, :].reshape(-1, 2)
    b_v = xy[:, 1:, :].reshape(-1, 2)
    a = np.vstack([a_h, a_v])
    b = np.vstack([b_h, b_v])
    keep = rng.random(a.shape[0]) > 0.08
    coords = np.stack([a[keep], b[keep]], 1)
    segs = gpd.GeoDataFrame(geometry=shapely.linestrings(coords), crs=CRS)
    extent = (side - 1) * step_m
    cx, cy = rng.uniform(0, extent - 200, (2, n_communities))
    w, h = rng.uniform(80, 250, (2, n_communities))
    comm = gpd.GeoDataFrame(
        {
            "code": [f"C{i:05d}" for i in range(n_communities)],
            "street_code": [f"S{k:03d}" for k in rng.integers(0, 120, n_communities)],
            "district_code": [f"D{k}" for k in rng.integers(0, 6, n_communities)],
            "residents": rng.integers(300, 6000, n_communities),
        },
        geometry=shapely.box(cx, cy, cx + w, cy + h),
        crs=CRS,
    )
    cats = np.asarray(categories)
    weights = rng.uniform(0.3, 3.0, cats.size)
    am = gpd.GeoDataFrame(
        {
            "code": [f"A{i:06d}" for i in range(n_amenities)],
            "category": rng.choice(cats, n_amenities, p=weights / weights.sum()),
        },
        geometry=gpd.points_from_xy(*rng.uniform(0, extent, (2, n_amenities))),
        crs=CRS,
    )
    return segs, comm, am


def demo_city() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The demo city generator's ``scale="city"`` layers."""
    from geoapp.demo.generator import generate_city

    city = generate_city(seed=42, scale="city")
    return city.walk_segments, city.communities, city.amenities


def timed(label: str, fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """Run ``fn`` and print its wall time."""
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    dt = time.perf_counter() - t0
    print(f"{label:<48s} {dt:8.3f} s")
    return out, dt


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", choices=["auto", "demo", "synthetic"], default="auto"
    )
    args = parser.parse_args()
    rs: RuleSet = load_ruleset(
        json.loads(
            (ROOT / "fixtures/rulesets/gb50180_2018.json").read_text(encoding="utf-8")
        )
    )
    source = args.source
    segs = comm = am = None
    if source in ("auto", "demo"):
        try:
            (segs, comm, am), _ = timed(
                "demo city generate_city(scale='city')", demo_city
            )
            source = "demo"
        except Exception as exc:  # the generator is another engineer's work in progress
            if args.source == "demo":
                raise
            print(f"demo generator unavailable ({exc!r}); using the synthetic grid")
    if segs is None:
        (segs, comm, am), _ = timed(
            "synthetic city", synthetic_city, categories=rs.codes
        )
        source = "synthetic"
    assert comm is not None and am is not None  # for the type checker only

    net, t_build = timed("build_network", build_network, segs)
    print(
        f"source={source}  segments={len(segs):,}  nodes={net.n_nodes:,}  "
        f"edges={net.n_edges:,}  components={net.n_components:,} "
        f"(largest {int(net.component_sizes.max()):,})"
    )
    cats = [c for c in rs.codes if (am["category"] == c).any()]
    print(
        f"communities={len(comm):,}  amenities={len(am):,}  "
        f"categories with amenities={len(cats)}"
    )
    limit = rs.max_distance_m()

    # --- routing: one offset-aware multi-source Dijkstra per category
    xy = np.column_stack([am.geometry.x, am.geometry.y])
    snap, _ = timed("snap amenities", net.snap_points, xy)
    ok = np.flatnonzero(snap.reachable)
    entries = NetworkEntry.from_snap(net, snap, ok)
    am_cat = am["category"].to_numpy()[ok]
    from analysis.walkshed import nearest_distance

    t0 = time.perf_counter()
    for c in cats:
        src = entries.take(np.flatnonzero(am_cat == c))
        nearest_distance(
            net.csr,
            np.concatenate([src.u, src.v]),
            limit,
            offsets_m=np.concatenate([src.cost_u, src.cost_v]),
        )
    t_route = time.perf_counter() - t0
    print(f"{'routing, all categories (nearest_distance)':<48s} {t_route:8.3f} s")

    # --- reference: bare scipy multi-source Dijkstra from the nearest nodes
    nodes = snap.node_index[ok]
    t0 = time.perf_counter()
    for c in cats:
        dijkstra(
            net.csr,
            directed=True,
            indices=np.unique(nodes[am_cat == c]),
            min_only=True,
            limit=limit,
        )
    t_ref = time.perf_counter() - t0
    print(f"{'reference scipy dijkstra, all categories':<48s} {t_ref:8.3f} s")
    print(f"{'  ratio routing / reference':<48s} {t_route / t_ref:8.2f} x")

    # --- full analysis
    result, t_full = timed(
        "life_circle (full, all categories)", life_circle, net, comm, am, rs
    )
    print(
        f"  unreachable amenities={len(result.unreachable_amenities):,}  "
        f"unreachable communities={len(result.unreachable_communities):,}  "
        f"mean score={result.score.mean():.1f}  "
        f"tier 15 met={result.tiers_met[15].mean():.1%}"
    )
    _, t_fast = timed(
        "life_circle (limit_per_category=True)",
        life_circle,
        net,
        comm,
        am,
        rs,
        limit_per_category=True,
    )
    _, t_line = timed("life_circle (straight line)", life_circle, None, comm, am, rs)

    # --- networkx on a subsample of categories
    g, _ = timed("networkx graph from csr", nx.from_scipy_sparse_array, net.csr)
    sub = cats[:2]
    t0 = time.perf_counter()
    for c in sub:
        nx.multi_source_dijkstra_path_length(
            g, set(np.unique(nodes[am_cat == c]).tolist()), cutoff=limit
        )
    t_nx = time.perf_counter() - t0
    print(
        f"{f'networkx multi-source, {len(sub)} categories':<48s} {t_nx:8.3f} s "
        f"(≈{t_nx / len(sub) * len(cats):.1f} s for all {len(cats)})"
    )

    # --- one-facility what-if
    rng = np.random.default_rng(1)
    pick = am.iloc[[int(rng.integers(len(am)))]]
    added = gpd.GeoDataFrame(
        {"code": ["NEW"], "category": [pick["category"].iloc[0]]},
        geometry=pick.geometry.translate(37.0, -23.0).to_numpy(),
        crs=am.crs,
    )
    what_if(result, net, comm, added, rs)  # warm-up
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        what_if(result, net, comm, added, rs)
        runs.append(time.perf_counter() - t0)
    print(f"{'what_if, one facility (best of 5)':<48s} {min(runs):8.3f} s")
    t0 = time.perf_counter()
    src = NetworkEntry.from_snap(net, net.snap_points(xy[:1]), np.array([0]))
    _route(net, src, result.access.ap_entry, limit)  # type: ignore[arg-type]
    print(f"{'  of which routing one facility':<48s} {time.perf_counter() - t0:8.3f} s")
    print(
        f"\nsummary: build {t_build:.2f} s, routing {t_route:.2f} s vs scipy "
        f"{t_ref:.2f} s ({t_route / t_ref:.2f}x), full life_circle {t_full:.2f} s, "
        f"what-if {min(runs) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
