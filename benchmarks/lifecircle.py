"""End-to-end benchmark of the 15-minute life circle at ``city`` scale (issue 5).

Run from the repository root::

    .venv/bin/python benchmarks/lifecircle.py [--no-load] [--keep] [--profile]

Sets up Django (``geoapp.settings.dev``) and, unless ``--no-load``, loads the
city-scale demo (``make_demo --seed 42 --scale city``) when fewer than 3 000
communities are stored. **This replaces the demo in the database it is given**; when
it did, the small demo (``make_demo --seed 42 --scale small``, what ``make run``
expects) is loaded back at the end unless ``--keep``. A city it found already loaded
(``--no-load`` on a city database) stays.

Prints the sizes, the end-to-end time of
:func:`lifecircle.services.lifecircle_run` (read from PostGIS → results
stored) with its internal timings, twice: *cold* (in-process caches emptied, as
in a fresh worker) and *warm* (second run on unchanged data: walk network,
amenities and their snapping come from the caches keyed by the layers' change
stamps), the routing time beside references computed
in the same run on the same graph (bare ``scipy.sparse.csgraph.dijkstra`` with
``min_only=True, limit=1000`` once per category, networkx
``multi_source_dijkstra_path_length`` on 3 categories, extrapolated) and the
latency of a one-facility what-if through the API (20 warm POSTs, p50/p95).
Timings are wall clock: on a loaded machine compare them with the scipy
reference printed in the same run. Goals: end to end < 5 s, routing <= 1.5x the scipy reference, what-if < 0.2 s.
``--profile`` adds a cProfile of both end-to-end runs (top functions by
cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoapp.settings.dev")

import django  # noqa: E402

django.setup()

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.gis.db.models.functions import (  # noqa: E402
    PointOnSurface,
    Transform,
)
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from scipy.sparse.csgraph import dijkstra  # noqa: E402

from accounts.models import Profile, Role  # noqa: E402
from accounts.permissions import SYSTEM  # noqa: E402
from analysis.forked import map_forked  # noqa: E402
from analysis.network import NetworkEntry, network_from_coords  # noqa: E402
from analysis.walkshed import nearest_distance  # noqa: E402
from layers import frames  # noqa: E402
from layers.models import Amenity, Community, WalkSegment  # noqa: E402
from lifecircle import services as svc  # noqa: E402
from lifecircle.models import CoverageResult  # noqa: E402
from lifecircle.rulesets import ruleset_get, ruleset_load  # noqa: E402

CITY_MIN_COMMUNITIES = 3000
GOAL_END_TO_END_S = 5.0
GOAL_ROUTING_RATIO = 1.5
GOAL_WHAT_IF_S = 0.2
LIMIT_M = 1000.0
NX_CATEGORIES = 3
WHAT_IF_REPEATS = 20


def line(label: str, value: str, goal: str = "") -> None:
    """Print one aligned result line."""
    print(f"  {label:<46s} {value:>14s}  {goal}")


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def ensure_city(no_load: bool) -> bool:
    """Load the city-scale demo unless already there; return True when loaded now."""
    n = Community.objects.count()
    if n >= CITY_MIN_COMMUNITIES:
        print(f"city-scale demo already loaded ({n:,} communities)")
        return False
    if no_load:
        print(
            f"--no-load: only {n:,} communities stored (< {CITY_MIN_COMMUNITIES:,}); "
            "benchmarking what is there, NOT city scale"
        )
        return False
    print(
        "NOTE: loading the city-scale demo (make_demo --seed 42 --scale city); this "
        "REPLACES the demo city in the dev database"
    )
    t0 = time.perf_counter()
    call_command("make_demo", seed=42, scale="city", no_progress=True)
    print(f"  loaded in {time.perf_counter() - t0:.1f} s")
    return True


def sizes() -> None:
    cats = Amenity.objects.values("category").distinct().count()
    print("sizes")
    line("communities", f"{Community.objects.count():,}")
    line("amenities", f"{Amenity.objects.count():,}")
    line("amenity categories (with amenities)", f"{cats}")
    line("walk segments", f"{WalkSegment.objects.count():,}")


def _one_run(label: str, profile: bool):
    pr = cProfile.Profile() if profile else None
    t0 = time.perf_counter()
    if pr:
        pr.enable()
    run = svc.lifecircle_run(user=SYSTEM)
    if pr:
        pr.disable()
    wall = time.perf_counter() - t0
    s = run.summary
    cache = s.get("cache") or {}
    hits = ", ".join(k for k, v in cache.items() if v) or "none"
    print(
        f"end to end, {label}: lifecircle_run(user=SYSTEM) (read PostGIS -> route -> store)"
    )
    line(
        "wall time",
        f"{wall:.2f} s",
        f"goal < {GOAL_END_TO_END_S:.0f} s: {verdict(wall < GOAL_END_TO_END_S)}",
    )
    for k, v in s["timings"].items():
        line(f"  {k}", f"{v:.2f} s")
    other = wall - sum(s["timings"].values())
    line("  other (version stamps, run bookkeeping, summary)", f"{other:.2f} s")
    line("  in-process cache hits", hits)
    line(
        "coverage results stored",
        f"{CoverageResult.objects.filter(run=run).count():,}",
    )
    line("mean coverage score", f"{s['mean_score']}")
    if pr:
        out = io.StringIO()
        pstats.Stats(pr, stream=out).sort_stats("cumulative").print_stats(30)
        print(f"cProfile of lifecircle_run ({label}), top 30 by cumulative time")
        print(out.getvalue())
    return run, wall


def end_to_end(profile: bool):
    """Run lifecircle_run twice: cold (empty in-process caches) then warm.

    Cold is what a fresh worker process pays (read everything, build the network,
    snap); warm is a second run on unchanged data in the same process, where the
    walk network, the amenity points and their snapping come from the caches keyed
    by the layers' change stamps (the run still reads the communities, routes every
    category and stores every result).
    """
    svc.cache_clear()
    cold_run, cold = _one_run("cold (fresh caches)", profile)
    s = cold_run.summary
    net = s.get("network") or {}
    line("network nodes", f"{net.get('nodes', 0):,}")
    line("network edges", f"{net.get('edges', 0):,}")
    line("network components", f"{net.get('components', 0):,}")
    warm_run, warm = _one_run("warm (same process, unchanged data)", profile)
    return cold_run, warm_run, cold, warm


def routing(run) -> float:
    """Engine routing vs bare scipy and networkx on the same graph."""
    net = network_from_coords(*frames.walk_segment_arrays())
    am = frames.amenities_gdf()
    rules = ruleset_load(run.ruleset or ruleset_get(None))
    xy = np.column_stack([am.geometry.x.to_numpy(), am.geometry.y.to_numpy()])
    snap = net.snap_points(xy, max_distance_m=run.parameters.get("snap_limit_m", 150.0))
    ok = np.flatnonzero(snap.reachable)
    entries = NetworkEntry.from_snap(net, snap, ok)
    am_cat = am["category"].astype(str).to_numpy()[ok]
    cats = [c for c in rules.codes if (am_cat == c).any()]

    def engine(c: str) -> float:
        src = entries.take(np.flatnonzero(am_cat == c))
        d = nearest_distance(
            net.csr,
            np.concatenate([src.u, src.v]),
            LIMIT_M,
            offsets_m=np.concatenate([src.cost_u, src.cost_v]),
        )
        return float(np.isfinite(d).sum())

    t0 = time.perf_counter()
    serial = [engine(c) for c in cats]
    t_engine = time.perf_counter() - t0
    workers = svc.routing_workers()
    t0 = time.perf_counter()
    forked = map_forked(engine, cats, workers=workers)
    t_forked = time.perf_counter() - t0
    assert forked == serial, "forked routing differs from serial routing"

    # reference: all facility nodes of a category (both ends of the snapped edge)
    t0 = time.perf_counter()
    for c in cats:
        sel = am_cat == c
        nodes = np.unique(np.concatenate([entries.u[sel], entries.v[sel]]))
        dijkstra(net.csr, indices=nodes, min_only=True, limit=LIMIT_M)
    t_ref = time.perf_counter() - t0

    g = nx.from_scipy_sparse_array(net.csr)
    sub = cats[:NX_CATEGORIES]
    t0 = time.perf_counter()
    for c in sub:
        sel = am_cat == c
        nodes = set(np.concatenate([entries.u[sel], entries.v[sel]]).tolist())
        nx.multi_source_dijkstra_path_length(g, nodes, cutoff=LIMIT_M)
    t_nx = (time.perf_counter() - t0) / max(1, len(sub)) * len(cats)

    routing_s = run.summary["timings"]["routing_s"]
    print(f"routing ({len(cats)} categories, limit {LIMIT_M:.0f} m, same graph)")
    line(
        f"life_circle() inside the run ({workers} processes)",
        f"{routing_s:.2f} s",
    )
    line("engine Dijkstra only (nearest_distance, offsets)", f"{t_engine:.2f} s")
    line(f"  same, over {workers} forked processes", f"{t_forked:.2f} s")
    line("reference: bare scipy dijkstra min_only", f"{t_ref:.2f} s")
    ratio = t_engine / t_ref if t_ref else float("nan")
    line(
        "  ratio engine / reference",
        f"{ratio:.2f} x",
        f"goal <= {GOAL_ROUTING_RATIO} x: {verdict(ratio <= GOAL_ROUTING_RATIO)}",
    )
    ratio_all = routing_s / t_ref if t_ref else float("nan")
    line(
        "  ratio life_circle() / reference",
        f"{ratio_all:.2f} x",
        f"goal <= {GOAL_ROUTING_RATIO} x: {verdict(ratio_all <= GOAL_ROUTING_RATIO)}",
    )
    line(
        f"networkx multi-source ({len(sub)} cats, extrapolated)",
        f"{t_nx:.2f} s",
    )
    return t_ref


def what_if(run) -> None:
    """One-facility what-if through the API, warm, as a city administrator (the access
    policy lets planners use the what-if; a bare staff account has no role and gets 403)."""
    User = get_user_model()
    name = f"bench-lifecircle-{os.getpid()}"
    user = User.objects.create_user(username=name, password=None, is_staff=True)
    Profile.objects.update_or_create(user=user, defaults={"role": Role.CITY_ADMIN})
    try:
        client = Client(SERVER_NAME="localhost")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        c = (
            Community.objects.annotate(p=Transform(PointOnSurface("geom"), 4326))
            .order_by("code")
            .first()
        )
        body = {
            "facilities": [
                {"category": "elderly_daycare", "lon": c.p.x + 0.001, "lat": c.p.y}
            ]
        }
        url = f"/api/lifecircle/runs/{run.pk}/what-if/"
        try:
            r = client.post(url, body, content_type="application/json")  # warm-up
        except Exception as exc:  # noqa: BLE001 - report and time the service instead
            print(
                f"what-if via API failed ({type(exc).__name__}: {exc}); timing the service"
            )
            _what_if_service(run, body["facilities"])
            return
        if r.status_code != 200:
            print(f"what-if failed: HTTP {r.status_code} {r.content[:300]!r}")
            return
        times = []
        for _ in range(WHAT_IF_REPEATS):
            t0 = time.perf_counter()
            r = client.post(url, body, content_type="application/json")
            times.append(time.perf_counter() - t0)
        data = r.json()
        p50, p95 = np.percentile(times, [50, 95])
        print(f"what-if via API ({WHAT_IF_REPEATS} warm POSTs, one elderly_daycare)")
        line(
            "p50",
            f"{p50 * 1000:.0f} ms",
            f"goal < {GOAL_WHAT_IF_S * 1000:.0f} ms: {verdict(p50 < GOAL_WHAT_IF_S)}",
        )
        line(
            "p95",
            f"{p95 * 1000:.0f} ms",
            f"goal < {GOAL_WHAT_IF_S * 1000:.0f} ms: {verdict(p95 < GOAL_WHAT_IF_S)}",
        )
        line("  service elapsed_s (last)", f"{data['elapsed_s'] * 1000:.0f} ms")
        line("  communities newly covered", f"{data['communities_newly_covered']}")
    finally:
        user.delete()


def _what_if_service(run, facilities) -> None:
    """Fallback when the API cannot be reached: lifecircle_what_if() directly."""
    svc.lifecircle_what_if(run=run, facilities=facilities)
    times = []
    for _ in range(WHAT_IF_REPEATS):
        t0 = time.perf_counter()
        svc.lifecircle_what_if(run=run, facilities=facilities)
        times.append(time.perf_counter() - t0)
    p50, p95 = np.percentile(times, [50, 95])
    print(f"what-if via the service, NOT the API ({WHAT_IF_REPEATS} warm calls)")
    line("p50", f"{p50 * 1000:.0f} ms", f"goal < {GOAL_WHAT_IF_S * 1000:.0f} ms")
    line("p95", f"{p95 * 1000:.0f} ms", f"goal < {GOAL_WHAT_IF_S * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--no-load", action="store_true", help="do not load the city-scale demo"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the city-scale demo this run loaded (do not reload the small one)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the run")
    args = parser.parse_args()
    loaded = ensure_city(args.no_load)
    try:
        sizes()
        cold_run, run, cold, warm = end_to_end(args.profile)
        ref = routing(cold_run)
        what_if(run)
        print("summary (goals of issue 5)")
        line(
            "end to end, cold",
            f"{cold:.2f} s",
            f"goal < {GOAL_END_TO_END_S:.0f} s: {verdict(cold < GOAL_END_TO_END_S)}",
        )
        line(
            "end to end, warm",
            f"{warm:.2f} s",
            f"goal < {GOAL_END_TO_END_S:.0f} s: {verdict(warm < GOAL_END_TO_END_S)}",
        )
        if ref:
            line("routing reference (bare scipy, all categories)", f"{ref:.2f} s")
    finally:
        if not args.keep and loaded:
            print(
                "NOTE: reloading the small demo (make_demo --seed 42 --scale small) "
                "so the dev database is what `make run` expects (--keep skips this)"
            )
            t0 = time.perf_counter()
            call_command("make_demo", seed=42, scale="small", no_progress=True)
            print(f"  reloaded in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
