"""The planner workspace in a real browser: draw, save, reload, edit a vertex, stale saves,
a life-circle run on the map, and hostile names shown as text."""

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Role
from planner import services
from planner.models import PlanningArea
from runs.models import AnalysisRun
from tests import factories
from tests.lifecircle import city as lifecircle_city

from .conftest import login, map_point, open_feature, pick, screenshot, show_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

XSS = "<img src=x onerror=window.__pwned=1>"


@pytest.fixture
def city(db, reference_data):
    data = lifecircle_city.build()
    get_user_model().objects.create_superuser("root", "r@example.org", "pw-123456")
    return data


def map_box(page):
    return page.locator("#map").bounding_box()


def vertices(page):
    return int(page.evaluate("() => document.body.dataset.drawVertices"))


def draw_square(page, cx, cy, size=60):
    """Draw a square with Leaflet.draw's polygon tool, one vertex per corner. After each
    vertex Leaflet.draw ignores clicks for a moment (its double-click guard): a click
    that added no vertex (draw:drawvertex, published by the page) is made again."""
    page.click(".leaflet-draw-draw-polygon")
    page.wait_for_function("() => document.body.dataset.drawVertices === '0'")
    pts = [(cx, cy), (cx + size, cy), (cx + size, cy + size), (cx, cy + size)]
    for n, (x, y) in enumerate(pts, start=1):
        for _attempt in range(200):
            page.mouse.click(x, y)
            if vertices(page) == n:
                break
        assert vertices(page) == n
    page.mouse.click(*pts[0])  # close the ring


