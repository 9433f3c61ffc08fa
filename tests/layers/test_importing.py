"""layer_import / osm_import end to end on real PostGIS, with files built in tmp_path."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from accounts.permissions import SYSTEM
from layers import importing, models
from layers.importing import ImportRefused, layer_import, osm_import
from layers.io.errors import ImportRejected
from tests import factories

pytestmark = pytest.mark.django_db

# 三江口 boxes in lon/lat (inside settings.CITY_EXTENT and the factory district)
BOXES = [
    (121.540, 29.860, 121.545, 29.864),
    (121.550, 29.870, 121.556, 29.875),
    (121.560, 29.880, 121.562, 29.882),
]
BEIJING_EXTENT = (116.30, 39.95, 116.40, 40.05)


def _gdf(data, geoms, crs="EPSG:4326"):
    import geopandas as gpd

    return gpd.GeoDataFrame(data, geometry=geoms, crs=crs)


def _boxes():
    import shapely

    return [shapely.box(*b) for b in BOXES]


def counts():
    return {
        name: model.objects.count() for name, model in importing.LAYER_MODELS.items()
    } | {"population_raster": models.PopulationRaster.objects.count()}


@pytest.fixture
def district():
    # covers 121.52–121.58 E, 29.85–29.90 N
    return factories.district(code="D330203", name="海曙区")


def community_geojson(tmp_path, district, *, bad_row=None, name="c.geojson"):
    import shapely

    geoms = _boxes()
    if bad_row is not None:
        # a bow-tie: repair would change the area by ~100 %
        x0, y0, x1, y1 = BOXES[bad_row - 1]
        geoms[bad_row - 1] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    gdf = _gdf(
        {
            "code": ["C001", "C002", "C003"],
            "name": ["白云小区", "南苑新村", "孔浦宿舍"],
            "district_code": [district.code] * 3,
            "completion_year": [1995, 1988, 1979],
            "households": [320, 1200, 86],
            "residents": [800, 3000, 200],
        },
        geoms,
    )
    f = tmp_path / name
    gdf.to_file(f, driver="GeoJSON")
    return f


def test_geojson_community_import_and_reimport_updates(tmp_path, district):
    f = community_geojson(tmp_path, district)
    r = layer_import(user=SYSTEM, layer="community", path=f)
    assert (r.created, r.updated) == (3, 0)
    assert r.report.imported == 3 and r.report.rejected == 0
    c = models.Community.objects.get(code="C002")
    assert c.name == "南苑新村" and c.households == 1200
    assert c.district == district
    assert c.source_file == "c.geojson" and c.source_crs == "EPSG:4326"
    assert c.history.count() == 1
    r2 = layer_import(user=SYSTEM, layer="community", path=f)
    assert (r2.created, r2.updated) == (0, 3)
    assert models.Community.objects.count() == 3
    c.refresh_from_db()
    assert c.version == 2
    assert c.history.count() == 2


# ---------------------------------------------------------------------------
# helpers for the remaining tests


@pytest.fixture
def upload_dirs(tmp_path, settings):
    """Private upload dir and MEDIA_ROOT in tmp_path, checked empty afterwards."""
    up = tmp_path / "uploads"
    media = tmp_path / "media"
    up.mkdir()
    media.mkdir()
    settings.GEOAPP_UPLOAD_TMP_DIR = str(up)
    settings.MEDIA_ROOT = str(media)
    settings.RASTER_ROOT = media / "rasters"

    def left() -> list[str]:
        return sorted(str(p) for p in [*up.rglob("*"), *media.rglob("*")])

    return left


def make_planner(district, username="planner"):
    from django.contrib.auth import get_user_model

    from accounts.models import Profile, Role

    user = get_user_model().objects.create_user(username, password="pw")
    Profile.objects.create(user=user, role=Role.DISTRICT_PLANNER, district=district)
    return user


def test_gbk_shapefile_epsg4549_with_chinese_mapping(tmp_path, district):
    import pyogrio

    gdf = _gdf(
        {
            "编号": ["HS-01", "HS-02", "HS-03"],
            "小区名称": ["白云小区", "南苑新村", "孔浦宿舍"],
            "所属区县": ["海曙区"] * 3,  # resolved by name
            "建成年代": ["1995年", "1988", "1979"],
            "户数": [320, 1200, 86],
            "房屋类型": ["商品房", "房改房", "安置房"],
            "物业": ["无", "专业物业", "自治"],
            "列入棚改": ["否", "是", "否"],
        },
        _boxes(),
    ).to_crs("EPSG:4549")
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.write_dataframe(gdf, folder / "小区.shp", encoding="GBK")
    (folder / "小区.cpg").unlink(missing_ok=True)
    z = tmp_path / "communities.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f.name)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        """
