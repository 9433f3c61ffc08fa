"""Parsing in a resource-limited child: results come back as data; crashes,
memory/CPU exhaustion and timeouts become ImportRejected and this process lives on."""

from __future__ import annotations

import os

import numpy as np
import pytest

from layers.io.errors import ImportRejected, NeedsInput, UnsafeFile
from layers.io.sandbox import SandboxLimits, run_sandboxed


def test_vector_round_trip_through_child(tmp_path, samples, jail):
    z = samples.make_gbk_shapefile_zip(tmp_path)
    jail()
    r = run_sandboxed("read_vector", z)
    jail.check()
    assert list(r.gdf["小区名称"]) == ["白云小区", "南苑新村", "孔浦街道宿舍"]
    assert list(r.gdf.index) == [1, 2, 3]
    assert r.gdf.crs.to_epsg() == 4549
    assert r.report.read == 3 and r.encoding == "GB18030"


def test_refusals_keep_their_class(tmp_path, samples):
    z = samples.make_gbk_shapefile_zip(tmp_path, prj=False)
    with pytest.raises(NeedsInput) as exc:
        run_sandboxed("read_vector", z)
    assert exc.value.code == "needs_crs"
    r = run_sandboxed("read_vector", z, crs="EPSG:4549", geometry_type="MultiPolygon")
    assert (r.gdf.geom_type == "MultiPolygon").all()
    kml = tmp_path / "x.kml"
    kml.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><kml/>')
    with pytest.raises(UnsafeFile):
        run_sandboxed("read_vector", kml)


def test_raster_through_child(tmp_path):
    import rasterio
    from rasterio.transform import from_origin

    f = tmp_path / "p.tif"
    with rasterio.open(
        f,
        "w",
        driver="GTiff",
        width=3,
        height=2,
        count=1,
        dtype="float32",
        crs="EPSG:4549",
        transform=from_origin(650000, 3310000, 100, 100),
    ) as ds:
        ds.write(np.ones((1, 2, 3), dtype="float32"))
    r = run_sandboxed("read_raster", f)
    assert r.array.shape == (1, 2, 3) and r.crs == "EPSG:4549"
    assert r.transform.a == 100


@pytest.mark.parametrize(
    ("op", "limits", "match"),
    [
        ("selftest:crash", SandboxLimits(), "crashed"),
        ("selftest:sleep", SandboxLimits(wall_seconds=2), "timed out"),
        ("selftest:alloc", SandboxLimits(memory_bytes=1024**3), "memory"),
        ("selftest:spin", SandboxLimits(cpu_seconds=1), "CPU time limit"),
    ],
)
def test_child_failures_become_clean_errors(tmp_path, op, limits, match):
    f = tmp_path / "x.geojson"
    f.write_text("{}")
    pid = os.getpid()
    with pytest.raises(ImportRejected, match="file could not be parsed") as exc:
        run_sandboxed(op, f, limits=limits)
    assert match in str(exc.value)
    assert os.getpid() == pid
