"""Benchmark of a layer import (issue 4): amenity points from CSV and GeoJSON files.

Run from the repository root::

    GEOAPP_DB_NAME=geoapp_bench .venv/bin/python benchmarks/importing.py [--rows 20000]

Writes ``--rows`` amenity points (deterministic, inside central Ningbo, codes
``BENCHIMP…``) to a CSV and a GeoJSON file in a temporary folder, then times
:func:`layers.importing.layer_import` on each: a dry run (read in the sandbox, map,
resolve, validate every row), the real import (the same, then one transaction with
history rows), and a re-import of the same file (every row an update). Beside it, in
the same run, the references: the sandboxed read alone (the parsing floor) and a bare
``COPY`` of the same rows into the table (the writing floor, no validation, no
history). The rows it writes are deleted at the end (with their history).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoapp.settings.dev")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from pyproj import Transformer  # noqa: E402

from accounts.permissions import SYSTEM  # noqa: E402
from layers import models  # noqa: E402
from layers.dbcopy import copy_rows  # noqa: E402
from layers.importing import layer_import  # noqa: E402
from layers.io import sandbox  # noqa: E402

PREFIX = "BENCHIMP"


def line(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<46s} {value:>14s}  {note}")


def points(n: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(121.45, 121.65, n), rng.uniform(29.80, 29.95, n)


def write_files(folder: Path, n: int) -> tuple[Path, Path]:
    lon, lat = points(n)
    csv = folder / "amenities.csv"
    rows = ["code,name,category,lon,lat"]
    rows += [
        f"{PREFIX}{i:07d},便利店{i},convenience_store,{x:.6f},{y:.6f}"
        for i, (x, y) in enumerate(zip(lon, lat, strict=True))
    ]
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    gj = folder / "amenities.geojson"
    feats = [
        {
            "type": "Feature",
            "properties": {
                "code": f"{PREFIX}{i:07d}",
                "name": f"便利店{i}",
                "category": "convenience_store",
            },
            "geometry": {"type": "Point", "coordinates": [round(x, 6), round(y, 6)]},
        }
        for i, (x, y) in enumerate(zip(lon, lat, strict=True))
    ]
    gj.write_text(
        json.dumps(
            {"type": "FeatureCollection", "features": feats}, ensure_ascii=False
        ),
        encoding="utf-8",
    )
    return csv, gj


def cleanup() -> None:
    """Delete the benchmark's rows and their history with two DELETEs (the ORM's
    delete() would write a history row per amenity first: not the import's cost)."""
    tables = (
        models.Amenity._meta.db_table,
        models.Amenity.history.model._meta.db_table,
    )
    with transaction.atomic(), connection.cursor() as cur:
        for table in tables:
            cur.execute(f"DELETE FROM {table} WHERE code LIKE %s", [PREFIX + "%"])


def cpu_seconds() -> float:
    """user + sys CPU time of this process and its finished children (the sandbox)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


#: CPU seconds of the last timed() call (the machine may be shared: wall time alone
#: says little under load)
LAST_CPU = [0.0]


def timed(fn):
    t, c = time.perf_counter(), cpu_seconds()
    out = fn()
    LAST_CPU[0] = cpu_seconds() - c
    return out, time.perf_counter() - t


def copy_reference(n: int) -> float:
    """A bare COPY of the same rows (no validation, no history), rolled back."""
    lon, lat = points(n)
    x, y = Transformer.from_crs(4326, settings.SRID, always_xy=True).transform(lon, lat)
    cat = models.AmenityCategory.objects.get(code="convenience_store").pk
    now = timezone.now()
    rows = [
        (
            f"{PREFIX}{i:07d}",
            f"便利店{i}",
            cat,
            f"SRID={settings.SRID};POINT({a} {b})",
            "EPSG:4326",
            "amenities.csv",
            "",
            1,
            now,
            now,
        )
        for i, (a, b) in enumerate(zip(x, y, strict=True))
    ]
    t, c = time.perf_counter(), cpu_seconds()
    try:
        with transaction.atomic():
            copy_rows(
                models.Amenity._meta.db_table,
                (
                    "code",
                    "name",
                    "category_id",
                    "geom",
                    "source_crs",
                    "source_file",
                    "source",
                    "version",
                    "created_at",
                    "updated_at",
                ),
                rows,
            )
            elapsed = time.perf_counter() - t
            LAST_CPU[0] = cpu_seconds() - c
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


class _Rollback(Exception):
    pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20000)
    args = ap.parse_args()
    n = args.rows
    cleanup()
    with tempfile.TemporaryDirectory() as tmp:
        csv, gj = write_files(Path(tmp), n)
        print(f"import of {n:,} amenity points (layers.importing.layer_import)")
        for f in (csv, gj):
            size = f.stat().st_size / 1e6
            print(f"{f.suffix[1:]} ({size:.1f} MB)")
            kw = {"layer": "amenity", "path": f, "user": SYSTEM}
            if f.suffix == ".csv":
                kw["crs"] = "EPSG:4326"
            read, t_read = timed(
                lambda kw=kw: sandbox.run_sandboxed(
                    "read_vector",
                    kw["path"],
                    crs=kw.get("crs"),
                    target_crs=f"EPSG:{settings.SRID}",
                    extent=list(settings.CITY_EXTENT),
                )
            )
            assert len(read.gdf) == n
            c_read = LAST_CPU[0]
            dry, t_dry = timed(lambda kw=kw: layer_import(**kw, dry_run=True))
            c_dry = LAST_CPU[0]
            assert dry.created == n, dry.report.to_text()
            res, t_imp = timed(lambda kw=kw: layer_import(**kw))
            c_imp = LAST_CPU[0]
            again, t_again = timed(lambda kw=kw: layer_import(**kw))
            c_again = LAST_CPU[0]
            assert res.created == n and again.updated == n
            stored = models.Amenity.objects.filter(code__startswith=PREFIX).count()
            assert stored == n, stored
            line(
                "dry run (read + map + validate)",
                f"{t_dry:.2f} s",
                f"{n / t_dry:,.0f} rows/s, CPU {c_dry:.2f} s",
            )
            line(
                "import (+ one transaction, history)",
                f"{t_imp:.2f} s",
                f"{n / t_imp:,.0f} rows/s, CPU {c_imp:.2f} s",
            )
            line(
                "re-import (every row an update)",
                f"{t_again:.2f} s",
                f"{n / t_again:,.0f} rows/s, CPU {c_again:.2f} s",
            )
            line(
                "reference: sandboxed read alone",
                f"{t_read:.2f} s",
                f"CPU {c_read:.2f} s",
            )
            cleanup()
        t_copy = copy_reference(n)
        line(
            "reference: bare COPY of the rows",
            f"{t_copy:.2f} s",
            f"CPU {LAST_CPU[0]:.2f} s; no validation, no history",
        )
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPU(s)")
    cleanup()


if __name__ == "__main__":
    main()