fields:
  编号: code
  小区名称: name
  所属区县: district_code
  建成年代: completion_year
  户数: households
  房屋类型: housing_type
  物业: property_management
  列入棚改: in_shanty_plan
values:
  housing_type: {商品房: commodity, 房改房: work_unit, 安置房: resettlement}
  property_management: {无: none, 专业物业: professional, 自治: self}
""",
        encoding="utf-8",
    )
    r = layer_import(user=SYSTEM, layer="community", path=z, mapping=mapping)
    assert r.created == 3, r.report.to_text()
    c = models.Community.objects.get(code="HS-02")
    assert c.name == "南苑新村"
    assert c.housing_type == "work_unit" and c.property_management == "professional"
    assert c.in_shanty_plan is True and c.completion_year == 1988
    assert models.Community.objects.get(code="HS-01").completion_year == 1995
    assert c.source_crs == "EPSG:4549" and c.source_file == "communities.zip"
    assert r.report.info.get("encoding", "").lower() in ("gbk", "cp936", "gb18030")


def test_gcj02_csv_amenities(tmp_path, district):
    from layers.io.chinese_crs import wgs84_to_gcj02

    true = [(121.5480, 29.8700), (121.5520, 29.8750)]
    gx, gy = wgs84_to_gcj02([p[0] for p in true], [p[1] for p in true])
    f = tmp_path / "amenities_gaode.csv"
    f.write_text(
        "名称,类型,经度,纬度\n"
        f"阳光幼儿园,幼儿园,{gx[0]:.8f},{gy[0]:.8f}\n"
        f"社区卫生服务站,卫生站,{gx[1]:.8f},{gy[1]:.8f}\n",
        encoding="utf-8",
    )
    mapping = {
        "fields": {"名称": "name", "类型": "category"},
        "values": {"category": {"幼儿园": "kindergarten", "卫生站": "health_station"}},
    }
    r = layer_import(
        user=SYSTEM, layer="amenity", path=f, mapping=mapping, from_gcj02=True
    )
    assert r.created == 2, r.report.to_text()
    a = models.Amenity.objects.get(code="amenities_gaode-1")
    assert a.category.code == "kindergarten"
    p = factories.lonlat(*true[0])
    assert a.geom.distance(p) < 0.05  # metres: GCJ-02 offset removed
    assert any("GCJ-02" in w for w in r.report.warnings)
    # re-import: same generated codes → updates
    r2 = layer_import(
        user=SYSTEM, layer="amenity", path=f, mapping=mapping, from_gcj02=True
    )
    assert (r2.created, r2.updated) == (0, 2)
    assert models.Amenity.objects.count() == 2


def test_geopackage_with_two_layers(tmp_path, district):
    import pyogrio
    import shapely

    f = tmp_path / "survey.gpkg"
    idle = _gdf(
        {"code": ["I1", "I2"], "kind": ["vacant", "corner"], "owner": ["街道", "区"]},
        _boxes()[:2],
    )
    vacant = _gdf(
        {
            "code": ["V1"],
            "floor_area_m2": [120.5],
            "owner_kind": ["public"],
            "floors": [2],
        },
        [shapely.Point(121.55, 29.875)],
    )
    pyogrio.write_dataframe(idle, f, layer="idle", driver="GPKG")
    pyogrio.write_dataframe(vacant, f, layer="vacant", driver="GPKG", append=True)
    with pytest.raises(ImportRejected) as exc:
        layer_import(user=SYSTEM, layer="idle_land", path=f)
    assert exc.value.code == "needs_layer"
    r = layer_import(user=SYSTEM, layer="idle_land", path=f, gpkg_layer="idle")
    assert r.created == 2
    assert models.IdleLand.objects.get(code="I2").kind == "corner"
    assert models.IdleLand.objects.get(code="I1").area_m2 > 100_000
    r = layer_import(user=SYSTEM, layer="vacant_housing", path=f, gpkg_layer="vacant")
    assert r.created == 1
    assert models.VacantHousing.objects.get(code="V1").floor_area_m2 == 120.5


KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>三江口步行道</name>
<ExtendedData><Data name="code"><value>W1</value></Data>
<Data name="kind"><value>footway</value></Data></ExtendedData>
<LineString><coordinates>121.550,29.870 121.552,29.871 121.554,29.873</coordinates></LineString>
</Placemark>
<Placemark><name>小巷</name>
<ExtendedData><Data name="code"><value>W2</value></Data>
<Data name="kind"><value>alley</value></Data></ExtendedData>
<LineString><coordinates>121.554,29.873 121.556,29.874</coordinates></LineString>
</Placemark>
</Document></kml>"""


