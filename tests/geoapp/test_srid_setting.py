"""The storage CRS is a setting: a Beijing database in EPSG:4548 (CGCS2000 / 3-degree
Gauss-Kruger CM 117E), migrated, loaded from the real OSM export and analysed.

A second Django configuration cannot live in this process (models read
``settings.SRID`` at import), so the commands run in child processes with their own
environment (``GEOAPP_SRID=4548``, the Beijing ``GEOAPP_CITY_EXTENT``) and their own,
new database on the same PostgreSQL cluster, dropped at the end. Steps, as a city
office would take them: migrate; import a district boundary; ``import_osm`` the
Haidian export (../shared/data, ODbL); confirm the named residential candidates;
``lifecircle --json --output``. Then the same database under the default setting is
refused by the system check. About 40 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import psycopg2
import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parents[2]
EXTENT = "116.30,39.95,116.40,40.05"  # SOURCE.md: features reach 116.334-116.366E
OSM = (
    REPO.parent
    / "shared"
    / "data"
    / "beijing_haidian_osm"
    / "beijing_haidian_qinghe_map.osm"
)

pytestmark = pytest.mark.slow

CONFIRM = """
from django.contrib.auth import get_user_model
from layers.candidates import candidate_confirm
from layers.models import CommunityCandidate
admin = get_user_model().objects.create_superuser("bj", "bj@example.org", "pw-4548")
for c in CommunityCandidate.objects.exclude(name=""):
    candidate_confirm(user=admin, candidate=c, completion_year=1995)
print(CommunityCandidate.objects.filter(status="confirmed").count())
"""


def _connect(dbname: str):
    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        dbname=dbname,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )
    conn.autocommit = True
    return conn


def _env(dbname: str, srid: int, extent: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "geoapp.settings.test"
    env["GEOAPP_SRID"] = str(srid)
    if extent:
        env["GEOAPP_CITY_EXTENT"] = extent
    else:
        env.pop("GEOAPP_CITY_EXTENT", None)
    if env.get("DATABASE_URL"):
        parts = urlsplit(env["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{dbname}"))
    else:
        env["GEOAPP_DB_NAME"] = dbname
    return env


def _manage(env, *args, check=True) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if check and proc.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture
def beijing_db():
    if not OSM.exists():
        pytest.skip("../shared/data is not beside the checkout")
    name = f"test_srid4548_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = _connect(settings.DATABASES["default"]["NAME"])
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_beijing_in_epsg4548_end_to_end(beijing_db, tmp_path):
    env = _env(beijing_db, 4548, EXTENT)
    _manage(env, "migrate", "--noinput", "-v", "0")
    conn = _connect(beijing_db)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT srid FROM geometry_columns WHERE f_table_schema = 'public'"
            " AND f_table_name NOT LIKE 'spatial%%'"
        )
        assert [r[0] for r in cur.fetchall()] == [4548]

    district = tmp_path / "haidian.geojson"
    district.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        # a boundary inside the city extent, around the export
                        "properties": {"区县编码": "110108", "区县名称": "海淀区"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [
                                [
                                    [116.31, 39.96],
                                    [116.39, 39.96],
                                    [116.39, 40.04],
                                    [116.31, 40.04],
                                    [116.31, 39.96],
                                ]
                            ],
                        },
                    }
                ],
            },
            ensure_ascii=False,
        ),
        "utf-8",
    )
    out = _manage(env, "import_layer", "district", str(district)).stdout
    assert "created 1" in out
    out = _manage(env, "import_osm", str(OSM), "--json").stdout
    report = json.loads(out)
    assert report["counts"]["walk_segment"]["created"] == 614
    assert report["counts"]["community"]["created"] == 10
    confirmed = _manage(env, "shell", "-c", CONFIRM).stdout.strip().splitlines()[-1]
    assert confirmed == "9"

    csv = tmp_path / "results.csv"
    out = _manage(env, "lifecircle", "--json", "--output", str(csv)).stdout
    run = json.loads(out)
    assert run["summary"]["mode"] == "network"
    assert run["summary"]["islands_total"] == 12  # tests/analysis/test_islands.py
    rows = {r["code"]: r for r in run["communities"]}
    assert len(rows) == 9
    df = pd.read_csv(csv, encoding="utf-8-sig")
    assert len(df) == 9 and "kindergarten_m" in df.columns
    # Haidian has two kindergartens (SOURCE.md): some community reaches one on foot,
    # in metres of the 4548 plane (the 117E zone: scale error < 0.01 % here)
    reached = df["kindergarten_m"].dropna()
    assert len(reached) >= 1 and (reached > 0).all() and (reached <= 1000).all()
    with conn.cursor() as cur:
        cur.execute(
            "SELECT ST_SRID(geom), ST_X(ST_Transform(ST_Centroid(geom), 4326))"
            " FROM layers_community LIMIT 1"
        )
        srid, lon = cur.fetchone()
        assert srid == 4548 and 116.33 < lon < 116.37
    conn.close()

    # the same database under the default setting is refused, naming the columns
    wrong = _manage(
        _env(beijing_db, 4549, EXTENT), "check", "--database", "default", check=False
    )
    assert wrong.returncode != 0
    assert "geoapp.E001" in wrong.stderr and "GEOAPP_SRID=4548" in wrong.stderr
