"""Load test of the production server: the public map mix at a fixed rate on loopback,
while a life-circle run and an import run, beside the same on ``runserver``.

Run from the repository root on a database holding the city demo
(``make demo SCALE=city`` in ``GEOAPP_DB_NAME``, e.g. ``geoapp_bench``)::

    GEOAPP_DB_NAME=geoapp_bench .venv/bin/python benchmarks/load_public.py \
        [--rate 50] [--seconds 60] [--skip-runserver]

For each server (1. ``scripts/serve_prod.sh``: gunicorn + WhiteNoise, prod settings;
2. ``manage.py runserver``, dev settings, as ``make run`` serves) it starts the server
and an analysis worker (low priority, as in production), then locust (as a library, headless)
sends ``--rate`` requests/s for ``--seconds`` from ``--rate`` anonymous visitors (one
request a second each: ``constant_throughput(1)``) in the public map's mix: vector
tiles, community GeoJSON (city view and panned boxes), district outlines, statistics,
community cards and search. Five seconds in, a life-circle run is queued and an
import of 20,000 new amenity points starts (``scripts/lowprio.sh``; deleted afterwards).
Prints p50/p95/p99/max and errors per server, how long the background work took and
the memory of the server processes. Rate limits are switched off (one client address
stands for many visitors). Bounded: two passes of ``--seconds`` each, loopback only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import gevent
import numpy as np
import psycopg2
from locust import HttpUser, constant_throughput, task
from locust.env import Environment
from public_map import free_port, tile_xy

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
PREFIX = "LOADIMP"
#: seconds of the same mix before the measured window (PostgreSQL and app caches warm)
WARMUP_S = 15
SHM = "/dev/shm" if os.path.isdir("/dev/shm") else None
#: seconds per slice of the window in the p95-over-time line
SLICE_S = 10


def db_connect():
    db = os.environ.get("GEOAPP_DB_NAME", "geoapp")
    port = os.environ.get("PGPORT", "55432")
    return psycopg2.connect(
        host=str(ROOT / ".pgdata" / "run"), port=port, user="geoapp", dbname=db
    )


def env_for(settings: str, state: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=settings,
        GEOAPP_RATELIMIT_ENABLE="false",
        GEOAPP_STATE_DIR=str(state),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECRET_KEY="load-test-" + "k" * 40,
        GEOAPP_STATIC_ROOT=str(state / "static"),
    )
    return env


class Server:
    def __init__(self, kind: str, state: Path) -> None:
        self.kind = kind
        # in memory like production's default (/dev/shm), private (mkdtemp: 0700)
        self.cache_dir = Path(tempfile.mkdtemp(prefix="load-public-", dir=SHM))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log = open(state / f"{kind}.log", "ab")  # noqa: SIM115
        if kind == "gunicorn":
            env = env_for("geoapp.settings.prod", state)
            # the processes' shared public cache: a fresh (cold) one per run
            env["GEOAPP_PUBLIC_CACHE_DIR"] = str(self.cache_dir)
            env.update(HOST="127.0.0.1", PORT=str(self.port))
            args = ["scripts/serve_prod.sh"]
        else:
            env = env_for("geoapp.settings.dev", state)  # as `make run`: per process
            args = [
                PY,
                "manage.py",
                "runserver",
                f"127.0.0.1:{self.port}",
                "--noreload",
            ]
        self.env = env
        self.proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.worker = None
        if kind != "gunicorn":  # serve_prod.sh starts its own
            self.worker = subprocess.Popen(
                [
                    "scripts/lowprio.sh",  # as serve_prod.sh starts it
                    PY,
                    "manage.py",
                    "analysis_worker",
                    "--interval",
                    "1",
                    "--no-startup-delay",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait()

    def wait(self) -> None:
        import urllib.request

        for _ in range(600):
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(self.url + "/health/", timeout=2) as r,
            ):
                if r.status == 200:
                    return
            time.sleep(0.2)
        sys.exit(f"{self.kind} did not start")

    def rss_mb(self) -> dict[str, float]:
        out = subprocess.run(
            ["ps", "-o", "rss=,args=", "-s", str(self.proc.pid)],
            capture_output=True,
            text=True,
        ).stdout.splitlines()
        procs = {}
        for i, line in enumerate(out):
            rss, args = line.strip().split(" ", 1)
            if "gunicorn" in args or "runserver" in args or "analysis_worker" in args:
                procs[f"{i}:{args[:60]}"] = int(rss) / 1024
        return procs

    def cache_size(self) -> tuple[int, float]:
        """(entries, MB) of the shared public cache."""
        files = list(self.cache_dir.glob("*.djcache"))
        return len(files), sum(f.stat().st_size for f in files) / 2**20

    def stop(self) -> None:
        for p in (self.proc, self.worker):
            if p is None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        shutil.rmtree(self.cache_dir, ignore_errors=True)


def make_import_file(folder: Path, n: int = 20000) -> Path:
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(121.45, 121.65, n), rng.uniform(29.80, 29.95, n)
    path = folder / "load_import.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("code,name,category,lon,lat\n")
        for i in range(n):
            fh.write(
                f"{PREFIX}{i:06d},负载测试{i},convenience_store,{lon[i]:.7f},{lat[i]:.7f}\n"
            )
    return path


def delete_imported() -> None:
    with contextlib.closing(db_connect()) as conn, conn, conn.cursor() as cur:
        cur.execute(
            "DELETE FROM layers_historicalamenity WHERE code LIKE %s", [PREFIX + "%"]
        )
        cur.execute("DELETE FROM layers_amenity WHERE code LIKE %s", [PREFIX + "%"])


def mix(codes: list[str]):
    x0, y0 = tile_xy(121.45, 29.95, 14)
    x1, y1 = tile_xy(121.65, 29.80, 14)
    tiles14 = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]

    def box(r):
        lon, lat = r.uniform(121.45, 121.65), r.uniform(29.80, 29.95)
        return f"{lon:.5f},{lat:.5f},{lon + 0.015:.5f},{lat + 0.012:.5f}"

    # (name, weight, url maker): what a visitor panning the public map asks for
    return [
        (
            "tile z14",
            40,
            lambda r: "/api/public/tiles/14/{}/{}.mvt".format(*r.choice(tiles14)),
        ),
        (
            "geojson z15 pan",
            15,
            lambda r: f"/api/public/communities.geojson?zoom=15&bbox={box(r)}",
        ),
        ("geojson z11 city", 10, lambda r: "/api/public/communities.geojson?zoom=11"),
        ("districts", 5, lambda r: "/api/public/districts.geojson?zoom=10"),
        ("stats", 10, lambda r: "/api/public/stats/"),
        ("card", 15, lambda r: f"/api/public/communities/{r.choice(codes)}/"),
        (
            "search",
            5,
            lambda r: (
                "/api/public/search/?q="
                + urllib.parse.quote(r.choice(["新村", "小区", "花园", "苑"]))
            ),
        ),
    ]


def drive(server: Server, codes: list[str], rate: int, seconds: float, folder: Path):
    entries = mix(codes)
    #: (time sent, ms, answer) of every request, for the slices and answer kinds
    samples: list[tuple[float, float, str]] = []
    names = [e[0] for e in entries]
    weights = [e[1] for e in entries]
    makers = {e[0]: e[2] for e in entries}

    class Visitor(HttpUser):
        wait_time = constant_throughput(1)
        host = server.url

        def on_start(self):
            self.rnd = random.Random(id(self))

        @task
        def view(self):
            name = self.rnd.choices(names, weights)[0]
            t = time.time()
            r = self.client.get(makers[name](self.rnd), name=name, timeout=30)
            # hit / miss / stale (public/caching.py); gevent: one thread, no lock
            state = r.headers.get("X-Public-Cache", "none")
            samples.append((t, (time.time() - t) * 1000, state))

    env = Environment(user_classes=[Visitor], host=server.url)
    runner = env.create_local_runner()
    runner.start(rate, spawn_rate=rate)
    gevent.sleep(WARMUP_S)  # ramp up and warm the caches, not measured
    env.stats.reset_all()
    t0 = time.time()
    background = {}

    def manage(*args: str, low: bool = False):
        prefix = ["scripts/lowprio.sh"] if low else []
        return subprocess.run(
            [*prefix, PY, "manage.py", *args],
            cwd=ROOT,
            env=server.env,
            capture_output=True,
            text=True,
        )

    def start_background():
        gevent.sleep(5)
        background["lc_queued"] = time.time() - t0
        manage(
            "shell",
            "-c",
            "from accounts.permissions import SYSTEM\n"
            "from runs.queue import analysis_run_enqueue\n"
            "analysis_run_enqueue(kind='lifecircle', parameters={}, user=SYSTEM)",
        )
        background["import_start"] = time.time() - t0
        imp = manage(
            "import_layer",
            "amenity",
            str(folder / "load_import.csv"),
            "--crs",
            "EPSG:4326",
            low=True,  # batch work at low priority, as README "Production" says
        )
        background["import_end"] = time.time() - t0
        background["import_ok"] = imp.returncode == 0
        background["import_err"] = imp.stderr[-300:]

    bg = gevent.spawn(start_background)
    gevent.sleep(seconds)
    runner.quit()
    elapsed = time.time() - t0
    bg.join(timeout=300)
    # the run yields to the web (low priority): it may finish after the window
    for _ in range(300):
        with contextlib.closing(db_connect()) as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT status, duration_s, extract(epoch FROM finished_at) "
                "FROM geoapp_analysisrun WHERE kind = 'lifecircle' "
                "ORDER BY id DESC LIMIT 1"
            )
            background["lc"] = row = cur.fetchone()
        if row and row[0] in ("done", "failed"):
            break
        time.sleep(1)
    background["lc_end"] = float(background["lc"][2] or t0) - t0
    total = env.stats.total
    rows = {}
    for name in names + ["Aggregated"]:
        s = total if name == "Aggregated" else env.stats.get(name, "GET")
        rows[name] = {
            "n": s.num_requests,
            "errors": s.num_failures,
            "p50": s.get_response_time_percentile(0.50),
            "p95": s.get_response_time_percentile(0.95),
            "p99": s.get_response_time_percentile(0.99),
            "max": s.max_response_time,
        }
    rows["Aggregated"]["rps"] = total.num_requests / elapsed
    errors = {str(k): v.occurrences for k, v in env.stats.errors.items()}
    measured = [(t - t0, ms, st) for t, ms, st in samples if t >= t0]
    background["by_state"] = {
        st: (len(v), float(np.percentile(v, 95)))
        for st in sorted({m[2] for m in measured})
        if (v := [m[1] for m in measured if m[2] == st])
    }
    background["by_slice"] = [
        (lo, float(np.percentile(v, 95)))
        for lo in range(0, int(seconds), SLICE_S)
        if (v := [m[1] for m in measured if lo <= m[0] < lo + SLICE_S])
    ]
    return rows, background, errors, t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=int, default=50, help="requests per second")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--skip-runserver", action="store_true")
    args = ap.parse_args()
    if not (1 <= args.rate <= 200 and 10 <= args.seconds <= 600):
        sys.exit("--rate 1..200 and --seconds 10..600 (a bounded test)")
    with contextlib.closing(db_connect()) as conn, conn.cursor() as cur:
        cur.execute("SELECT code FROM layers_community ORDER BY code")
        codes = [c for (c,) in cur.fetchall()]
    if len(codes) < 1000:
        sys.exit("load the city demo first: make demo SCALE=city (GEOAPP_DB_NAME)")
    codes = random.Random(1).sample(codes, 500)
    delete_imported()
    with contextlib.closing(db_connect()) as conn:
        conn.autocommit = True
        conn.cursor().execute("VACUUM ANALYZE")  # a freshly loaded city: settle it
    with tempfile.TemporaryDirectory(prefix="load-") as tmp:
        folder = Path(tmp)
        make_import_file(folder)
        report = {}
        load_before = os.getloadavg()
        kinds = ["gunicorn"] + ([] if args.skip_runserver else ["runserver"])
        for kind in kinds:
            server = Server(kind, folder)
            try:
                rows, bg, errors, _t0 = drive(
                    server, codes, args.rate, args.seconds, folder
                )
                rss = server.rss_mb()
                bg["cache_size"] = server.cache_size()
                worker_log = folder / "worker.log"  # serve_prod.sh's worker
                if kind == "gunicorn" and worker_log.exists():
                    bg["warmed"] = [
                        line[:300]
                        for line in worker_log.read_text(errors="replace").splitlines()
                        if "public cache warmed" in line
                    ]
            finally:
                server.stop()
                delete_imported()
            report[kind] = (rows, bg, errors, rss)

    print(
        f"\npublic map mix at {args.rate} requests/s for {args.seconds:.0f} s "
        f"(after a {WARMUP_S} s warm-up), a life-circle run and a 20k-point import in the window"
    )
    print(
        f"{'server':<10} {'endpoint':<18} {'n':>6} {'err':>5} {'p50':>6} {'p95':>6} "
        f"{'p99':>6} {'max':>7}  (ms)"
    )
    for kind, (rows, bg, errors, rss) in report.items():
        for name, r in rows.items():
            print(
                f"{kind:<10} {name:<18} {r['n']:>6} {r['errors']:>5} {r['p50']:>6.0f} "
                f"{r['p95']:>6.0f} {r['p99']:>6.0f} {r['max']:>7.0f}"
            )
        agg = rows["Aggregated"]
        status, dur, _fin = bg.get("lc") or (None, None, None)
        print(
            f"  {kind}: {agg['rps']:.1f} req/s achieved; life circle {status} in "
            f"{dur or 0:.1f} s (queued at {bg.get('lc_queued', 0):.0f} s, finished at "
            f"{bg.get('lc_end', 0):.0f} s); import "
            f"{'ok' if bg.get('import_ok') else 'FAILED'} from {bg.get('import_start', 0):.0f}"
            f" to {bg.get('import_end', 0):.0f} s"
        )
        if errors:
            print(f"  errors: {json.dumps(errors, ensure_ascii=False)[:500]}")
        print("  memory (RSS MB): " + ", ".join(f"{v:.0f}" for v in rss.values()))
        n_files, mb = bg.get("cache_size", (0, 0.0))
        print(
            "  public cache answers (n, p95 ms): "
            + ", ".join(
                f"{k} {n} {p95:.0f}" for k, (n, p95) in bg.get("by_state", {}).items()
            )
            + f"; shared cache {n_files} entries, {mb:.1f} MB"
            + ("" if kind == "gunicorn" else " (not used: runserver's is in-process)")
        )
        print(
            f"  p95 per {SLICE_S} s of the window (ms): "
            + ", ".join(f"{lo}s {p95:.0f}" for lo, p95 in bg.get("by_slice", []))
        )
        for line in bg.get("warmed", []):
            print(f"  worker: {line}")
    load_after = os.getloadavg()
    print(
        "machine load average (1, 5, 15 min) before: "
        + ", ".join(f"{v:.1f}" for v in load_before)
        + "; after: "
        + ", ".join(f"{v:.1f}" for v in load_after)
        + f" on {os.cpu_count()} CPUs (other work on the machine counts)"
    )
    ok = report["gunicorn"][0]["Aggregated"]
    verdict = ok["p95"] <= 100 and ok["errors"] == 0
    print(
        f"\ngoal p95 <= 100 ms and 0 errors on gunicorn: {'met' if verdict else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