def test_kml_walk_segments(tmp_path, district):
    f = tmp_path / "walk.kml"
    f.write_text(KML, encoding="utf-8")
    r = layer_import(
        user=SYSTEM, layer="walk_segment", path=f, mapping={"fields": {"Name": "name"}}
    )
    assert r.created == 2, r.report.to_text()
    w = models.WalkSegment.objects.get(code="W1")
    assert w.kind == "footway" and w.name == "三江口步行道"
    assert 200 < w.length_m < 600


def test_geotiff_population_raster(tmp_path, upload_dirs):
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    f = tmp_path / "pop.tif"
    arr = np.arange(12, dtype="float32").reshape(1, 3, 4)
    with rasterio.open(
        f, "w", driver="GTiff", width=4, height=3, count=1, dtype="float32",
        crs="EPSG:4549", transform=from_origin(650000, 3310000, 100, 100), nodata=-1,
    ) as ds:  # fmt: skip
        ds.write(arr)
    r = layer_import(user=SYSTEM, layer="population_raster", path=f, dry_run=True)
    assert r.created == 1 and models.PopulationRaster.objects.count() == 0
    r = layer_import(user=SYSTEM, layer="population_raster", path=f)
    pr = models.PopulationRaster.objects.get(name="pop")
    assert pr.total == 66.0 and pr.srid == 4549 and pr.width == 4
    assert Path(pr.path).parent == Path(settings.RASTER_ROOT)
    assert Path(pr.path).is_file() and pr.source_file == "pop.tif"
    r = layer_import(user=SYSTEM, layer="population_raster", path=f)
    assert r.updated == 1 and models.PopulationRaster.objects.count() == 1


def test_one_bad_row_refuses_everything(tmp_path, district):
    f = community_geojson(tmp_path, district, bad_row=2)
    before = counts()
    with pytest.raises(ImportRefused) as exc:
        layer_import(user=SYSTEM, layer="community", path=f)
    assert counts() == before
    rows = {i.row for i in exc.value.report.issues if i.status == "rejected"}
    assert rows == {2}
    assert "row 2" in str(exc.value)
    assert "Self-intersection" in str(exc.value) or "invalid" in str(exc.value)


def test_bad_attribute_and_unknown_fk_refused(tmp_path, district):
    f = community_geojson(tmp_path, district)
    data = json.loads(f.read_text())
    data["features"][0]["properties"]["households"] = "many"
    data["features"][2]["properties"]["district_code"] = "NOPE"
    f.write_text(json.dumps(data, ensure_ascii=False))
    with pytest.raises(ImportRefused) as exc:
        layer_import(user=SYSTEM, layer="community", path=f)
    rep = exc.value.report
    assert {i.row for i in rep.issues if i.status == "rejected"} == {1, 3}
    assert models.Community.objects.count() == 0


def test_skip_invalid_imports_valid_rows(tmp_path, district):
    f = community_geojson(tmp_path, district, bad_row=3)
    r = layer_import(user=SYSTEM, layer="community", path=f, skip_invalid=True)
    assert r.created == 2
    assert r.report.rejected == 1
    assert sorted(models.Community.objects.values_list("code", flat=True)) == [
        "C001",
        "C002",
    ]