def test_draw_save_reload_edit_vertex(live_server, new_page, city):
    page = new_page()
    login(page, live_server, "root", "pw-123456")
    page.select_option("#draw-kind", "planning_area")
    box = map_box(page)
    draw_square(page, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#editor:not([hidden])")
    page.fill("#feature-form [name=name]", "月湖研究范围")
    page.click("#btn-save")
    page.wait_for_function("() => document.body.dataset.lastSaved")
    area = PlanningArea.objects.get(name="月湖研究范围")
    assert area.version == 1 and area.geom.geom_type == "MultiPolygon"

    page.reload()
    page.wait_for_selector("body[data-map-ready='1']")
    assert page.evaluate("document.body.dataset.loaded_planning_area") == "1"

    # edit a vertex: open the area, enable shape editing, drag a vertex handle
    open_feature(page, "planning_area", area.code)
    page.click("#btn-shape")
    handle = page.locator(".leaflet-editing-icon").first
    hb = handle.bounding_box()
    page.mouse.move(hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2)
    page.mouse.down()
    page.mouse.move(hb["x"] - 25, hb["y"] - 25, steps=5)
    page.mouse.up()
    before = area.geom.area
    page.click("#btn-save")
    page.wait_for_function(
        "() => document.querySelector('#editor-messages').textContent.includes('已保存')"
    )
    area.refresh_from_db()
    assert area.version == 2
    assert area.geom.area != pytest.approx(before)
    screenshot(page, "planner_edit.png")
    assert page.errors == []


def test_second_sessions_stale_save_is_refused(live_server, new_page, city):
    root = get_user_model().objects.get(username="root")
    area = services.feature_create(
        kind="planning_area",
        data={"name": "共享范围"},
        geometry={
            "type": "Polygon",
            "coordinates": [
                [
                    [121.551, 29.876],
                    [121.552, 29.876],
                    [121.552, 29.877],
                    [121.551, 29.877],
                    [121.551, 29.876],
                ]
            ],
        },
        user=root,
    ).obj
    pages = [new_page(), new_page()]
    for p in pages:
        login(p, live_server, "root", "pw-123456")
        open_feature(p, "planning_area", area.code)
    pages[0].fill("#feature-form [name=name]", "甲的修改")
    pages[0].click("#btn-save")
    pages[0].wait_for_function("() => document.body.dataset.lastSaved")
    pages[1].fill("#feature-form [name=name]", "乙的修改")
    pages[1].click("#btn-save")
    pages[1].wait_for_function("() => document.body.dataset.conflict === '1'")
    assert "已被他人修改" in pages[1].inner_text("#editor-messages")
    area.refresh_from_db()
    assert (area.name, area.version) == ("甲的修改", 2)


def test_run_life_circle_and_see_choropleth(live_server, new_page, city):
    page = new_page()
    page.add_init_script(
        "window.addEventListener('map:init', (e) => { window.__map = e.detail.map; });"
    )
    login(page, live_server, "root", "pw-123456")
    page.click("#btn-lifecircle")
    page.wait_for_function("() => document.body.dataset.lifecircleDone", timeout=60_000)
    assert int(page.evaluate("document.body.dataset.lifecircleFeatures")) == 2
    assert page.locator("#results tbody tr").count() == 2
    # the choropleth is drawn from the run's tiles: a click on A (its score answers
    # first) opens A's record card, its score in the card's analysis tab
    view = page.evaluate("() => [window.__map.getCenter(), window.__map.getZoom()]")
    a_lat = lifecircle_city.LAT0 + 50 / 111_000  # the centre of A, north of the street
    assert pick(page, a_lat, lifecircle_city.LON0) == "results:A"
    page.wait_for_selector("#record:not([hidden])[data-code='A']")
    assert page.inner_text("#record-title") == "小区A"
    page.click("#record-tab-analysis")
    analysis = page.inner_text("#record-panel-analysis")
    assert "小区A" in analysis and "覆盖得分" in analysis
    page.click("#record-close")
    show_at(page, view[0]["lat"], view[0]["lng"], view[1])
    # what-if: a kindergarten placed beside B's entrance covers B (2000 residents)
    page.select_option("#whatif-category", "kindergarten")
    page.click("#btn-whatif")
    x, y = map_point(page, lifecircle_city.LAT0, lifecircle_city.LON0 + 1500 / 96_600)
    page.mouse.click(x, y)
    page.wait_for_function("() => document.body.dataset.whatifDone !== undefined")
    assert page.evaluate("document.body.dataset.whatifDone") == "1"
    assert "2000" in page.inner_text("#whatif-status")
    # one category's gaps are drawn from the run's tiles, which carry them
    with page.expect_request(
        lambda r: "/api/planner/tiles/" in r.url and "category=kindergarten" in r.url
    ):
        page.select_option("#lifecircle-category", "kindergarten")
    page.wait_for_function(
        "() => document.body.dataset.lifecircleCategory === 'kindergarten'"
    )
    screenshot(page, "planner_workspace.png")
    assert page.errors == []


def test_within_reach_and_enough_side_by_side(live_server, new_page, city):
    """The kindergarten K1 (standard size, 180 places) is within reach of A only; B
    (2 000 residents) has none: the panel shows both answers and B's shortfall, the
    gaps switch to capacity, and a 40-place what-if beside B lowers it by 40."""
    page = new_page()
    login(page, live_server, "root", "pw-123456")
    page.click("#btn-lifecircle")
    page.wait_for_function("() => document.body.dataset.lifecircleDone", timeout=60_000)
    page.select_option("#lifecircle-category", "kindergarten")
    page.wait_for_function(
        "() => document.body.dataset.lifecircleCategory === 'kindergarten'"
    )
    table = page.locator("#lifecircle-reach-enough")
    page.wait_for_function(
        "() => !document.getElementById('lifecircle-reach-enough').hidden"
    )
    text = table.inner_text()
    assert "步行可达（有没有）" in text and "满足需求（够不够）" in text
    rows = [
        [c.inner_text() for c in r.locator("th, td").all()]
        for r in table.locator("tbody tr").all()
    ]
    assert rows[0][1:] == ["1 / 2", "1 / 2"]  # A within reach and enough
    assert rows[1][1:] == ["1000 / 3000", "1000 / 3000"]
    shortfall = float(rows[2][2].split()[0])
    assert shortfall > 0 and "学位" in rows[2][2]
    # the facility layer tells where its supply figure comes from
    assert page.locator("path.leaflet-interactive").count() >= 3
    page.select_option("#lifecircle-gaps", "capacity")
    page.wait_for_function("() => document.body.dataset.lifecircleGaps === 'capacity'")
    page.select_option("#whatif-category", "kindergarten")
    page.fill("#whatif-capacity", "40")
    page.click("#btn-whatif")
    x, y = map_point(page, lifecircle_city.LAT0, lifecircle_city.LON0 + 1500 / 96_600)
    page.mouse.click(x, y)
    page.wait_for_function("() => document.body.dataset.whatifDone !== undefined")
    assert float(page.evaluate("document.body.dataset.whatifShortfallReduced")) == 40
    row = page.locator("#whatif-summary tbody tr[data-category='kindergarten']")
    assert row.get_attribute("data-shortfall") == "40"
    assert row.locator("td").nth(4).inner_text().startswith("40 ")
    screenshot(page, "planner_capacity.png")
    assert page.errors == []


def test_hostile_name_is_shown_as_text(live_server, new_page, city):
    root = get_user_model().objects.get(username="root")
    area = services.feature_create(
        kind="planning_area",
        data={"name": XSS},
        geometry={
            "type": "Polygon",
            "coordinates": [
                [
                    [121.551, 29.876],
                    [121.552, 29.876],
                    [121.552, 29.877],
                    [121.551, 29.877],
                    [121.551, 29.876],
                ]
            ],
        },
        user=root,
    ).obj
    page = new_page()
    login(page, live_server, "root", "pw-123456")
    open_feature(page, "planning_area", area.code)
    page.wait_for_selector("#editor:not([hidden])")
    assert XSS in page.inner_text("#editor-title")
    assert page.input_value("#feature-form [name=name]") == XSS
    page.fill("#search", "小区")
    page.wait_for_selector("#search-results button")
    page.goto(f"{live_server.url}/?layer=lifecircle")
    page.wait_for_selector("body[data-map-ready='1']")
    assert page.evaluate("window.__pwned") is None


def test_a_district_planner_analyses_their_district_from_the_page(
    live_server, new_page, city
):
    """The district select offers only their district, and the run is accepted (the
    access policy refuses a district planner's city-wide run)."""
    district = city["street"].district
    factories.user("planner-d", Role.DISTRICT_PLANNER, district=district)
    page = new_page()
    login(page, live_server, "planner-d", "pw-123456")
    options = page.locator("#lifecircle-form select[name=district] option")
    assert options.all_text_contents() == [district.name]
    page.click("#btn-lifecircle")
    page.wait_for_function("() => document.body.dataset.lifecircleDone", timeout=60_000)
    assert int(page.evaluate("document.body.dataset.lifecircleFeatures")) == 2
    run = AnalysisRun.objects.filter(kind="lifecircle").latest("pk")
    assert run.status == "done" and run.parameters["district"] == district.code
    assert page.errors == []
