"""Accessibility of the public pages (GB/T 37668-2019, WCAG 2.1 AA) in Debian's chromium:
axe-core (vendored from npm, static/maps/vendor/axe-core-4.14.1) finds no serious or
critical violation on any page an anonymous visitor reaches (the public map, its table
view and an open card, the statistics, a project's public card, the login page), in
Chinese and in English; the map's table view works with the keyboard alone."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.gis.geos import MultiPolygon

from accounts.permissions import SYSTEM
from layers.models import Stage
from public import publishing
from tests import factories
from tests.e2e.conftest import screenshot, show_at

# the public tests' fixtures: their city (two districts, three communities, a project)
# and the cache cleared around each test
from tests.public.conftest import _clear_cache, city  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = "/static/maps/vendor/axe-core-4.14.1/axe.min.js"
#: the WCAG 2.0/2.1 A and AA rules and axe's best practices; only serious and critical
#: findings fail (each with the first nodes it found, to fix them from the report)
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    resultTypes: ['violations'],
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' — ' + n.failureSummary) }));
}"""
LANGS = ("zh-hans", "en")


@pytest.fixture
def public_city(request):
    """The public tests' ``city`` (imported above; a parameter of that name would
    shadow the import)."""
    return request.getfixturevalue("city")


CAPTURE = (
    "window.addEventListener('map:init', (e) => { window.__map = e.detail.map; });"
)


def _page(new_page, live_server, lang):
    page = new_page()
    page.context.add_cookies(
        [{"name": "django_language", "value": lang, "url": live_server.url}]
    )
    page.add_init_script(CAPTURE)
    return page


def axe_violations(page) -> list[dict]:
    """Serious and critical axe findings on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE)
    return page.evaluate(RUN_AXE)


def _map_ready(page, live_server):
    page.goto(f"{live_server.url}/public/")
    page.wait_for_selector("body[data-map-ready='1']", timeout=60_000)
    page.wait_for_function("() => document.body.dataset.tiles_public === 'loaded'")


@pytest.mark.parametrize("lang", LANGS)
def test_public_map_card_and_table_have_no_serious_violation(
    new_page,
    live_server,
    public_city,
    lang,
):
    page = _page(new_page, live_server, lang)
    _map_ready(page, live_server)
    assert page.evaluate("document.documentElement.lang") == lang
    assert axe_violations(page) == []
    # the search opens a card: the card too
    page.fill("#search", "月湖")
    page.click("button.search-hit", timeout=10_000)
    page.wait_for_selector("#card .card-name", timeout=10_000)
    assert axe_violations(page) == []
    # and the table view with a row selected
    page.click("#table-toggle")
    page.wait_for_selector("#table-view[data-state='ready'] tbody button.row-open")
    page.click("#table-view tbody button.row-open >> text=月湖新村")
    page.wait_for_selector("#table-view tr[aria-current='true'][data-code='CPUB1']")
    assert axe_violations(page) == []
    screenshot(page, f"public_table_a11y_{lang}.png")
    assert page.errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_stats_login_and_project_card_have_no_serious_violation(
    new_page,
    live_server,
    public_city,
    lang,
):
    urls = ["/public/stats/", "/accounts/login/"]
    if apps.is_installed("programme"):
        project = public_city["project"]
        type(project).objects.filter(pk=project.pk).update(stage="annual_plan")
        urls.append(f"/programme/projects/{project.pk}/")
    page = _page(new_page, live_server, lang)
    for url in urls:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("domcontentloaded")
        assert page.evaluate("document.documentElement.lang") == lang
        assert (url, axe_violations(page)) == (url, [])
    screenshot(page, f"a11y_project_card_{lang}.png")
    assert page.errors == []


def _focused(page) -> dict:
    return page.evaluate(
        """() => { const a = document.activeElement;
             return { id: a.id, cls: a.className, text: a.textContent.trim(),
                      tag: a.tagName, key: a.dataset.key ?? null,
                      row: a.closest('tr[data-code]')?.dataset.code ?? null }; }"""
    )


def _tab_to(page, test, limit=40) -> dict:
    """Press Tab until ``test(focused)`` holds; fails after ``limit`` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if test(focused):
            return focused
    raise AssertionError(f"not reached with {limit} Tab presses: {_focused(page)}")


def _names(page) -> list[str]:
    return page.locator("#table-view tbody button.row-open").all_inner_texts()


