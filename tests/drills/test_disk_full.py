"""Disk full: the production stack runs in a private mount namespace whose scratch
directory (uploads, exports: TMPDIR) is a 256 KiB tmpfs. An export or an upload that
does not fit answers 507 with a message saying nothing was saved, leaves no file
behind and changes nothing in the database; a small export still works."""

from __future__ import annotations

import os
import subprocess

import pytest

from .conftest import PLANNERS, Client, base_env

pytestmark = pytest.mark.drill

SIZE = "256k"


def scratch_listing(stack, scratch) -> list[str]:
    """What is left in the scratch directory, as the server's namespace sees it."""
    out = subprocess.run(
        ["pgrep", "-s", str(stack.process.pid)], capture_output=True, text=True
    ).stdout.split()
    root = f"/proc/{out[-1]}/root{scratch}"
    return sorted(os.listdir(root))


def test_full_disk_during_export_and_upload(cluster, db_copy, drill_dir, stack_factory):
    scratch = drill_dir / "scratch"
    scratch.mkdir(exist_ok=True)
    env = base_env(
        cluster,
        db_copy,
        drill_dir,
        TMPDIR=str(scratch),
        GEOAPP_UPLOAD_TMP_DIR=str(scratch),
        SCRATCH=str(scratch),
    )
    wrap = [
        "unshare",
        "-m",
        "sh",
        "-c",
        f'mount -t tmpfs -o size={SIZE} tmpfs "$SCRATCH" && exec "$@"',
        "sh",
    ]
    stack = stack_factory(env, wrap=wrap)
    planner = Client(stack.url).login(PLANNERS[0])
    count = "SELECT count(*), max(updated_at) FROM layers_amenity"
    before = cluster.sql(count, db=db_copy)

    for fmt in ("geojson", "csv", "gpkg"):
        r = planner.request("GET", f"/layers/export/amenity.{fmt}")
        assert r.status_code == 507, (fmt, r.status_code, r.text[:300])
        assert "磁盘已满" in r.text
        assert scratch_listing(stack, scratch) == []

    # what fits is still served
    small = planner.request(
        "GET", "/layers/export/district.geojson?bbox=121.54,29.86,121.55,29.87"
    )
    assert small.status_code == 200
    assert small.json()["type"] == "FeatureCollection"

    # an upload larger than the free space: refused, nothing kept, nothing imported
    rows = ["code,name,category,lon,lat"] + [
        f"DF-{i:05d},测试设施{i},elderly_daycare,121.5{i % 10},29.8{i % 7}"
        for i in range(12000)
    ]
    body = ("\n".join(rows) + "\n").encode()
    assert len(body) > 256 * 1024
    r = planner.request(
        "POST",
        "/layers/import/",
        data={"layer": "amenity", "crs": "EPSG:4326"},
        files={"file": ("pois.csv", body, "text/csv")},
    )
    assert r.status_code == 507, (r.status_code, r.text[:500])
    assert "未导入任何内容" in r.text
    assert scratch_listing(stack, scratch) == []
    assert cluster.sql(count, db=db_copy) == before