def test_small_invalidity_repaired_and_reported(tmp_path, district):
    import shapely

    x0, y0, x1, y1 = BOXES[0]
    d = 2e-5  # a ~2 m self-intersecting lobe at one corner: repair changes area < 1 %
    ring = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0 + d, y0 - d), (x0, y0)]
    poly = shapely.Polygon(ring)
    f = community_geojson(tmp_path, district)
    data = json.loads(f.read_text())
    data["features"][0]["geometry"] = shapely.geometry.mapping(poly)
    f.write_text(json.dumps(data, default=list))
    assert not shapely.is_valid(poly)
    r = layer_import(user=SYSTEM, layer="community", path=f)
    assert r.created == 3
    assert r.report.repaired == 1
    with pytest.raises(ImportRefused):
        layer_import(user=SYSTEM, layer="community", path=f, repair=False)


def test_dry_run_writes_nothing(tmp_path, district):
    f = community_geojson(tmp_path, district)
    before = counts()
    r = layer_import(user=SYSTEM, layer="community", path=f, dry_run=True)
    assert r.dry_run and r.created == 3
    assert counts() == before
    assert "dry run" in r.to_text().lower()


def test_district_planner_limited_to_their_district(tmp_path, district):
    other = factories.district(
        code="D9",
        name="远处区",
        geom=factories.MultiPolygon(
            factories.square(121.9, 30.2, 2000), srid=settings.SRID
        ),
    )
    from django.core.exceptions import PermissionDenied

    f = community_geojson(tmp_path, district)
    inside = make_planner(district)
    outside = make_planner(other, "far")
    with pytest.raises(PermissionDenied):
        layer_import(layer="community", path=f, user=outside)
    assert models.Community.objects.count() == 0
    r = layer_import(layer="community", path=f, user=inside)
    assert r.created == 3
    c = models.Community.objects.get(code="C001")
    assert c.history.first().history_user == inside
    with pytest.raises(PermissionDenied):
        layer_import(layer="district", path=f, user=inside)


# ---------------------------------------------------------------------------
# hostile files through the service


def hostile_files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    slip = tmp_path / "slip.zip"
    with zipfile.ZipFile(slip, "w") as zf:
        zf.writestr("a.geojson", b'{"type":"FeatureCollection","features":[]}')
        bad = zipfile.ZipInfo("placeholder")
        bad.filename = "../evil.txt"
        zf.writestr(bad, b"pwned")
    out["zip_slip"] = slip
    bomb = tmp_path / "bomb.zip"
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("zeros.geojson", "w", force_zip64=True) as fh,
    ):
        block = b"\0" * (1 << 20)
        for _ in range(200):
            fh.write(block)
    out["zip_bomb"] = bomb
    canary = tmp_path / "canary.csv"
    canary.write_text("secret,CANARY-123\n")
    vrt = tmp_path / "population.tif"
    vrt.write_text(
        '<VRTDataset rasterXSize="10" rasterYSize="10"><VRTRasterBand dataType="Byte" '
        'band="1" subClass="VRTRawRasterBand"><SourceFilename relativeToVRT="0">'
        f"{canary}</SourceFilename></VRTRasterBand></VRTDataset>"
    )
    out["vrt_as_tif"] = vrt
    deep = tmp_path / "deep.geojson"
    deep.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        '"geometry":' + "[" * 100_000 + "]" * 100_000 + "}]}"
    )
    out["deep_nesting"] = deep
    return out


@pytest.mark.parametrize("kind", ["zip_slip", "zip_bomb", "vrt_as_tif", "deep_nesting"])
def test_hostile_files_through_service(tmp_path, upload_dirs, district, kind):
    src = tmp_path / "src"
    src.mkdir()
    f = hostile_files(src)[kind]
    layer = "population_raster" if kind == "vrt_as_tif" else "community"
    before = counts()
    with pytest.raises(ImportRejected) as exc:
        layer_import(user=SYSTEM, layer=layer, path=f)
    assert "CANARY" not in str(exc.value)
    assert counts() == before
    assert upload_dirs() == []
    assert not (tmp_path / "evil.txt").exists()
    assert not (src / "evil.txt").exists()


