"""End-to-end benchmark of idle-plot siting at ``city`` scale on the database (issue 7).

Run from the repository root::

    .venv/bin/python benchmarks/siting.py [--no-load] [--keep] [--category elderly_daycare] [--k 20]

Sets up Django (``geoapp.settings.dev``). Unless ``--no-load``, loads the city-scale demo
(``make_demo --seed 42 --scale city``) only when fewer than 3 000 communities are stored
(``benchmarks/lifecircle.py`` does the same: whichever runs first loads it, the other
reuses it). **Loading replaces the demo in the dev database**; the small demo is loaded
back at the end only if this script loaded the city and ``--keep`` is not given.

Runs a life-circle run (in-process, so siting reuses its network), then prints the sizes
(candidates, communities, demand), the coverage-matrix time alone, greedy
(:func:`siting.services.siting_run` with ``method="greedy"``, end to end: read candidates
from PostGIS → results stored) time + objective, exact (HiGHS) time + objective + MIP gap
+ gap to greedy. Goals: greedy end to end < 2 s; exact end to end < 5 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoapp.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from accounts.permissions import SYSTEM  # noqa: E402
from analysis import siting as core  # noqa: E402
from layers import frames  # noqa: E402
from layers.models import Community  # noqa: E402
from lifecircle import services as lc  # noqa: E402
from siting import services  # noqa: E402
from siting.services import compute  # noqa: E402

CITY_MIN_COMMUNITIES = 3000
GOAL_GREEDY_S = 2.0
GOAL_EXACT_S = 5.0


def line(label: str, value: str, goal: str = "") -> None:
    print(f"  {label:<46s} {value:>14s}  {goal}")


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-load", action="store_true", help="use the data as it is")
    ap.add_argument("--keep", action="store_true", help="keep the city demo loaded")
    ap.add_argument("--category", default="elderly_daycare")
    ap.add_argument("--k", type=int, default=20)
    args = ap.parse_args()

    loaded = False
    n = Community.objects.count()
    if n < CITY_MIN_COMMUNITIES and not args.no_load:
        print(f"{n} communities stored: loading the city-scale demo (seed 42) …")
        t = time.perf_counter()
        call_command("make_demo", seed=42, scale="city", no_progress=True)
        loaded = True
        print(f"  loaded in {time.perf_counter() - t:.1f} s")
    else:
        print(f"{n} communities stored: using the data as it is")
    try:
        run_benchmark(args)
    finally:
        if loaded and not args.keep:
            print("reloading the small demo …")
            call_command("make_demo", seed=42, scale="small", no_progress=True)


def run_benchmark(args) -> None:
    t = time.perf_counter()
    lc_run = lc.lifecircle_run(user=SYSTEM)
    print(f"life-circle run #{lc_run.pk}: {time.perf_counter() - t:.2f} s")
    ctx = lc.run_context(lc_run)
    cat = args.category
    rule = ctx.rules.rule(cat)
    distance = float(ctx.result.thresholds_m[cat])

    # --- coverage matrix alone (same inputs as the service) -------------------
    # every plot not refused (consent="all"): the largest problem the service solves
    cand = core.siting_candidates(
        frames.idle_land_gdf(), frames.vacant_housing_gdf(), rule, consent="all"
    )
    comm = ctx.communities
    residents = core.community_residents(comm)
    w = core.demand_weights(
        ctx.result.distance_m[cat].to_numpy(float), residents, distance
    )
    st = ctx.result.access
    sites = compute._snap_sites(
        ctx.network, cand, float(ctx.result.parameters["snap_limit_m"])
    )
    t = time.perf_counter()
    cover, _dist = compute._coverage(
        ctx.network, sites, len(cand), st.ap_entry, st.ap_owner, w, distance
    )
    t_cover = time.perf_counter() - t

    print()
    print(f"siting {cat} ({rule.name}), {distance:.0f} m, k = {args.k}")
    line("network nodes / edges", f"{ctx.network.n_nodes} / {ctx.network.n_edges}")
    line(
        "candidates (idle land + vacant housing)",
        f"{len(cand)} ({int((cand['source'] == 'idle_land').sum())}"
        f" + {int((cand['source'] == 'vacant_housing').sum())})",
    )
    line("  off the network", str(int((~sites.reachable).sum())))
    line("communities", str(len(comm)))
    line("communities / residents lacking it", f"{int((w > 0).sum())} / {int(w.sum())}")
    line("coverage pairs (candidate x community)", str(int(cover.nnz)))
    line("coverage matrix alone", f"{t_cover:.3f} s")

    t = time.perf_counter()
    g = services.siting_run(
        user=SYSTEM,
        category=cat,
        k=args.k,
        method="greedy",
        consent_scope="all",
        lifecircle_run=lc_run,
    )
    t_g = time.perf_counter() - t
    go = g.summary["objectives"]["greedy"]
    gt = g.summary["timings"]
    t = time.perf_counter()
    e = services.siting_run(
        user=SYSTEM,
        category=cat,
        k=args.k,
        method="exact",
        consent_scope="all",
        lifecircle_run=lc_run,
    )
    t_e = time.perf_counter() - t
    eo = e.summary["objectives"]["exact"]
    et = e.summary["timings"]

    print()
    line(
        "greedy: objective (residents newly covered)",
        f"{go['objective_residents']:.0f}",
    )
    line("greedy: solver time", f"{go['time_s']:.4f} s")
    line(
        "greedy: end to end (siting_run)",
        f"{t_g:.3f} s",
        f"goal < {GOAL_GREEDY_S:.0f} s: {verdict(t_g < GOAL_GREEDY_S)}",
    )
    line(
        "  read / snap / coverage / store",
        f"{gt['read_s']:.2f}/{gt['snap_s']:.2f}/{gt['coverage_s']:.2f}/{gt['store_s']:.2f}",
    )
    line("exact: objective", f"{eo['objective_residents']:.0f}")
    line("exact: status / MIP gap", f"{eo['status']} / {eo['mip_gap']}")
    line(
        "exact: gap to greedy",
        f"{(eo['gap_to_greedy'] or 0.0):.4%}",
    )
    line("exact: solver time (incl. greedy)", f"{et['exact_s']:.4f} s")
    line(
        "exact: end to end (siting_run)",
        f"{t_e:.3f} s",
        f"goal < {GOAL_EXACT_S:.0f} s: {verdict(t_e < GOAL_EXACT_S)}",
    )
    assert eo["objective_residents"] >= go["objective_residents"] - 1e-6
    print(f"\nsiting runs #{g.pk} (greedy) and #{e.pk} (exact) stored.")


if __name__ == "__main__":
    main()
