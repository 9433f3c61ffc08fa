"""Export → read_vector round trips for every format, and the shapefile rename table."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
import shapely

from layers.io.readers import read_vector
from layers.io.writers import export, shapefile_field_names, write_csv

COLUMNS = ["code", "小区名称", "建成年代", "households"]


def _long_names(gdf):
    return gdf.rename(
        columns={"households": "households_total", "建成年代": "completion_year"}
    )


def _same(a, b, columns, atol=1e-7):
    assert list(a.index) == list(b.index)
    for c in columns:
        assert [str(v) for v in a[c]] == [str(v) for v in b[c]], c
    # shapefiles store exterior rings clockwise: compare normalised geometries
    ga = shapely.normalize(a.to_crs(4326).geometry.to_numpy())
    gb = shapely.normalize(b.to_crs(4326).geometry.to_numpy())
    assert shapely.equals_exact(ga, gb, tolerance=atol).all()


@pytest.mark.parametrize("suffix", ["geojson", "gpkg", "zip", "csv", "xlsx"])
def test_round_trip(tmp_path, samples, suffix):
    src = _long_names(samples.ningbo_gdf("EPSG:4549"))
    src.index = src.index + 1
    cols = [c for c in src.columns if c != "geometry"]
    path = export(src, tmp_path / f"out.{suffix}")
    kw = {"crs": "EPSG:4326"} if suffix in ("csv", "xlsx") else {}
    back = read_vector(path, **kw).gdf
    assert back.crs.to_epsg() == 4549
    _same(src, back, cols)


def test_keep_storage_crs(tmp_path, samples):
    src = samples.ningbo_gdf("EPSG:4549")
    p = export(src, tmp_path / "o.gpkg", crs=None)
    r = read_vector(p)
    assert r.source_crs == "EPSG:4549"


def test_geojson_is_rfc7946(tmp_path, samples):
    p = export(samples.ningbo_gdf("EPSG:4549"), tmp_path / "o.geojson")
    data = json.loads(p.read_text("utf-8"))
    assert "crs" not in data
    x = data["features"][0]["geometry"]["coordinates"][0][0][0]
    assert len(str(x).split(".")[1]) <= 7
    assert data["features"][0]["properties"]["小区名称"] == "白云小区"


def test_shapefile_rename_table(tmp_path, samples):
    table = shapefile_field_names(
        ["code", "completion_year", "completion_month", "小区名称"]
    )
    assert table["code"] == "code"
    assert table["completion_year"] == "completi01"
    assert table["completion_month"] == "completi02"
    assert len(table["小区名称"].encode()) <= 10
    src = _long_names(samples.ningbo_gdf())
    p = export(src, tmp_path / "o.zip")
    with zipfile.ZipFile(p) as zf:
        names = zf.namelist()
        assert zf.read("layer.cpg").strip() == b"UTF-8"
        assert (
            json.loads(zf.read("field_names.json"))["households_total"] == "househol01"
        )
    assert {"layer.shp", "layer.dbf", "layer.shx", "layer.prj"} <= set(names)


def test_csv_lonlat(tmp_path, samples):
    pts = samples.ningbo_gdf()
    pts["geometry"] = pts.representative_point()
    p = write_csv(pts, tmp_path / "p.csv", geometry="lonlat")
    assert p.read_text("utf-8-sig").splitlines()[0].endswith("lon,lat")
    back = read_vector(p, crs="EPSG:4326", target_crs="EPSG:4326").gdf
    assert np.allclose(back.geometry.x, pts.geometry.x.to_numpy())


def test_xlsx_formula_injection_neutralised(tmp_path, samples):
    import openpyxl

    g = samples.ningbo_gdf()
    g["note"] = ['=HYPERLINK("http://x")', "ok", "@SUM(A1)"]
    p = export(g, tmp_path / "o.xlsx")
    ws = openpyxl.load_workbook(p).active
    values = [c.value for c in ws["E"]][1:]
    assert values[0].startswith("'=") and values[2].startswith("'@")
