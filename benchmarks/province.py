"""A province on Dask distributed: the life circle of N generated cities (issue 22, point 7).

Run from the repository root (the project's own cluster, or DATABASE_URL's server)::

    .venv/bin/python benchmarks/province.py [--cities 11] [--scale small] [--keep]

Makes N city databases ``geoapp_prov_01…`` (one migrated, the others copied from it as
templates, each then filled by ``make_demo --seed <i>``: a different city each), then
runs :func:`lifecircle.batch.province_run` three ways and prints the times:

* one process, the cities one after the other (the reference, ``workers=0``);
* a ``LocalCluster`` with 1 worker process, and with 2;

with the speed-up against the reference and whether every city's results digest is
the same in the three runs. The cities are dropped at the end unless ``--keep``
(a second run with ``--keep`` before reuses them).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoapp.settings.dev")
# Dask's INFO lines (workers joining and leaving) would bury the figures
os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")

import django  # noqa: E402

django.setup()

import psycopg2  # noqa: E402
from django.db import connection  # noqa: E402
from psycopg2 import sql  # noqa: E402

from analysis.forked import available_cpus  # noqa: E402
from lifecircle.batch import City, province_run  # noqa: E402


def _admin():
    params = connection.get_connection_params()
    keep = {k: params[k] for k in ("user", "password", "host", "port") if k in params}
    conn = psycopg2.connect(dbname="postgres", **keep)
    conn.autocommit = True
    return conn


def _exists(cur, name: str) -> bool:
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cur.fetchone() is not None


def _manage(db: str, *args: str) -> None:
    env = {**os.environ, "GEOAPP_DB_NAME": db}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT
    )


def make_cities(n: int, scale: str) -> list[City]:
    names = [f"geoapp_prov_{i:02d}" for i in range(1, n + 1)]
    admin = _admin()
    with admin.cursor() as cur:
        if all(_exists(cur, name) for name in names):
            print(f"cities: {n} databases already there (--keep of an earlier run)")
            return [City(f"city{i:02d}", name) for i, name in enumerate(names, 1)]
        t0 = time.perf_counter()
        template = names[0]
        for name in names:
            cur.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
            )
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(template)))
    _manage(template, "migrate", "--noinput", "-v", "0")
    with admin.cursor() as cur:
        for name in names[1:]:
            cur.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
    for i, name in enumerate(names, 1):
        _manage(name, "make_demo", "--seed", str(i), "--scale", scale, "--no-progress")
    print(
        f"cities: {n} made ({scale} demo, seeds 1-{n}) in {time.perf_counter() - t0:.0f} s"
    )
    admin.close()
    return [City(f"city{i:02d}", name) for i, name in enumerate(names, 1)]


def drop_cities(cities: list[City]) -> None:
    admin = _admin()
    with admin.cursor() as cur:
        for c in cities:
            cur.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(c.database))
            )
    admin.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cities", type=int, default=11)
    ap.add_argument("--scale", choices=["small", "city"], default="small")
    ap.add_argument("--keep", action="store_true", help="keep the city databases")
    args = ap.parse_args()
    cities = make_cities(args.cities, args.scale)
    try:
        times, digests = {}, {}
        for label, workers in (("one process", 0), ("1 worker", 1), ("2 workers", 2)):
            t0 = time.perf_counter()
            rows = province_run(cities, workers=workers)
            times[label] = time.perf_counter() - t0
            digests[label] = [r["digest"] for r in rows]
            comms = sum(r["communities"] for r in rows)
            print(
                f"{label:12s}: {times[label]:6.1f} s for {len(rows)} cities "
                f"({comms} communities; per city {min(r['seconds'] for r in rows):.1f}"
                f"-{max(r['seconds'] for r in rows):.1f} s)"
            )
        ref = times["one process"]
        for label in ("1 worker", "2 workers"):
            print(f"speed-up {label:9s}: {ref / times[label]:.2f}x against one process")
        same = all(d == digests["one process"] for d in digests.values())
        print(f"results identical in the three runs (digest per city): {same}")
        print(f"CPUs available: {available_cpus()}; load average {os.getloadavg()}")
        if not same:
            sys.exit(1)
    finally:
        if not args.keep:
            drop_cities(cities)


if __name__ == "__main__":
    main()
