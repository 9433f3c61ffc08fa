"""Time block bundling at city scale: adjacency graph alone beside the full bundling.

Run: ``.venv/bin/python benchmarks/bundling.py [--gap-m 30] [--seed 42]
[--selected all|eligible]``.

- When the database holds ≥ 3 000 communities (``make_demo --scale city``), times
  :func:`analysis.adjacency.community_adjacency` on the loaded communities and
  barriers, then the service :func:`blocks.services.bundle_run` end to end (read,
  bundle, dissolve, store, nearby plots) and counts its queries. This writes a
  bundling run to that DB, superseding the blocks of the previous run (the store
  time depends on how many: it is printed).
- Otherwise generates the city in memory with
  ``geoapp.demo.generator.generate_city(scale="city")`` and times the pure
  :func:`analysis.bundling.bundle_blocks` (+ ``dissolve_blocks``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoapp.settings.dev")

CITY_MIN = 3000


def _timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--gap-m", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--in-memory", action="store_true", help="ignore the database")
    ap.add_argument(
        "--selected",
        choices=["all", "eligible"],
        default="all",
        help="communities to bundle (database mode): all in scope, or 二(一) eligible",
    )
    args = ap.parse_args()

    import django

    django.setup()
    from analysis.adjacency import community_adjacency
    from analysis.bundling import bundle_blocks, dissolve_blocks
    from layers.models import Community

    n_db = 0
    if not args.in_memory:
        try:
            n_db = Community.objects.count()
        except Exception as exc:  # noqa: BLE001 - no DB: fall back to memory
            print(f"database not usable ({exc}); generating in memory")
    if n_db >= CITY_MIN:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from accounts.permissions import SYSTEM
        from blocks import selectors, services

        comm = selectors.community_frame()
        barriers = selectors.barrier_series()
        adj, t_adj = _timed(
            community_adjacency, comm, gap_m=args.gap_m, barriers=barriers
        )
        selected = None if args.selected == "all" else args.selected
        with CaptureQueriesContext(connection) as queries:
            run, t_run = _timed(
                services.bundle_run,
                gap_m=args.gap_m,
                seed=args.seed,
                selected=selected,
                user=SYSTEM,  # the service checks the actor: the benchmark is the system
            )
        s = run.summary
        print(f"source: database, {len(comm)} communities, {len(barriers)} barriers")
        print(
            f"adjacency graph build     : {t_adj:7.3f} s ({adj.edges.shape[0]} edges)"
        )
        print(
            f"bundle_run (service, e2e) : {t_run:7.3f} s  "
            f"[read {s['timings']['read_s']:.2f} s, bundle+dissolve "
            f"{s['timings']['bundle_s']:.2f} s, store {s['timings']['store_s']:.2f} s]"
        )
        print(
            f"blocks: {s['n_blocks']} (new {s['n_new_blocks']}, locked kept "
            f"{len(s['locked_kept'])}), superseded: {len(s['superseded'])}, "
            f"unassigned: {s['n_unassigned']} (run #{run.pk}, selected {args.selected})"
        )
        print(f"queries in bundle_run       : {len(queries.captured_queries)}")
        return

    from geoapp.demo.generator import generate_city

    city, t_gen = _timed(generate_city, seed=args.seed, scale="city")
    comm = city.communities.set_index("code", drop=False)
    segs = city.walk_segments
    barriers = segs.geometry[segs["is_barrier"].astype(bool)]
    print(
        f"source: generate_city(scale='city') in memory ({t_gen:.1f} s), "
        f"{len(comm)} communities, {len(barriers)} barriers"
    )
    adj, t_adj = _timed(community_adjacency, comm, gap_m=args.gap_m, barriers=barriers)
    res, t_bundle = _timed(
        bundle_blocks, comm, gap_m=args.gap_m, barriers=barriers, seed=args.seed
    )
    _, t_dissolve = _timed(dissolve_blocks, comm, res.labels, gap_m=args.gap_m)
    print(f"adjacency graph build     : {t_adj:7.3f} s ({adj.edges.shape[0]} edges)")
    print(f"bundle_blocks (full)      : {t_bundle:7.3f} s")
    print(f"dissolve_blocks           : {t_dissolve:7.3f} s")
    print(f"blocks: {len(res.blocks)}, unassigned: {len(res.unassigned)}")


if __name__ == "__main__":
    main()
