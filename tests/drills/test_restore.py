"""Restore drill: a city with history and results is backed up, dropped, restored into
an empty database, and every table (layers, history, results) comes back identical."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from ops.backup import table_fingerprints

from .conftest import base_env, manage

pytestmark = pytest.mark.drill


def fingerprints(cluster, db: str) -> dict:
    with contextlib.closing(cluster.connect(db, user="geoapp")) as conn:
        return table_fingerprints(conn.cursor())


def test_backup_drop_restore_gives_back_every_table(cluster, db_copy, drill_dir):
    env = base_env(cluster, db_copy, drill_dir)
    # results of every kind besides the template's life-circle run
    manage(env, "bundle_blocks", "--json")
    manage(env, "site_amenities", "elderly_daycare", "--k", "3", "--json")
    before = fingerprints(cluster, db_copy)
    # the drill means something only if it covers layers, history and results
    for table in (
        "layers_community",
        "layers_walksegment",
        "layers_historicalcommunity",
        "geoapp_coverageresult",
        "blocks_renovationblock",
        "siting_sitingcandidateresult",
        "geoapp_analysisrun",
    ):
        assert before[table]["rows"] > 0, table

    out = drill_dir / "backups"
    archive = manage(env, "backup", "--output-dir", str(out)).stdout.strip()
    assert archive.endswith(".tar")
    assert not list(out.glob("*.part"))

    cluster.sql(f'DROP DATABASE "{db_copy}" WITH (FORCE)')
    cluster.sql(f'CREATE DATABASE "{db_copy}" OWNER geoapp')  # empty
    restored = manage(env, "restore", archive)
    assert "counts and checksums match" in restored.stdout

    after = fingerprints(cluster, db_copy)
    assert after.keys() == before.keys()
    differ = [t for t in before if before[t] != after[t]]
    assert differ == []

    # a second restore is refused: the database is no longer empty, nothing changes
    again = manage(env, "restore", archive, check=False)
    assert again.returncode != 0
    assert "not empty" in again.stderr
    assert fingerprints(cluster, db_copy) == after


def test_a_damaged_archive_is_refused_before_anything_is_written(
    cluster, db_copy, drill_dir
):
    env = base_env(cluster, db_copy, drill_dir)
    archive = manage(
        env, "backup", "--output-dir", str(drill_dir / "backups2")
    ).stdout.strip()
    data = bytearray(Path(archive).read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte inside the dump
    damaged = drill_dir / "damaged.tar"
    damaged.write_bytes(bytes(data))
    cluster.sql('CREATE DATABASE "drill_empty" OWNER geoapp')
    try:
        env2 = base_env(cluster, "drill_empty", drill_dir)
        r = manage(env2, "restore", str(damaged), check=False)
        assert r.returncode != 0
        assert "damaged" in r.stderr or "cannot read" in r.stderr
        assert fingerprints(cluster, "drill_empty") == {}
    finally:
        cluster.sql('DROP DATABASE "drill_empty" WITH (FORCE)')