@pytest.fixture
def many(public_city, reference_data):
    """25 more communities beside the city's three (two pages of the table), published."""
    street = public_city["target"].street
    for i in range(25):
        factories.community(
            street=street,
            code=f"CMANY{i:02d}",
            name=f"测试{i:02d}号小区",
            geom=MultiPolygon(
                factories.square(
                    121.540 + 0.0015 * (i % 5), 29.870 + 0.0015 * (i // 5), 80
                ),
                srid=settings.SRID,
            ),
            completion_year=1980 + i,
            households=100 + i,
            stage=Stage.IN_ANNUAL_PLAN,
        )
    publishing.publish(SYSTEM)
    return public_city


def test_the_table_view_works_with_the_keyboard_alone(new_page, live_server, many):
    page = _page(new_page, live_server, "zh-hans")
    _map_ready(page, live_server)
    # the skip link comes first and shows when focused; it leads into the page's content
    page.keyboard.press("Tab")
    assert "skip-link" in _focused(page)["cls"]
    assert page.locator(".skip-link").bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "main"
    # the toggle, the map and its zoom buttons are in the tab order
    _tab_to(page, lambda f: f["id"] == "table-toggle")
    page.keyboard.press("Enter")
    assert page.get_attribute("#table-toggle", "aria-expanded") == "true"
    assert _focused(page)["id"] == "table-title"
    page.wait_for_selector("#table-view[data-state='ready'] tbody button.row-open")
    assert page.get_attribute("#table-view", "data-rows") == "28"
    # public data only (the city's private values carry a sentinel)
    assert "SENTINEL" not in page.locator("#table-view").inner_text()
    # first page: 20 rows by name (Chinese collation: 白沙, 测试…, 江北, 月湖)
    names = _names(page)
    assert len(names) == 20
    assert names[:2] == ["白沙小区", "测试00号小区"]
    assert (
        page.locator("#table-view .table-status").inner_text().startswith("第 1 / 2 页")
    )
    # sort by completion year with Enter on its header, twice: descending
    header = _tab_to(page, lambda f: f["key"] == "completion_year")
    assert header["tag"] == "BUTTON"
    page.keyboard.press("Enter")
    th = page.locator("#table-view thead th").nth(2)
    assert th.get_attribute("aria-sort") == "ascending"
    assert _names(page)[0] == "测试00号小区"  # 1980
    assert _focused(page)["key"] == "completion_year"  # the focus stays on the header
    page.keyboard.press("Enter")
    assert th.get_attribute("aria-sort") == "descending"
    assert _names(page)[:2] == ["江北新苑", "测试24号小区"]  # 2008, 2004
    # the stage column sorts by the stage's order, not its label
    stage = _tab_to(page, lambda f: f["key"] == "stage_label")
    page.keyboard.press("Enter")
    codes = page.locator("#table-view tbody tr").evaluate_all(
        "rows => rows.map((r) => r.querySelector('td[data-stage]').dataset.stage)"
    )
    assert codes[0] == "not_started" and codes[-1] == "in_annual_plan"
    assert stage["key"] == "stage_label"
    # to the next page with the pager's button: the last 8 rows, 竣工验收 last
    _tab_to(page, lambda f: "page-next" in f["cls"])
    page.keyboard.press("Enter")
    assert (
        page.locator("#table-view .table-status").inner_text().startswith("第 2 / 2 页")
    )
    assert len(_names(page)) == 8
    assert _names(page)[-1] == "月湖新村"
    assert page.locator("#table-view button.page-next").is_disabled()
    assert _focused(page)["cls"] == "page-prev"  # the focus left the disabled button
    screenshot(page, "public_table.png")
    # back up to the row of 月湖新村: Enter opens its card, marks the row and the map
    row = _tab_to(page, lambda f: f["row"] == "CPUB1", limit=60)
    assert row["text"] == "月湖新村"
    page.keyboard.press("Enter")
    page.wait_for_selector("#card .card-name")
    assert page.locator("#card .card-name").inner_text() == "月湖新村"
    assert "card-name" in _focused(page)["cls"]  # the focus moved into the card
    assert (
        page.get_attribute("#table-view tr[data-code='CPUB1']", "aria-current")
        == "true"
    )
    assert page.locator(".leaflet-overlay-pane path").count() == 2  # its outline
    screenshot(page, "public_table_card.png")
    # Escape closes the card and gives the focus back to the row's button
    page.keyboard.press("Escape")
    assert page.locator("#card").is_hidden()
    assert _focused(page)["row"] == "CPUB1"
    assert page.locator(".leaflet-overlay-pane path").count() == 0
    # the filters apply to the table as to the map: only 竣工验收
    page.evaluate(
        """() => { for (const c of document.querySelectorAll('input[name=stage]'))
                     c.checked = c.value === 'accepted';
                   document.getElementById('filters').dispatchEvent(new Event('change')); }"""
    )
    assert _names(page) == ["月湖新村"]
    assert page.get_attribute("#table-view", "data-rows") == "1"
    assert page.errors == []


def test_the_table_in_english(new_page, live_server, many):
    page = _page(new_page, live_server, "en")
    _map_ready(page, live_server)
    page.click("#table-toggle")
    page.wait_for_selector("#table-view[data-state='ready'] tbody button.row-open")
    headers = page.locator("#table-view thead th").all_inner_texts()
    assert [h.strip("▲▼ ") for h in headers] == [
        "Communities",
        "District",
        "Year built",
        "Households",
        "Renovation stage",
        "Progress",
    ]
    assert (
        page.locator("#table-view .table-status").inner_text().startswith("Page 1 of 2")
    )
    assert page.locator("#table-toggle").inner_text() == "Table view"
    screenshot(page, "public_table_en.png")
    assert page.errors == []
    # on a phone the table stands under the map, tall enough to read and scroll
    phone = new_page(390, 844)
    phone.context.add_cookies(
        [{"name": "django_language", "value": "en", "url": live_server.url}]
    )
    _map_ready(phone, live_server)
    phone.click("#table-toggle")
    phone.wait_for_selector("#table-view[data-state='ready'] tbody button.row-open")
    box = phone.locator("#table-view .table-scroll-box").bounding_box()
    assert box["height"] >= 150, box
    assert phone.locator("#map").bounding_box()["height"] >= 200
    screenshot(phone, "public_table_phone_en.png")
    assert phone.errors == []


def test_axe_finds_what_it_must(new_page, live_server, public_city):
    """The harness can fail: an unlabelled field and white text on the 已申请 yellow, put
    into the page, are reported (a harness that loaded no axe or filtered everything out
    would pass every page)."""
    page = _page(new_page, live_server, "zh-hans")
    _map_ready(page, live_server)
    page.evaluate(
        """() => {
          const form = document.getElementById('filters');
          form.appendChild(document.createElement('input')).type = 'text';
          const badge = form.appendChild(document.createElement('span'));
          badge.textContent = '已申请';
          badge.style.background = '#ffd92f';
          badge.style.color = '#ffffff';
        }"""
    )
    found = {v["id"] for v in axe_violations(page)}
    assert {"label", "color-contrast"} <= found, found


def test_map_and_its_controls_work_from_the_keyboard(
    new_page, live_server, public_city
):
    page = _page(new_page, live_server, "en")
    _map_ready(page, live_server)
    page.focus("#main")
    # the map itself: a named region that takes the focus; + zooms in
    focused = _tab_to(page, lambda f: f["id"] == "map")
    assert focused["tag"] == "DIV"
    assert page.get_attribute("#map", "role") == "region"
    assert "arrow keys" in page.get_attribute("#map", "aria-label")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus shows
    zoom = int(page.get_attribute("#map", "data-zoom"))
    page.keyboard.press("+")
    page.wait_for_function(
        f"() => Number(document.getElementById('map').dataset.zoom) > {zoom}"
    )
    # then its zoom buttons, each with a name
    _tab_to(page, lambda f: "leaflet-control-zoom-out" in f["cls"], limit=5)
    assert page.evaluate("document.activeElement.getAttribute('aria-label')")
    zoom = int(page.get_attribute("#map", "data-zoom"))
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => Number(document.getElementById('map').dataset.zoom) < {zoom}"
    )
    # a card opened from the search by keyboard takes the focus; Escape gives it back
    page.focus("#search")
    page.keyboard.type("月湖")
    page.wait_for_selector("button.search-hit")
    page.keyboard.press("Tab")
    assert "search-hit" in _focused(page)["cls"]
    page.keyboard.press("Enter")
    page.wait_for_selector("#card .card-name")
    assert "card-name" in _focused(page)["cls"]
    page.keyboard.press("Escape")
    assert page.locator("#card").is_hidden()
    assert "search-hit" in _focused(page)["cls"]
    assert page.errors == []
    # the search moved the map: no tile request still running when the test ends
    page.wait_for_function("() => document.body.dataset.tiles_public === 'loaded'")
    page.wait_for_load_state("networkidle")


