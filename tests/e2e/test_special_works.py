"""Special works dug up once (四(四)2 最多改一次), in Debian's chromium: a gas main of
2027 crosses a community whose renovation is planned for 2026, next to a sewer
separation area of 2026. The planner map shows the community and the gas main as a
conflict with the joint year, the project page's "专项工程" section says which work
must move, and the district report lists the project with its joint year.
Screenshots: docs/screenshots/special_works_{map,project,report}.png.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import LineString, MultiPolygon

from accounts.models import Role
from layers.models import SpecialWork
from programme.models import Project
from tests import factories
from tests.programme.builders import community_in

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CAPTURE = (
    "window.addEventListener('map:init', (e) => { window.__map = e.detail.map; });"
)
CONFLICTS = ".leaflet-overlay-special_work_conflicts-pane path"


@pytest.fixture
def place(db, reference_data):
    haishu = factories.district(code="330203", name="海曙区")
    factories.user("hs-planner", Role.DISTRICT_PLANNER, district=haishu)
    c = community_in(
        haishu,
        name="月湖西区",
        geom=MultiPolygon(factories.square(121.55, 29.875, 200)),
    )
    community_in(
        haishu,
        name="柳汀新村",
        geom=MultiPolygon(factories.square(121.556, 29.875, 200)),
    )
    a, b = factories.lonlat(121.546, 29.8752), factories.lonlat(121.554, 29.8748)
    SpecialWork.objects.create(
        code="SW-GAS",
        name="柳汀街燃气老旧管网更新",
        department="宁波兴光燃气集团",
        kind="gas",
        start_year=2027,
        end_year=2027,
        geom=LineString(a.coords, b.coords, srid=settings.SRID),
    )
    SpecialWork.objects.create(
        code="SW-SEW",
        name="月湖片雨污分流工程",
        department="宁波市排水有限公司",
        kind="sewer_separation",
        start_year=2026,
        end_year=2026,
        geom=factories.square(121.5515, 29.875, 120),
    )
    project = Project.objects.create(
        name="月湖西区老旧小区改造", community=c, district=haishu, year=2026
    )
    return {"district": haishu, "project": project}


def test_conflict_on_the_map_the_project_page_and_the_district_report(
    live_server, new_page, place
):
    page = new_page()
    page.add_init_script(CAPTURE)
    login(page, live_server, "hs-planner", "pw-123456")
    # the map: the project's community and the gas main drawn as conflicts
    page.wait_for_selector(CONFLICTS, state="attached", timeout=30_000)
    assert page.locator(CONFLICTS).count() == 3  # the community, both works
    page.evaluate(
        "() => window.__map.setView([29.8752, 121.5515], 17, {animate: false})"
    )
    page.wait_for_function("() => document.getElementById('map').dataset.zoom === '17'")
    # a click inside the community, off the works drawn over it
    x, y = page.evaluate(
        """() => {
          const p = window.__map.latLngToContainerPoint([29.8758, 121.5494]);
          const box = window.__map.getContainer().getBoundingClientRect();
          return [box.left + p.x, box.top + p.y];
        }"""
    )
    page.mouse.click(x, y)
    popup = page.wait_for_selector(".leaflet-popup-content")
    text = popup.inner_text()
    assert "月湖西区老旧小区改造" in text
    assert "建议统筹年度" in text and "2026" in text
    assert "SW-GAS" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "special_works_map.png"))
    assert page.errors == []

    # the project page's section
    pk = place["project"].pk
    page.goto(f"{live_server.url}/programme/projects/{pk}/manage/")
    section = page.locator("#special-works")
    assert section.get_attribute("data-conflict") == "yes"
    assert "建议统筹年度：2026" in page.inner_text("#special-works-conflict")
    gas = page.locator("#special-works-table tr[data-code='SW-GAS']")
    assert "需调整到 2026 年" in gas.inner_text()
    sewer = page.locator("#special-works-table tr[data-code='SW-SEW']")
    assert "同步实施" in sewer.inner_text()
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "special_works_project.png"))

    # the district report and its CSV
    page.click("#special-works a")
    page.wait_for_selector("#special-works-conflicts")
    row = page.locator(f"#special-works-conflicts tr[data-project='{pk}']")
    assert row.locator("td.joint").inner_text().startswith("2026")
    assert "SW-GAS" in row.inner_text()
    page.screenshot(path=str(SHOTS / "special_works_report.png"))
    href = page.get_attribute("#special-works-csv", "href")
    csv = page.request.get(live_server.url + href)
    assert csv.status == 200
    assert "SW-GAS" in csv.text()
    assert page.errors == []
