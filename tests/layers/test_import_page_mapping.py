"""The upload page's field mapping: detected, shown with the first rows, changed, saved.

Flow of a planner: upload a file with Chinese columns as a dry run → the page shows
each column with the layer column it was detected as, and the first rows → the planner
changes a column in the table and saves the mapping as a template → a later file
imports with that template. Real PostGIS, files built here.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
import shapely

from layers import models
from layers.io.mapping import FieldMapping
from layers.mapping_templates import mapping_template_save
from tests import factories

pytestmark = pytest.mark.django_db

BOXES = [
    (121.540, 29.860, 121.545, 29.864),
    (121.550, 29.870, 121.556, 29.875),
]


@pytest.fixture
def district():
    return factories.district(code="D330203", name="海曙区")


@pytest.fixture
def planner(district):
    from django.contrib.auth import get_user_model

    from accounts.models import Profile, Role

    user = get_user_model().objects.create_user("planner", password="pw")
    Profile.objects.create(user=user, role=Role.DISTRICT_PLANNER, district=district)
    return user


@pytest.fixture
def uploads(tmp_path, settings):
    settings.GEOAPP_UPLOAD_TMP_DIR = str(tmp_path / "up")
    return tmp_path / "up"


def _file(tmp_path, data, name="普查.geojson", points=False):
    geoms = [shapely.box(*b) for b in BOXES]
    if points:
        geoms = [g.centroid for g in geoms]
    f = tmp_path / name
    gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326").to_file(f, driver="GeoJSON")
    return f


def _post(client, f, layer="community", **data):
    with open(f, "rb") as fh:
        return client.post("/layers/import/", {"file": fh, "layer": layer, **data})


def _selected(html: str) -> dict[str, str]:
    """source column → selected target in the page's mapping table."""
    out = {}
    for row in re.findall(
        r"<tr>\s*<td><input type=\"hidden\" name=\"map_source\".*?</tr>", html, re.S
    ):
        src = re.search(r'name="map_source" value="([^"]*)"', row).group(1)
        sel = re.search(r'<option value="([^"]*)" selected>', row)
        out[src] = sel.group(1) if sel else ""
    return out


SURVEY = {
    "名称": ["白云小区", "南苑新村"],
    "别名": ["白云", "南苑"],
    "建成年代": ["1995年", "1988"],
    "总户数": [320, 1200],
    "产权": ["国有", "集体"],
    "备注": ["", "老旧"],
}


def test_dry_run_shows_detected_mapping_and_first_rows(
    client, tmp_path, uploads, planner
):
    client.force_login(planner)
    r = _post(client, _file(tmp_path, SURVEY), dry_run="on")
    html = r.content.decode()
    assert r.status_code == 200, html
    assert _selected(html) == {
        "名称": "name",
        "别名": "",
        "建成年代": "completion_year",
        "总户数": "households",
        "产权": "land_tenure",
        "备注": "",
    }
    assert "建成年份（completion_year）" in html  # targets labelled in Chinese
    assert "白云小区" in html and "南苑新村" in html  # the first rows
    assert "名称 → name" in html  # the report says which column went where
    assert models.Community.objects.count() == 0


def test_planner_changes_the_table_and_saves_a_template(
    client, tmp_path, uploads, planner
):
    client.force_login(planner)
    f = _file(tmp_path, SURVEY)
    table = {
        "map_layer": "community",
        "map_source": list(SURVEY),
        # 别名 becomes the name, 名称 the address; 备注 stays out
        "map_target": [
            "address",
            "name",
            "completion_year",
            "households",
            "land_tenure",
            "",
        ],
    }
    r = _post(client, f, save_template="海曙普查表", **table)
    html = r.content.decode()
    assert r.status_code == 200, html
    assert set(models.Community.objects.values_list("name", "address")) == {
        ("白云", "白云小区"),
        ("南苑", "南苑新村"),
    }
    assert "已保存映射模板" in html
    t = models.MappingTemplate.objects.get(name="海曙普查表")
    assert t.layer == "community" and t.created_by == planner
    assert t.mapping["fields"]["别名"] == "name"
    assert t.mapping["fields"]["名称"] == "address"
    assert "备注" in t.mapping["ignore"]
    assert t.mapping["values"] == {}  # the synonyms' value maps are not copied in
    # the same office's next file, imported with the template, no table posted
    f2 = _file(tmp_path, {**SURVEY, "别名": ["甲", "乙"]}, name="二期.geojson")
    r = _post(client, f2, template=t.pk, dry_run="on")
    html = r.content.decode()
    assert r.status_code == 200, html
    assert _selected(html)["别名"] == "name"
    assert "template 海曙普查表" in html


