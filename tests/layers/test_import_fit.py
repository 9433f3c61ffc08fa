"""The import page guides: the layer defaults to the one that fits the file's
geometries; a file that fits none of the chosen layer is refused with a sentence (the
issue's point file to the districts layer ended in HTTP 500), nothing written; the
report in the user's language. Real PostGIS, files built here."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.utils import translation

from layers import models
from layers.importing import layer_import
from layers.importing.fit import fitting_layers, layer_choose
from layers.importing.report_text import sentence
from layers.io.errors import ImportRejected
from tests import factories

pytestmark = pytest.mark.django_db

POINTS = [shapely.Point(121.542, 29.862), shapely.Point(121.553, 29.872)]
BOXES = [
    shapely.box(121.540, 29.860, 121.545, 29.864),
    shapely.box(121.550, 29.870, 121.556, 29.875),
]


@pytest.fixture
def root(reference_data):
    factories.district(code="D330203", name="海曙区")
    return get_user_model().objects.create_superuser("root", "r@example.org", "pw")


@pytest.fixture
def uploads(tmp_path, settings):
    settings.GEOAPP_UPLOAD_TMP_DIR = str(tmp_path / "up")


def _file(tmp_path, geoms, data, name):
    f = tmp_path / name
    gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326").to_file(f, driver="GeoJSON")
    return f


def _post(client, f, lang="zh-hans", **data):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = lang
    with open(f, "rb") as fh:
        return client.post("/layers/import/", {"file": fh, **data})


def test_the_fitting_layers_of_each_geometry_family():
    assert fitting_layers({"Point": 3})[0] == "amenity"
    assert fitting_layers({"Polygon": 1, "MultiPolygon": 2})[0] == "community"
    assert fitting_layers({"LineString": 4})[0] == "walk_segment"
    assert "district" not in fitting_layers({"Point": 3})
    assert "district" in fitting_layers({"Polygon": 1})
    with pytest.raises(ImportRejected) as exc:
        layer_choose({"Point": 1, "LineString": 1})
    assert exc.value.code == "geometry_mismatch"


def test_a_point_file_to_the_districts_layer_is_refused_with_a_sentence(
    client, root, tmp_path, uploads
):
    f = _file(tmp_path, POINTS, {"名称": ["甲", "乙"]}, "设施点.geojson")
    client.force_login(root)
    before = models.District.objects.count()
    for dry in (True, False):
        r = _post(client, f, layer="district", action="import", dry_run=dry or "")
        html = r.content.decode()
        assert r.status_code == 400, html
        assert "文件中的要素是点 2 个，“区县”图层需要面，未导入任何内容" in html
        assert "“配套设施”" in html  # the layer that would fit is named
        assert 'data-code="geometry_mismatch"' in html
    assert models.District.objects.count() == before
    r = _post(client, f, lang="en", layer="district", action="import")
    html = r.content.decode()
    assert r.status_code == 400
    assert "The file holds points (2)" in html and "District" in html
    # the service says the same to the command line and the API
    with pytest.raises(ImportRejected, match="区县"):
        layer_import(layer="district", path=f, user=root)


def test_without_a_layer_the_file_goes_where_its_geometries_fit(
    client, root, tmp_path, uploads
):
    f = _file(
        tmp_path,
        BOXES,
        {
            "小区名称": ["白云小区", "南苑新村"],
            "建成年份": [1990, 1995],
            "户数": [300, 400],
        },
        "普查.geojson",
    )
    client.force_login(root)
    r = _post(client, f, layer="", action="import", dry_run="on")
    html = r.content.decode()
    assert r.status_code == 200, html
    # the form now shows the chosen layer, and the report says so, in Chinese
    assert '<option value="community" selected>' in html
    assert "按文件的几何类型选择了“小区”图层" in html
    assert "“小区”图层：试运行，未写入；将新建 2 个" in html
    assert "读取 2 行，导入 2 行" in html
    assert models.Community.objects.count() == 0
    r = _post(client, f, lang="en", layer="", action="import")
    html = r.content.decode()
    assert r.status_code == 200, html
    assert "chosen from the file" in html and "created 2" in html
    assert "read 2, imported 2" in html
    assert models.Community.objects.count() == 2
    # points: the amenities layer (its required category is missing: refused rows)
    p = _file(tmp_path, POINTS, {"名称": ["甲", "乙"]}, "点.geojson")
    r = _post(client, p, layer="", action="import", dry_run="on")
    assert '<option value="amenity" selected>' in r.content.decode()


def test_the_refusal_report_is_translated_row_by_row(client, root, tmp_path, uploads):
    f = _file(
        tmp_path,
        BOXES,
        {"小区名称": ["白云小区", "南苑新村"], "建成年份": ["很久以前", 1995]},
        "坏年份.geojson",
    )
    client.force_login(root)
    r = _post(client, f, layer="community", action="import", dry_run="on")
    html = r.content.decode()
    assert r.status_code == 400, html
    assert "导入被拒绝：有行未通过检查" in html
    assert "第 1 行：拒绝" in html and "不是整数" in html
    r = _post(client, f, lang="en", layer="community", action="import", dry_run="on")
    html = r.content.decode()
    assert "Import refused" in html and "row 1: rejected" in html
    assert "not an integer" in html
    assert "拒绝" not in html.split('id="import-report"')[1]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh-hans", "几何类型为 Point，该图层需要 MultiPolygon"),
        ("en", "geometry type Point, the layer needs MultiPolygon"),
    ],
)
def test_a_readers_sentence_in_the_users_language(lang, expected):
    with translation.override(lang):
        assert sentence("geometry type Point, expected MultiPolygon") == expected
        # a sentence the table does not know is shown as written, never lost
        assert sentence("something new happened") == "something new happened"
