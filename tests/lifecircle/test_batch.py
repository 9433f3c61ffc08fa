"""A province batch on Dask distributed: two cities, each in its own database, on a
real LocalCluster (two worker processes) and one after the other in this process."""

from __future__ import annotations

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg2 import sql

from layers.models import Amenity
from lifecircle.batch import City, city_database, province_run
from lifecircle.models import CoverageResult
from runs.models import AnalysisRun
from tests.lifecircle import city as tiny_city
from tests.reference import load_reference_data

pytestmark = pytest.mark.django_db(transaction=True)


def _admin():
    params = connection.get_connection_params()
    keep = {k: params[k] for k in ("user", "password", "host", "port") if k in params}
    conn = psycopg2.connect(dbname="postgres", **keep)
    conn.autocommit = True
    return conn


@pytest.fixture
def two_cities():
    """Databases ``<test db>_city_a`` / ``_b`` copied from the (migrated) test database,
    each holding the tiny city; in B the kindergarten is 1 km further east."""
    template = connection.settings_dict["NAME"]
    names = [f"{template}_city_a", f"{template}_city_b"]
    connection.close()
    admin = _admin()
    with admin.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [template],
        )
        for name in names:
            cur.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
            )
            cur.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
    for name in names:
        with city_database(name):
            call_command("flush", interactive=False, verbosity=0)
            load_reference_data()
            tiny_city.build()
            if name.endswith("_b"):
                x, y = tiny_city.xy(1200, 5)
                k = Amenity.objects.get(category__code="kindergarten")
                k.geom.x, k.geom.y = x, y
                k.save()
    yield [City("甲市", names[0]), City("乙市", names[1])]
    connection.close()
    with admin.cursor() as cur:
        for name in names:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s",
                [name],
            )
            cur.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
            )
    admin.close()


def test_dask_batch_matches_the_one_process_run_city_by_city(two_cities):
    alone = province_run(two_cities, workers=0)
    on_dask = province_run(two_cities, workers=2)

    assert [r["city"] for r in on_dask] == ["甲市", "乙市"]
    assert [r["status"] for r in alone + on_dask] == ["done"] * 4
    for a, d in zip(alone, on_dask, strict=True):
        assert d["digest"] == a["digest"]  # the same results, to 0.1 m
        assert (d["communities"], d["residents"]) == (a["communities"], a["residents"])
        assert d["run"] != a["run"]  # a second run, stored beside the first
    # the partitions really read their own city: B's kindergarten is beside B
    assert alone[0]["digest"] != alone[1]["digest"]
    near = {}
    for c in two_cities:
        with city_database(c.database):
            run = AnalysisRun.objects.get(pk=alone[two_cities.index(c)]["run"])
            near[c.name] = {
                r.community.code: r.distances_m.get("kindergarten") or float("inf")
                for r in CoverageResult.objects.filter(run=run).select_related(
                    "community"
                )
            }
    assert near["甲市"]["A"] < 300 < near["甲市"]["B"]
    assert near["乙市"]["B"] < 400 < near["乙市"]["A"]

    # each run is stored in its city's database, none in the test database
    for c in two_cities:
        with city_database(c.database):
            assert (
                AnalysisRun.objects.filter(
                    kind=AnalysisRun.Kind.LIFECIRCLE, status="done"
                ).count()
                == 2
            )
    assert not AnalysisRun.objects.exists()


def test_cities_need_their_own_databases():
    with pytest.raises(ValueError, match="own database"):
        province_run([City("a", "x"), City("b", "x")], workers=0)


def test_command_prints_one_line_per_city(two_cities, capsys):
    call_command(
        "lifecircle_province",
        "--workers",
        "0",
        *[f"--city={c.name}={c.database}" for c in two_cities],
    )
    out = capsys.readouterr().out
    assert "甲市: run #" in out and "乙市: run #" in out and "2 cities in" in out
