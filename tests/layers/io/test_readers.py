"""read_vector on every accepted format, encodings, CRS handling and row checks.

Cases: GBK shapefile in EPSG:4549 without .cpg; the same with .cpg; undetectable
encoding; missing .prj; GeoPackage with 2 layers; KML; KMZ; GCJ-02 CSV; BD-09 CSV;
WKT CSV; swapped axes; deep nesting 10/100/10^5; NaN/Infinity/1e999; invalid
polygons (repaired and rejected); wrong geometry type.
"""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
import shapely

from layers.io.chinese_crs import wgs84_to_bd09, wgs84_to_gcj02
from layers.io.errors import ImportRejected, NeedsInput, OutOfExtent
from layers.io.readers import list_layers, read_vector

NAMES = ["白云小区", "南苑新村", "孔浦街道宿舍"]


def test_gbk_shapefile_without_cpg_in_cgcs2000(tmp_path, samples, jail):
    z = samples.make_gbk_shapefile_zip(tmp_path)
    jail()
    r = read_vector(z)
    jail.check()
    assert r.encoding == "GB18030"
    assert list(r.gdf["小区名称"]) == NAMES  # no mojibake
    assert r.source_crs == "EPSG:4549"
    assert r.gdf.crs.to_epsg() == 4549
    expected = samples.ningbo_gdf("EPSG:4549")
    assert np.allclose(r.gdf.total_bounds, expected.total_bounds, atol=0.01)
    assert r.report.read == 3 and r.report.imported == 3 and r.report.ok
    assert list(r.gdf.index) == [1, 2, 3]


def test_shapefile_with_cpg_and_explicit_encoding(tmp_path, samples):
    z = samples.make_gbk_shapefile_zip(tmp_path, cpg=True)
    assert list(read_vector(z).gdf["小区名称"]) == NAMES
    assert list(read_vector(z, encoding="GBK").gdf["小区名称"]) == NAMES


def test_undetectable_encoding_asks_for_it(tmp_path, samples):
    import pyogrio

    folder = tmp_path / "s"
    folder.mkdir()
    gdf = samples.ningbo_gdf("EPSG:4549").iloc[:1]
    gdf = gdf.rename(columns={"小区名称": "name"})[["code", "name", "geometry"]]
    pyogrio.write_dataframe(gdf, folder / "a.shp", encoding="UTF-8")
    (folder / "a.cpg").unlink()
    dbf = (folder / "a.dbf").read_bytes()
    name = "白云小区".encode()
    # bytes valid in neither UTF-8 nor GB18030 with CJK (Latin-1 noise)
    dbf = dbf.replace(name, b"\xff\xfe\xfd\xfc" + b" " * (len(name) - 4))
    (folder / "a.dbf").write_bytes(dbf)
    z = samples.zip_dir(folder, tmp_path / "a.zip")
    with pytest.raises(NeedsInput, match="--encoding") as exc:
        read_vector(z)
    assert exc.value.code == "needs_encoding"
    r = read_vector(z, encoding="latin-1")
    assert len(r.gdf) == 1


def test_missing_prj_asks_for_crs(tmp_path, samples):
    z = samples.make_gbk_shapefile_zip(tmp_path, prj=False)
    with pytest.raises(NeedsInput, match="not declared") as exc:
        read_vector(z)
    assert exc.value.code == "needs_crs"
    r = read_vector(z, crs="EPSG:4549")
    assert list(r.gdf["小区名称"]) == NAMES


def test_missing_prj_wrong_crs_guess_gives_hint(tmp_path, samples):
    z = samples.make_gbk_shapefile_zip(tmp_path, prj=False)
    with pytest.raises(OutOfExtent, match="metres"):
        read_vector(z, crs="EPSG:4326")


def test_gauss_kruger_zone_and_4490_axis_order(tmp_path, samples):
    # EPSG:4490 / 4549 are lat-first/northing-first in the EPSG registry; files use
    # the traditional x=east order.
    for epsg in (4490, 4549, 4550, 4528):
        f = tmp_path / f"g{epsg}.gpkg"
        samples.ningbo_gdf(f"EPSG:{epsg}").to_file(f, engine="pyogrio")
        r = read_vector(f)
        assert r.source_crs == f"EPSG:{epsg}"
        back = r.gdf.to_crs(4326)
        assert np.allclose(
            back.total_bounds, samples.ningbo_gdf().total_bounds, atol=1e-7
        )


