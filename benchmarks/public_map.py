"""Load test of the public map endpoints over loopback, beside the bare SQL time.

Assumes the database (``GEOAPP_DB_NAME``) holds a city-scale demo
(``manage.py make_demo --scale city`` and one ``manage.py lifecircle``). Starts a WSGI
server in a second process — stdlib ``wsgiref`` with a *fixed pool* of worker threads
(so persistent DB connections are reused: ``CONN_MAX_AGE`` in
``benchmarks/bench_settings.py``) — then drives a bounded number of requests per
endpoint from plain Python threads (urllib). Every endpoint gets a fixed request set
(seeded), sent twice: pass 1 is *cold* (cache misses), pass 2 the *warm* repeat of the
same set. Prints p50/p95 latency and errors (any status other than the expected one)
per endpoint and pass, beside the time of the bare SQL for the same data (run in this
process, no HTTP, no cache).

    python benchmarks/public_map.py [--requests 200] [--threads 8] [--seconds 30]
        [--server-threads 16] [--settings benchmarks.bench_settings]

The server's pool threads open their database sessions before the first request
(the session start-up, 150-380 ms for PostGIS and PROJ, is a web worker's first
request per thread, not a pan's cost); it serves through ``geoapp.wsgi``'s
connection hooks as gunicorn does.

"Pan" endpoints request a different bbox/tile each time (cold pass: mostly misses);
the others repeat one URL. "… 304" rows send the ETag of the previous answer.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.bench_settings")

SERVER = """
import os, sys
from concurrent.futures import ThreadPoolExecutor
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
sys.path.insert(0, {repo!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.bench_settings")
from django.core.wsgi import get_wsgi_application

class Server(WSGIServer):
    # a fixed pool (not a thread per request): thread-local DB connections persist
    request_queue_size = 256
    pool = ThreadPoolExecutor({threads})

    def process_request(self, request, client_address):
        self.pool.submit(self._work, request, client_address)

    def _work(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

class Quiet(WSGIRequestHandler):
    def log_message(self, *a):
        pass

app = get_wsgi_application()
# the web entry point's connection hooks (statement timeout; the tiles' transforms
# built when a session opens), as gunicorn serves it
import geoapp.wsgi  # noqa: E402, F401

# every pool thread opens its database sessions before the first request (each
# thread once, held together by a barrier): the measured requests find sessions as
# a web worker that has served before has them, where the first query of a new
# PostgreSQL session loads PostGIS and PROJ (150-380 ms, geoapp/wsgi.py)
import threading  # noqa: E402
from django.db import connections  # noqa: E402

_barrier = threading.Barrier({threads})


def _open_sessions():
    _barrier.wait(timeout=60)
    for alias in connections:
        connections[alias].ensure_connection()


for _f in [Server.pool.submit(_open_sessions) for _ in range({threads})]:
    _f.result()
make_server("127.0.0.1", {port}, app, server_class=Server, handler_class=Quiet).serve_forever()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    lr = math.radians(lat)
    y = (1 - math.log(math.tan(lr) + 1 / math.cos(lr)) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def fetch(url: str, headers: dict | None = None) -> tuple[object, bytes, dict]:
    """(status or exception name, body, headers) of one GET."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)
    except OSError as e:
        return type(e).__name__, b"", {}


def drive(
    base: str,
    requests: list[tuple[str, dict]],
    expect: int,
    threads: int,
    seconds: float,
) -> dict:
    """Send ``requests`` (path, headers) from ``threads`` threads; latency of good ones."""
    lat: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    todo = iter(requests)

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                item = next(todo, None)
            if item is None:
                return
            path, headers = item
            t0 = time.perf_counter()
            code, _body, _h = fetch(base + path, headers)
            dt = time.perf_counter() - t0
            with lock:
                if code == expect:
                    lat.append(dt)
                else:
                    errors[str(code)] = errors.get(str(code), 0) + 1

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    wall = time.perf_counter() - t0
    n = len(lat) + sum(errors.values())
    return {"lat": lat, "errors": errors, "wall": wall, "n": n}


def bare_sql_times(sample_code: str, pan_bbox, tiles14) -> dict[str, float]:
    """Median time of the same data without HTTP or cache (3 runs each)."""
    import django

    django.setup()
    from django.db import connection

    from layers import geojson
    from public import selectors, tiles

    def sql_of(qs):
        return qs.query.sql_with_params()

    def time_sql(sql, params) -> float:
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute(sql, params)
                cur.fetchall()
            runs.append(time.perf_counter() - t0)
        return statistics.median(runs)

    def time_call(fn) -> float:
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t0)
        return statistics.median(runs)

    def features_qs(zoom, bbox):
        qs = selectors.community_filter(selectors.public_community_qs(), bbox=bbox)
        lookups = {
            k: selectors.COMMUNITY_FIELDS[k] for k in selectors.COMMUNITY_MAP_FIELDS
        }
        return (
            qs.order_by("code")
            .annotate(
                _feature=geojson.feature_expr(
                    lookups,
                    id="code",
                    simplify_m=selectors.simplify_tolerance_m(zoom),
                )
            )
            .values("_feature")
        )

    x, y = tiles14[0]
    return {
        "communities z11 (city)": time_sql(*sql_of(features_qs(11, None))),
        "communities z15 pan": time_sql(*sql_of(features_qs(15, pan_bbox))),
        "districts z10": time_call(
            lambda: selectors.district_features(zoom=10, bbox=None)
        ),
        "tile z14 pan": time_call(lambda: tiles.tile_bytes(14, x, y)),
        "tile z12": time_call(
            lambda: tiles.tile_bytes(12, *tile_xy(121.55, 29.87, 12))
        ),
        "stats": time_call(selectors.progress_stats),
        "card": time_call(lambda: selectors.community_card(sample_code)),
        "ogc items 1000": time_call(
            lambda: selectors.community_feature_page(limit=1000, offset=0)
        ),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=200, help="per endpoint and pass")
    ap.add_argument("--threads", type=int, default=8, help="client threads")
    ap.add_argument("--seconds", type=float, default=30.0, help="per endpoint cap")
    ap.add_argument("--server-threads", type=int, default=16)
    ap.add_argument("--settings", default=os.environ["DJANGO_SETTINGS_MODULE"])
    args = ap.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = args.settings

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = SERVER.format(repo=str(REPO), port=port, threads=args.server_threads)
    proc = subprocess.Popen(
        [sys.executable, "-c", server],
        cwd=REPO,
        # one client address sends every request: the per-address rate limits of
        # the access policy (600/min a view) are off, or the warm pass meets them
        env={
            **os.environ,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "GEOAPP_RATELIMIT_ENABLE": os.environ.get("GEOAPP_RATELIMIT_ENABLE", "0"),
        },
    )
    try:
        for _ in range(100):
            if fetch(base + "/api/public/districts/")[0] == 200:
                break
            time.sleep(0.2)
        else:
            sys.exit("server did not start")
        import json

        fc = json.loads(fetch(base + "/api/public/communities.geojson?zoom=8")[1])
        codes = [f["id"] for f in fc["features"]][:200]
        if not codes:
            sys.exit("no communities: load a demo city first (manage.py make_demo)")
        code = codes[0]

        # pans: 1.5 km boxes and z14 tiles around the central city
        def pan_box(rnd):
            lon = rnd.uniform(121.45, 121.65)
            lat = rnd.uniform(29.80, 29.95)
            return f"{lon:.5f},{lat:.5f},{lon + 0.015:.5f},{lat + 0.012:.5f}"

        x0, y0 = tile_xy(121.45, 29.95, 14)
        x1, y1 = tile_xy(121.65, 29.80, 14)
        tiles14 = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        z12 = tile_xy(121.55, 29.87, 12)
        z11_url = "/api/public/communities.geojson?zoom=11"
        endpoints = {
            "communities z11 (city)": lambda r: z11_url,
            "communities z15 pan": lambda r: (
                f"/api/public/communities.geojson?zoom=15&bbox={pan_box(r)}"
            ),
            "districts z10": lambda r: "/api/public/districts.geojson?zoom=10",
            "tile z14 pan": lambda r: "/api/public/tiles/14/{}/{}.mvt".format(
                *r.choice(tiles14)
            ),
            "tile z12": lambda r: "/api/public/tiles/12/{}/{}.mvt".format(*z12),
            "stats": lambda r: "/api/public/stats/",
            "card": lambda r: f"/api/public/communities/{r.choice(codes)}/",
            "search": lambda r: (
                "/api/public/search/?q="
                + urllib.parse.quote(r.choice(["新村", "小区", "花园", "苑"]))
            ),
            "ogc items 1000": lambda r: (
                "/public/ogc/collections/communities/items?limit=1000"
            ),
            "bad tile (400)": lambda r: "/api/public/tiles/99/0/0.mvt",
        }
        expect = {"bad tile (400)": 400}
        plan = {}
        for i, (name, fn) in enumerate(endpoints.items()):
            rnd = random.Random(1000 + i)  # the same request set in both passes
            plan[name] = [(fn(rnd), {}) for _ in range(args.requests)]
        # revalidation: a client that holds the ETag (browser cache)
        _s, _b, h = fetch(base + z11_url)
        plan["communities z11 304"] = [(z11_url, {"If-None-Match": h.get("ETag", "")})]
        plan["communities z11 304"] *= args.requests
        expect["communities z11 304"] = 304

        results: dict[str, dict[str, dict]] = {}
        for pass_name in ("cold", "warm"):
            for name, reqs in plan.items():
                results.setdefault(name, {})[pass_name] = drive(
                    base, reqs, expect.get(name, 200), args.threads, args.seconds
                )
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    pan = tuple(float(v) for v in pan_box(random.Random(1)).split(","))
    bare = bare_sql_times(code, pan, tiles14)

    def ms(v: float) -> str:
        return f"{v * 1000:7.1f}"

    print(
        f"\n{'endpoint':24} {'n':>4} | {'cold p50':>8} {'p95':>7} | "
        f"{'warm p50':>8} {'p95':>7} {'req/s':>6} | {'bare SQL':>8} | errors"
    )
    for name, r in results.items():
        c, w = r["cold"], r["warm"]
        b = bare.get(name)
        errs = {k: v for k, v in (("cold", c["errors"]), ("warm", w["errors"])) if v}
        print(
            f"{name:24} {w['n']:4d} | {ms(percentile(c['lat'], 0.5)):>8} "
            f"{ms(percentile(c['lat'], 0.95))} | {ms(percentile(w['lat'], 0.5)):>8} "
            f"{ms(percentile(w['lat'], 0.95))} {w['n'] / w['wall']:6.0f} | "
            f"{(ms(b) if b is not None else '      -'):>8} | {errs or '-'}"
        )
    print(
        "\nms; cold = first pass, warm = the same requests again; errors = any status "
        "other\nthan the expected one (200; 400 for the bad tile, 304 with the ETag). "
        "bare SQL:\nthe same query in this process, median of 3, no HTTP and no cache."
    )


if __name__ == "__main__":
    main()
