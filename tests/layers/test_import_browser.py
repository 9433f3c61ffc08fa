"""The upload page in a real browser: the file stays selected while the planner checks
the detected mapping, changes a column and imports (static/maps/js/import.js)."""

import geopandas as gpd
import pytest
import shapely
from django.contrib.auth import get_user_model

from layers import models
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dry_run_change_a_column_then_import(
    live_server, new_page, tmp_path, settings, reference_data
):
    settings.GEOAPP_UPLOAD_TMP_DIR = str(tmp_path / "up")
    factories.district(code="D330203", name="海曙区")
    get_user_model().objects.create_superuser("root", "r@example.org", "pw-123456")
    f = tmp_path / "普查.geojson"
    gpd.GeoDataFrame(
        {"名称": ["白云小区"], "别名": ["白云"], "建成年代": ["1995年"], "户数": [320]},
        geometry=[shapely.box(121.540, 29.860, 121.545, 29.864)],
        crs="EPSG:4326",
    ).to_file(f, driver="GeoJSON")

    page = new_page()
    csp = []  # Chromium reports every blocked script, style or fetch to the console
    page.on(
        "console",
        lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{live_server.url}/accounts/login/?next=/layers/import/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_selector("#import-form")
    page.set_input_files("input[name=file]", str(f))
    page.select_option("select[name=layer]", "community")
    page.click("button[value=import]")  # dry run is checked by default
    page.wait_for_selector("#mapping-table")
    assert "将新建 1 个" in page.inner_text("#import-feedback")
    assert page.input_value("select[aria-label='名称']") == "name"

    page.select_option("select[aria-label='名称']", "address")
    page.select_option("select[aria-label='别名']", "name")
    page.uncheck("input[name=dry_run]")
    page.click("button[value=import]")  # no new file chosen: it is still selected
    page.wait_for_function(
        "() => document.getElementById('import-feedback').innerText"
        ".includes('“小区”图层：新建 1 个')"
    )
    c = models.Community.objects.get()
    assert (c.name, c.address, c.completion_year) == ("白云", "白云小区", 1995)
    assert page.errors == [] and csp == []
