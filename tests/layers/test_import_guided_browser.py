"""A planner imports as the issue tried it, in both languages: from the workspace's
navigation bar to the import page (the workspace's layout), a point file to the
districts layer refused with a sentence (it was HTTP 500), then the same file with the
layer left to the file: the amenities layer is chosen, and the report is in the
page's language."""

import geopandas as gpd
import pytest
import shapely
from django.contrib.auth import get_user_model

from layers import models
from tests import factories
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "zh-hans": {
        "refused": "“区县”图层需要面，未导入任何内容",
        "hint": "“配套设施”",
        "chosen": "按文件的几何类型选择了“配套设施”图层",
        "created": "“配套设施”图层：新建 2 个",
    },
    "en": {
        "refused": "the “District” layer needs polygons. Nothing was imported.",
        "hint": "“Amenity”",
        "chosen": "Layer “Amenity” chosen from the file's geometry type",
        "created": "Layer “Amenity”: created 2",
    },
}


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_point_file_is_refused_for_districts_and_lands_in_amenities(
    live_server, new_page, tmp_path, settings, reference_data, lang
):
    settings.GEOAPP_UPLOAD_TMP_DIR = str(tmp_path / "up")
    factories.district(code="D330203", name="海曙区")
    get_user_model().objects.create_superuser("root", "r@example.org", "pw-123456")
    f = tmp_path / "养老设施.geojson"
    gpd.GeoDataFrame(
        {"名称": ["白云日间照料中心", "南苑托老所"], "类别": ["elderly_daycare"] * 2},
        geometry=[shapely.Point(121.542, 29.862), shapely.Point(121.553, 29.872)],
        crs="EPSG:4326",
    ).to_file(f, driver="GeoJSON")
    w = WORDS[lang]

    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/planner/")
    if lang != "zh-hans":
        with page.expect_navigation():
            page.select_option("select[name=language]", lang)
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-map-ready='1']", timeout=60_000)
    page.click("#nav-pages a[data-nav='layers:import']")
    page.wait_for_selector("#import-form")
    # the workspace's layout: its bar, and a way back
    assert page.locator("#nav-pages a.current").get_attribute("data-nav") == (
        "layers:import"
    )
    assert page.locator(".import-page .back a").count() == 1
    assert page.input_value("select[name=layer]") == ""  # the file decides

    page.set_input_files("input[name=file]", str(f))
    page.select_option("select[name=layer]", "district")
    page.uncheck("input[name=dry_run]")
    page.click("button[value=import]")
    page.wait_for_selector("#import-error")
    text = page.inner_text("#import-error")
    assert w["refused"] in text and w["hint"] in text, text
    assert models.District.objects.count() == 1
    screenshot(page, f"import_refused_{lang}.png")

    page.set_input_files("input[name=file]", str(f))
    page.select_option("select[name=layer]", "")
    page.uncheck("input[name=dry_run]")
    page.click("button[value=import]")
    page.wait_for_selector("#import-report")
    report = page.inner_text("#import-report")
    assert w["chosen"] in report and w["created"] in report, report
    assert page.input_value("select[name=layer]") == "amenity"
    assert models.Amenity.objects.filter(category__code="elderly_daycare").count() == 2
    if lang == "en":
        assert not any(
            "\u4e00" <= ch <= "\u9fff"
            for ch in report.replace(f.stem, "").replace("名称", "").replace("类别", "")
        ), report
    screenshot(page, f"import_report_{lang}.png")
    assert page.errors == []
