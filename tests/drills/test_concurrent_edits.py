"""No lost update: two planners saving the same feature at the same moment (one wins,
the other gets 409 with the current version), and an import racing a map edit (the
import that read the old version is refused whole; run again, it applies over the
edit). History stays complete: one row per accepted write, versions without gaps."""

from __future__ import annotations

import threading
from itertools import cycle

import pytest

from .conftest import PLANNERS, Client, base_env, manage, wait_for

pytestmark = pytest.mark.drill


def feature(cluster, db, code):
    return cluster.sql(
        "SELECT version, name FROM layers_amenity WHERE code = %s", [code], db=db
    )[0]


def history_versions(cluster, db, code) -> list[int]:
    rows = cluster.sql(
        "SELECT version FROM layers_historicalamenity WHERE code = %s "
        "ORDER BY history_date, history_id",
        [code],
        db=db,
    )
    return [v for (v,) in rows]


def patch(client, code, version, name):
    return client.request(
        "PATCH",
        f"/api/planner/features/amenity/{code}/",
        json={"version": version, "properties": {"name": name}},
    )


def test_two_planners_save_the_same_feature(cluster, db_copy, drill_dir, stack_factory):
    stack = stack_factory(base_env(cluster, db_copy, drill_dir))
    a, b = (Client(stack.url).login(n) for n in PLANNERS)
    code = cluster.sql("SELECT min(code) FROM layers_amenity", db=db_copy)[0][0]
    first, _ = feature(cluster, db_copy, code)
    before = history_versions(cluster, db_copy, code)  # none: the demo loads by COPY
    for round_ in range(5):
        version, _name = feature(cluster, db_copy, code)
        barrier = threading.Barrier(2)
        answers = {}

        def save(who, client, version=version, barrier=barrier, n=round_, out=answers):
            barrier.wait()
            out[who] = patch(client, code, version, f"{who} 第{n}次")

        threads = [
            threading.Thread(target=save, args=(w, c)) for w, c in (("A", a), ("B", b))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(r.status_code for r in answers.values())
        assert codes == [200, 409], codes
        winner = next(w for w, r in answers.items() if r.status_code == 200)
        loser = answers["B" if winner == "A" else "A"]
        assert loser.json()["current"]["properties"]["version"] == version + 1
        assert feature(cluster, db_copy, code) == (
            version + 1,
            f"{winner} 第{round_}次",
        )
    versions = history_versions(cluster, db_copy, code)
    # one history row per accepted save, none for the refused ones
    assert versions == [*before, *range(first + 1, first + 6)]


def test_an_import_racing_a_map_edit_loses_nothing(
    cluster, db_copy, drill_dir, stack_factory
):
    env = base_env(cluster, db_copy, drill_dir)
    stack = stack_factory(env)
    planner = Client(stack.url).login(PLANNERS[0])
    rows = cluster.sql(
        "SELECT a.code, k.code, ST_X(ST_Transform(a.geom, 4326)), "
        "ST_Y(ST_Transform(a.geom, 4326)) FROM layers_amenity a "
        "JOIN layers_amenitycategory k ON k.id = a.category_id ORDER BY a.code",
        db=db_copy,
    )
    csv = drill_dir / f"{db_copy}.csv"
    # and 40,000 new points beside them: the import's checks after its read of the
    # stored rows take long enough (a second or more) for the edit to land in between
    extra = [
        (f"DRILLNEW{i:05d}", k, x, y)
        for i, (_, k, x, y) in zip(range(40_000), cycle(rows))
    ]
    csv.write_text(
        "code,name,category,lon,lat\n"
        + "".join(
            f"{c},导入名称,{k},{x:.8f},{y:.8f}\n" for c, k, x, y in [*rows, *extra]
        ),
        encoding="utf-8",
    )
    code = rows[len(rows) // 2][0]
    version, _ = feature(cluster, db_copy, code)

    def import_read_existing():
        # the import's read of the stored rows by code (layers.importing.columns)
        return cluster.sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND query "
            "LIKE %s",
            [db_copy, '%FROM "layers_amenity" WHERE "code" = ANY(%'],
        )[0][0]

    result = {}
    imp = threading.Thread(
        target=lambda: result.update(
            r=manage(
                env,
                "import_layer",
                "amenity",
                str(csv),
                "--crs",
                "EPSG:4326",
                check=False,
            )
        )
    )
    imp.start()
    wait_for(import_read_existing, timeout=120, every=0.02, what="the import's read")
    edit = patch(planner, code, version, "规划员修改")  # while the import validates
    assert edit.status_code == 200, edit.text
    imp.join()
    refused = result["r"]
    assert refused.returncode != 0
    assert "changed while the file was being read" in refused.stderr
    assert feature(cluster, db_copy, code) == (version + 1, "规划员修改")
    assert cluster.sql(
        "SELECT count(*) FROM layers_amenity WHERE name = '导入名称'", db=db_copy
    ) == [(0,)]

    # imported again, it starts from the planner's version; the planner's stale
    # save afterwards is refused
    manage(env, "import_layer", "amenity", str(csv), "--crs", "EPSG:4326")
    assert feature(cluster, db_copy, code) == (version + 2, "导入名称")
    stale = patch(planner, code, version + 1, "过期的修改")
    assert stale.status_code == 409
    versions = history_versions(cluster, db_copy, code)
    assert versions[-2:] == [version + 1, version + 2]
    assert versions == sorted(set(versions))  # no version written twice
