"""Same file, same result: dump what an import stores, to compare two versions of the code.

Run from a checkout's root (its code does the import)::

    GEOAPP_DB_NAME=geoapp_bench .venv/bin/python benchmarks/importing_check.py OUT.json

Writes an amenity CSV of ``--rows`` points (codes ``BENCHCHK…``; blank, zero and
decimal capacities and floor areas, escapes in names), imports it, re-imports it
with changed names (every row an update), then dumps every stored column of those
rows and of their history rows (all but the serial keys and the clock columns) and
the reports, including a dry run of a file with bad rows (unknown category,
over-long name, negative floor area, outside the city, not a number), to OUT.json;
then deletes what it wrote. Compare two dumps with ``--compare A.json B.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoapp.settings.dev")

PREFIX = "BENCHCHK"


def _csv(folder: Path, n: int, tag: str, bad: bool = False) -> Path:
    import numpy as np

    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(121.45, 121.65, n), rng.uniform(29.80, 29.95, n)
    rows = ["code,name,category,capacity,floor_area_m2,source,lon,lat"]
    cats = ["convenience_store", "parcel_locker", "clinic", "bus_stop"]
    for i in range(n):
        cap = "" if i % 5 == 0 else str(i % 300)
        area = "" if i % 7 == 0 else f"{(i % 1000) / 8:.3f}"
        name = f'"{tag}店{i} a\\b"' if i % 11 == 0 else f"{tag}店{i}"
        cat, x, y = cats[i % 4], f"{lon[i]:.6f}", f"{lat[i]:.6f}"
        if bad and i % 50 == 1:
            k = (i // 50) % 5
            if k == 0:
                cat = "no_such_category"
            elif k == 1:
                name = "长" * 130
            elif k == 2:
                area = "-3"
            elif k == 3:
                x = "125.0"
            else:
                cap = "many"
        rows.append(f"{PREFIX}{i:06d},{name},{cat},{cap},{area},osm,{x},{y}")
    path = folder / f"amenities-{tag}.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _communities(folder: Path, n: int, tag: str, bad: bool = False) -> Path:
    """GeoJSON squares of 60 m; a district by code, by street or found spatially."""
    import numpy as np

    rng = np.random.default_rng(11)
    lon, lat = rng.uniform(121.50, 121.60, n), rng.uniform(29.84, 29.92, n)
    d = 0.0003
    feats = []
    for i in range(n):
        x, y = float(lon[i]), float(lat[i])
        props = {
            "code": f"{PREFIX}C{i:05d}",
            "name": f"{tag}小区{i}",
            "completion_year": 1980 + i % 40,
            "households": 100 + i,
            "fund_balance_yuan": round(i * 10.0 + 0.125 * (i % 9), 3),
            "stage": ["not_started", "applied", "planned"][i % 3],
            "residents": None if i % 4 == 0 else 300 + i,
        }
        if i % 3 == 0:
            props["district_code"] = "330203"
            if i % 2 == 0:
                props["street_code"] = "330203001"
        if bad and i % 20 == 1:
            k = (i // 20) % 5
            if k == 0:
                props["completion_year"] = 1800
            elif k == 1:
                props["households"] = 200000
            elif k == 2:
                props["district_code"] = "nowhere"
            elif k == 3:
                props["district_code"] = "330205"
                props["street_code"] = "330203001"
            else:
                props["max_floors"] = 0
        ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
        feats.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    path = folder / f"communities-{tag}.geojson"
    path.write_text(
        json.dumps(
            {"type": "FeatureCollection", "features": feats}, ensure_ascii=False
        ),
        "utf-8",
    )
    return path


def _dump_table(table: str, exclude: set[str], order: str) -> list:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"SELECT * FROM {table} WHERE code LIKE %s ORDER BY {order}",
            [PREFIX + "%"],
        )
        names = [d[0] for d in cur.description]
        keep = [i for i, nm in enumerate(names) if nm not in exclude]
        return [[names[i] for i in keep]] + [
            [str(r[i]) for i in keep] for r in cur.fetchall()
        ]


def _cleanup() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        for table in (
            "layers_amenity",
            "layers_historicalamenity",
            "layers_community",
            "layers_historicalcommunity",
        ):
            cur.execute(f"DELETE FROM {table} WHERE code LIKE %s", [PREFIX + "%"])


def run(out: Path, n: int) -> None:
    import django

    django.setup()
    from accounts.permissions import SYSTEM
    from layers.importing import ImportRefused, layer_import

    _cleanup()
    dump: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        first = _csv(Path(tmp), n, "甲")
        second = _csv(Path(tmp), n, "乙")
        kw = {"layer": "amenity", "user": SYSTEM, "crs": "EPSG:4326"}
        r1 = layer_import(path=first, source_name="amenities.csv", **kw)
        r2 = layer_import(path=second, source_name="amenities.csv", **kw)
        dump["results"] = [r1.to_text(), r2.to_text()]
        dump["rows"] = _dump_table(
            "layers_amenity", {"id", "created_at", "updated_at"}, "code"
        )
        dump["history"] = _dump_table(
            "layers_historicalamenity",
            {"id", "history_id", "history_date", "created_at", "updated_at"},
            "code, history_type",
        )
        bad = _csv(Path(tmp), min(n, 1000), "丙", bad=True)
        try:
            layer_import(path=bad, source_name="bad.csv", dry_run=True, **kw)
            dump["bad"] = "accepted"
        except ImportRefused as exc:
            dump["bad"] = exc.report.to_text()
        ckw = {"layer": "community", "user": SYSTEM}
        c1 = layer_import(path=_communities(Path(tmp), 400, "甲"), **ckw)
        c2 = layer_import(path=_communities(Path(tmp), 400, "乙"), **ckw)
        dump["community_results"] = [c1.to_text(), c2.to_text()]
        dump["community_rows"] = _dump_table(
            "layers_community", {"id", "created_at", "updated_at"}, "code"
        )
        dump["community_history"] = _dump_table(
            "layers_historicalcommunity",
            {"id", "history_id", "history_date", "created_at", "updated_at"},
            "code, history_type",
        )
        try:
            layer_import(
                path=_communities(Path(tmp), 400, "丙", bad=True), dry_run=True, **ckw
            )
            dump["community_bad"] = "accepted"
        except ImportRefused as exc:
            dump["community_bad"] = exc.report.to_text()
    _cleanup()
    out.write_text(json.dumps(dump, ensure_ascii=False, indent=0), "utf-8")
    print(f"{out}: {len(dump['rows']) - 1} rows, {len(dump['history']) - 1} history")


def compare(a: Path, b: Path) -> int:
    da, db = (json.loads(p.read_text("utf-8")) for p in (a, b))
    bad = 0
    keys = ("results", "rows", "history", "bad")
    keys += ("community_results", "community_rows", "community_history")
    for key in (*keys, "community_bad"):
        if key not in da or key not in db:
            print(f"{key}: not in both dumps")
            bad += 1
            continue
        if da[key] == db[key]:
            size = len(da[key]) if isinstance(da[key], list) else 1
            print(f"{key}: identical ({size} entries)")
        else:
            bad += 1
            print(f"{key}: DIFFERENT")
            if isinstance(da[key], list):
                for x, y in zip(da[key], db[key]):
                    if x != y:
                        print("  ", x, "\n  ", y)
                        break
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", type=Path)
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--compare", nargs=2, type=Path)
    args = ap.parse_args()
    if args.compare:
        sys.exit(compare(*args.compare))
    run(args.out, args.rows)


if __name__ == "__main__":
    main()