def test_a_click_on_the_map_marks_its_row(new_page, live_server, many):
    page = _page(new_page, live_server, "zh-hans")
    _map_ready(page, live_server)
    page.click("#table-toggle")
    page.wait_for_selector("#table-view[data-state='ready'] tbody button.row-open")
    loads = page.get_attribute("#table-view", "data-loads")
    lat, lon = 29.875, 121.55  # the centre of 月湖新村
    show_at(page, lat, lon, 16)
    # the table follows the map: loaded again for the new view
    page.wait_for_function(
        f"() => document.getElementById('table-view').dataset.loads !== '{loads}'"
        " && document.getElementById('table-view').dataset.state === 'ready'"
    )
    point = page.evaluate(
        """([lat, lon]) => {
          const pt = window.__map.latLngToContainerPoint([lat, lon]);
          const box = window.__map.getContainer().getBoundingClientRect();
          return [box.left + pt.x, box.top + pt.y];
        }""",
        [lat, lon],
    )
    page.mouse.click(*point)
    page.wait_for_selector("#card .card-name")
    row = page.locator("#table-view tr[aria-current='true']")
    assert row.get_attribute("data-code") == "CPUB1"
    assert row.locator("button.row-open").inner_text() == "月湖新村"
    assert page.locator(".leaflet-overlay-pane path").count() == 2
    page.keyboard.press("Escape")
    assert page.locator("#card").is_hidden()
    assert page.locator(".leaflet-overlay-pane path").count() == 0
    assert page.errors == []
    page.wait_for_load_state("networkidle")