def test_refused_mapping_still_shows_the_table_to_fix_it(
    client, tmp_path, uploads, planner
):
    """No column is recognised as the category: refused, the table offers the choice."""
    client.force_login(planner)
    data = {"设施": ["阳光幼儿园", "白云卫生站"], "种类": ["幼儿园", "社区卫生服务站"]}
    f = _file(tmp_path, data, name="设施.geojson", points=True)
    r = _post(client, f, layer="amenity", dry_run="on")
    html = r.content.decode()
    assert r.status_code == 400
    assert "category" in html and "在文件中没有对应的列" in html  # in the page language
    assert _selected(html) == {"设施": "", "种类": ""}
    r = _post(
        client,
        f,
        layer="amenity",
        map_layer="amenity",
        map_source=["设施", "种类"],
        map_target=["name", "category"],
    )
    assert r.status_code == 200, r.content.decode()
    assert dict(models.Amenity.objects.values_list("name", "category__code")) == {
        "阳光幼儿园": "kindergarten",
        "白云卫生站": "health_station",
    }


def test_table_of_another_layer_or_redetect_is_ignored(
    client, tmp_path, uploads, planner
):
    client.force_login(planner)
    f = _file(tmp_path, SURVEY)
    stale = {"map_layer": "amenity", "map_source": ["名称"], "map_target": ["category"]}
    r = _post(client, f, dry_run="on", **stale)
    assert r.status_code == 200 and _selected(r.content.decode())["名称"] == "name"
    fresh = {
        "map_layer": "community",
        "map_source": ["名称"],
        "map_target": ["address"],
    }
    r = _post(client, f, dry_run="on", action="detect", **fresh)
    assert r.status_code == 200 and _selected(r.content.decode())["名称"] == "name"


def test_bad_target_in_the_table_is_refused(client, tmp_path, uploads, planner):
    client.force_login(planner)
    table = {
        "map_layer": "community",
        "map_source": ["名称"],
        "map_target": ["id; DROP"],
    }
    r = _post(client, _file(tmp_path, SURVEY), dry_run="on", **table)
    assert r.status_code == 400
    assert "bad_mapping" in r.content.decode()


def test_template_service_checks_role_and_targets(planner, district):
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied

    from layers.io.errors import ImportRejected

    m = FieldMapping(fields={"名称": "name"})
    viewer = get_user_model().objects.create_user("v", password="pw")
    with pytest.raises(PermissionDenied):
        mapping_template_save(user=viewer, layer="community", name="x", mapping=m)
    with pytest.raises(ImportRejected):
        mapping_template_save(
            user=planner,
            layer="community",
            name="x",
            mapping=FieldMapping(fields={"名称": "category"}),
        )
    with pytest.raises(ImportRejected):
        mapping_template_save(user=planner, layer="community", name=" ", mapping=m)
    t1 = mapping_template_save(user=planner, layer="community", name="x", mapping=m)
    t2 = mapping_template_save(
        user=planner,
        layer="community",
        name="x",
        mapping=FieldMapping(fields={"小区": "name"}),
    )
    assert t1.pk == t2.pk and t2.mapping["fields"] == {"小区": "name"}