# ---------------------------------------------------------------------------
# the shared real data


FACILITIES_MAPPING = {
    "hospitals.geojson": {"amenity=hospital": "health_center"},
    "schools.geojson": {"amenity=school": "primary_school"},
    "commercial_areas.geojson": {
        "landuse=commercial|retail or shop=mall": "shopping_mall"
    },
}


def test_ningbo_osm_facilities_import(shared_data, settings):
    from layers.io.readers import NINGBO_EXTENT

    # the files cover the whole municipality (Ninghai, Xiangshan): widen the city box
    settings.CITY_EXTENT = NINGBO_EXTENT
    folder = shared_data / "ningbo_osm_facilities"
    total = 0
    for name, values in FACILITIES_MAPPING.items():
        mapping = {"fields": {"name": "name"}, "values": {"category": values}}
        r = layer_import(
            user=SYSTEM, layer="amenity", path=folder / name, mapping=mapping
        )
        assert r.report.rejected == 0, r.report.to_text()
        assert r.created == r.report.read
        total += r.created
    assert models.Amenity.objects.count() == total == 95 + 560 + 352
    assert models.Amenity.objects.filter(category__code="health_center").count() == 95
    assert models.Amenity.objects.filter(category__code="shopping_mall").count() == 352
    a = models.Amenity.objects.get(code="hospitals-1")
    assert a.source == "OpenStreetMap" and a.geom.geom_type == "Point"
    # idempotent
    r = layer_import(
        user=SYSTEM,
        layer="amenity",
        path=folder / "hospitals.geojson",
        mapping={"values": {"category": FACILITIES_MAPPING["hospitals.geojson"]}},
    )
    assert (r.created, r.updated) == (0, 95)


def test_beijing_osm_import(shared_data, settings):
    settings.CITY_EXTENT = BEIJING_EXTENT
    f = shared_data / "beijing_haidian_osm" / "beijing_haidian_qinghe_map.osm"
    dry = osm_import(user=SYSTEM, path=f, extent=BEIJING_EXTENT, dry_run=True)
    assert models.WalkSegment.objects.count() == 0
    r = osm_import(user=SYSTEM, path=f, extent=BEIJING_EXTENT)
    assert r.counts["walk_segment"]["created"] == dry.counts["walk_segment"]["created"]
    assert models.WalkSegment.objects.count() > 500
    assert models.Amenity.objects.filter(category__code="kindergarten").count() >= 1
    assert models.Amenity.objects.filter(category__code="restaurant").count() > 10
    assert r.reports["community"].info["candidates"]  # reported, not stored
    assert models.Community.objects.count() == 0
    seg = models.WalkSegment.objects.first()
    assert seg.source_file == f.name and seg.source_crs == "EPSG:4326"
    r2 = osm_import(user=SYSTEM, path=f, extent=BEIJING_EXTENT)
    assert r2.counts["walk_segment"]["created"] == 0
    assert r2.counts["amenity"]["updated"] == r.counts["amenity"]["created"]


# ---------------------------------------------------------------------------
# the upload form /layers/import/


def _post(client, f: Path, **data):
    with open(f, "rb") as fh:
        return client.post(
            "/layers/import/", {"file": fh, "layer": "community", **data}
        )