def test_geopackage_two_layers(tmp_path, samples):
    f = tmp_path / "two.gpkg"
    gdf = samples.ningbo_gdf("EPSG:4549")
    gdf.to_file(f, layer="community", engine="pyogrio")
    pts = gdf.copy()
    pts["geometry"] = gdf.representative_point()
    pts.to_file(f, layer="entrance", engine="pyogrio")
    assert list_layers(f) == ["community", "entrance"]
    with pytest.raises(NeedsInput, match="community, entrance"):
        read_vector(f)
    r = read_vector(f, layer="entrance", geometry_type="Point")
    assert r.layer == "entrance" and (r.gdf.geom_type == "Point").all()
    with pytest.raises(NeedsInput, match="no layer"):
        read_vector(f, layer="nope")


KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>白云小区</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
121.540,29.860 121.545,29.860 121.545,29.864 121.540,29.864 121.540,29.860
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
<Placemark><name>南苑新村</name><Point><coordinates>121.55,29.87</coordinates></Point>
</Placemark></Document></kml>"""


def test_kml_and_kmz(tmp_path):
    f = tmp_path / "a.kml"
    f.write_text(KML, encoding="utf-8")
    r = read_vector(f)
    assert list(r.gdf["Name"]) == ["白云小区", "南苑新村"]
    assert r.gdf.crs.to_epsg() == 4549
    kmz = tmp_path / "a.kmz"
    with zipfile.ZipFile(kmz, "w") as zf:
        zf.writestr("doc.kml", KML.encode("utf-8"))
    r2 = read_vector(kmz, geometry_type="Polygon")
    assert list(r2.gdf["Name"]) == ["白云小区"]
    assert r2.report.rejected == 1
    assert "expected Polygon" in r2.report.issues[0].reason


# three control points (WGS84): Tianyi Square, Ningbo railway station, Laowaitan
CONTROL = np.array([[121.5537, 29.8707], [121.5354, 29.8634], [121.5613, 29.8847]])


def test_gcj02_csv(tmp_path, jail):
    gx, gy = wgs84_to_gcj02(CONTROL[:, 0], CONTROL[:, 1])
    # the shift is hundreds of metres: a real test of the conversion
    assert np.all(np.hypot(gx - CONTROL[:, 0], gy - CONTROL[:, 1]) > 0.003)
    f = tmp_path / "poi.csv"
    lines = ["名称,经度,纬度"] + [
        f"点{i},{x:.9f},{y:.9f}" for i, (x, y) in enumerate(zip(gx, gy))
    ]
    f.write_text("\n".join(lines), encoding="utf-8")
    jail()
    r = read_vector(f, from_gcj02=True, target_crs="EPSG:4326")
    jail.check()
    got = np.column_stack([r.gdf.geometry.x, r.gdf.geometry.y])
    assert np.abs(got - CONTROL).max() < 1e-7  # ~1 cm
    assert list(r.gdf["名称"]) == ["点0", "点1", "点2"]
    assert any("GCJ-02" in w for w in r.report.warnings)


def test_bd09_csv_gbk(tmp_path):
    bx, by = wgs84_to_bd09(CONTROL[:, 0], CONTROL[:, 1])
    f = tmp_path / "poi.csv"
    lines = ["name,lng,lat"] + [
        f"百度{i},{x:.10f},{y:.10f}" for i, (x, y) in enumerate(zip(bx, by))
    ]
    f.write_bytes("\n".join(lines).encode("gbk"))
    r = read_vector(f, from_bd09=True, target_crs="EPSG:4326")
    got = np.column_stack([r.gdf.geometry.x, r.gdf.geometry.y])
    assert np.abs(got - CONTROL).max() < 1e-7
    assert r.gdf["name"].iloc[0] == "百度0"


def test_csv_without_crs_asks(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("lon,lat\n121.55,29.87\n")
    with pytest.raises(NeedsInput, match="crs"):
        read_vector(f)
    assert len(read_vector(f, crs="EPSG:4490").gdf) == 1


def test_csv_swapped_axes(tmp_path, jail):
    f = tmp_path / "p.csv"
    f.write_text("lon,lat\n29.87,121.55\n29.86,121.54\n")
    jail()
    with pytest.raises(OutOfExtent, match="swapped"):
        read_vector(f, crs="EPSG:4326")
    jail.check()


def test_csv_wkt_and_bad_rows(tmp_path):
    f = tmp_path / "w.csv"
    f.write_text(
        "code;wkt\n"
        "A;POINT (121.55 29.87)\n"
        "B;POINT (121.55\n"
        "C;" + "GEOMETRYCOLLECTION (" * 100 + "POINT (1 1)" + ")" * 100 + "\n"
        "D;POINT (121.56 29.88)\n",
        encoding="utf-8",
    )
    r = read_vector(f, crs="EPSG:4326")
    assert list(r.gdf["code"]) == ["A", "D"]
    reasons = {i.row: i.reason for i in r.report.issues}
    assert reasons[2] == "not valid WKT" and "too deep" in reasons[3]
    assert r.report.to_dict()["counts"] == {
        "read": 4,
        "imported": 2,
        "repaired": 0,
        "rejected": 2,
    }


def test_csv_outlier_row_rejected_not_file(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("x,y\n121.55,29.87\n116.35,39.99\n")
    r = read_vector(f, crs="EPSG:4326")
    assert len(r.gdf) == 1
    assert r.report.issues[0].row == 2
    assert "outside the city extent" in r.report.issues[0].reason


def _nested_gc(depth: int) -> str:
    point = '{"type":"Point","coordinates":[121.55,29.87]}'
    head = '{"type":"GeometryCollection","geometries":['
    inner = head * depth + point + "]}" * depth
    return (
        '{"type":"FeatureCollection","features":[{"type":"Feature",'
        '"properties":{},"geometry":' + inner + "}]}"
    )


def test_deep_nesting(tmp_path, jail):
    ok = tmp_path / "n10.geojson"
    ok.write_text(_nested_gc(10))
    r = read_vector(ok)
    assert r.report.read == 1
    files = []
    for depth in (100, 100_000):
        files.append(tmp_path / f"n{depth}.geojson")
        files[-1].write_text(_nested_gc(depth))
    files.append(tmp_path / "arr.geojson")
    files[-1].write_text("[" * 100_000 + "]" * 100_000)
    jail()
    for f in files:
        with pytest.raises(ImportRejected, match="nesting too deep"):
            read_vector(f)
    jail.check()


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_non_finite_coordinates(tmp_path, bad):
    f = tmp_path / "nan.geojson"
    f.write_text(
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","properties":{"n":1},"geometry":{"type":"Point",'
        '"coordinates":[121.55,29.87]}},'
        '{"type":"Feature","properties":{"n":2},"geometry":{"type":"Point",'
        f'"coordinates":[{bad},29.87]}}}}]}}'
    )
    try:
        r = read_vector(f)
    except ImportRejected as exc:  # GDAL refused the whole file: also fine
        assert str(exc)
        return
    assert list(r.gdf["n"]) == [1]
    assert r.report.rejected == 1
    assert r.report.issues[0].row == 2
    assert np.isfinite(shapely.get_coordinates(r.gdf.geometry)).all()


def test_invalid_polygons_repaired_or_rejected(tmp_path):
    x0, y0 = 121.55, 29.87
    d = 0.001
    # square with a duplicate-ish spike ring that is self-touching: tiny area change
    square_with_spike = shapely.Polygon(
        [
            (x0, y0),
            (x0 + d, y0),
            (x0 + d, y0 + d),
            (x0 + d, y0 + d * 1.5),
            (x0 + d, y0 + d),
            (x0, y0 + d),
            (x0, y0),
        ]
    )
    bowtie = shapely.Polygon([(x0, y0), (x0 + d, y0 + d), (x0 + d, y0), (x0, y0 + d)])
    gj = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"n": i},
                "geometry": shapely.geometry.mapping(g),
            }
            for i, g in enumerate(
                [shapely.box(x0, y0, x0 + d, y0 + d), square_with_spike, bowtie]
            )
        ],
    }
    f = tmp_path / "inv.geojson"
    f.write_text(json.dumps(gj))
    r = read_vector(f, geometry_type="MultiPolygon")
    statuses = {i.row: i.status for i in r.report.issues}
    assert statuses == {2: "repaired", 3: "rejected"}
    assert "Self-intersection" in r.report.issues[1].reason
    assert (r.gdf.geom_type == "MultiPolygon").all()
    assert shapely.is_valid(r.gdf.geometry).all()
    text = r.report.to_text()
    assert "row 3: rejected" in text and "row 2: repaired" in text
    assert json.loads(r.report.to_json())["counts"]["repaired"] == 1


def test_unsupported_format(tmp_path):
    f = tmp_path / "a.dxf"
    f.write_text("0\nSECTION\n")
    with pytest.raises(ImportRejected, match="no supported dataset"):
        read_vector(f)


def test_geojson_named_gpkg_is_refused(tmp_path):
    f = tmp_path / "a.gpkg"
    f.write_text(_nested_gc(0))
    with pytest.raises(ImportRejected, match="not GPKG"):
        read_vector(f)