def test_upload_form_requires_login_and_role(client, district):
    from django.contrib.auth import get_user_model

    r = client.get("/layers/import/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    viewer = get_user_model().objects.create_user("viewer", password="pw")
    client.force_login(viewer)
    assert client.get("/layers/import/").status_code == 403
    client.force_login(make_planner(district))
    r = client.get("/layers/import/")
    assert r.status_code == 200 and b"csrfmiddlewaretoken" in r.content


def test_upload_form_dry_run_then_import(client, tmp_path, upload_dirs, district):
    client.force_login(make_planner(district))
    f = community_geojson(tmp_path, district)
    r = _post(client, f, dry_run="on")
    assert r.status_code == 200
    assert "将新建 3 个" in r.content.decode()  # the report in the page's language
    assert models.Community.objects.count() == 0
    r = _post(client, f)
    assert r.status_code == 200, r.content.decode()
    assert models.Community.objects.count() == 3
    assert models.Community.objects.get(code="C001").source_file == "c.geojson"
    assert upload_dirs() == []


def test_upload_form_bad_row_shows_report(client, tmp_path, upload_dirs, district):
    client.force_login(make_planner(district))
    f = community_geojson(tmp_path, district, bad_row=2)
    r = _post(client, f)
    assert r.status_code == 400
    assert "第 2 行：拒绝" in r.content.decode()
    assert models.Community.objects.count() == 0
    assert upload_dirs() == []


def test_upload_form_csrf_and_size_cap(
    client, tmp_path, upload_dirs, district, settings
):
    from django.test import Client

    user = make_planner(district)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    f = community_geojson(tmp_path, district)
    assert _post(strict, f).status_code == 403
    settings.GEOAPP_UPLOAD_MAX_BYTES = 100
    client.force_login(user)
    r = _post(client, f)
    assert r.status_code == 400 and "上限".encode() in r.content
    assert models.Community.objects.count() == 0
    assert upload_dirs() == []


@pytest.mark.parametrize("kind", ["zip_slip", "zip_bomb", "vrt_as_tif", "deep_nesting"])
def test_hostile_files_through_upload_form(
    client, tmp_path, upload_dirs, district, kind
):
    src = tmp_path / "src"
    src.mkdir()
    f = hostile_files(src)[kind]
    client.force_login(make_planner(district))
    before = counts()
    layer = "population_raster" if kind == "vrt_as_tif" else "community"
    r = _post(client, f, layer=layer)
    assert r.status_code in (400, 403)
    body = r.content.decode()
    assert "CANARY" not in body and "Traceback" not in body
    assert counts() == before
    assert upload_dirs() == []
    assert not (tmp_path / "evil.txt").exists() and not (src / "evil.txt").exists()


def test_upload_form_admin_imports_raster_into_raster_root(
    client, tmp_path, upload_dirs
):
    import numpy as np
    import rasterio
    from django.contrib.auth import get_user_model
    from rasterio.transform import from_origin

    f = tmp_path / "renkou.tif"
    with rasterio.open(
        f, "w", driver="GTiff", width=2, height=2, count=1, dtype="float32",
        crs="EPSG:4549", transform=from_origin(650000, 3310000, 100, 100),
    ) as ds:  # fmt: skip
        ds.write(np.ones((1, 2, 2), dtype="float32"))
    admin = get_user_model().objects.create_superuser("root", password="pw")
    client.force_login(admin)
    r = _post(client, f, layer="population_raster")
    assert r.status_code == 200, r.content.decode()
    pr = models.PopulationRaster.objects.get()
    assert pr.total == 4.0
    # the only file left is the re-encoded raster under RASTER_ROOT
    assert upload_dirs() == sorted([str(settings.RASTER_ROOT), pr.path])


def test_import_doc_osm_table_is_generated_from_code():
    doc = (Path(settings.BASE_DIR) / "docs" / "IMPORT.md").read_text("utf-8")
    start = doc.index("<!-- osm-table:start -->") + len("<!-- osm-table:start -->")
    end = doc.index("<!-- osm-table:end -->")
    assert doc[start:end].strip() == importing.osm_tag_table_markdown().strip()


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "1e999"])
def test_nonfinite_geojson_through_service_refused_not_a_traceback(
    tmp_path, district, literal
):
    """Every feature non-finite used to end in AttributeError (no geometry column)."""
    p = tmp_path / "pois.geojson"
    p.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", '
        '"properties": {"name": "药店", "category": "community_shop"}, '
        f'"geometry": {{"type": "Point", "coordinates": [{literal}, 29.87]}}}}]}}',
        "utf-8",
    )
    before = counts()
    with pytest.raises(ImportRefused) as exc:
        layer_import(user=SYSTEM, layer="amenity", path=p)
    assert "feature 1 (name '药店'): coordinate" in str(exc.value)
    assert exc.value.report.rejected == 1
    assert counts() == before
