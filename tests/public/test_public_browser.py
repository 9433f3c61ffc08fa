"""The public map in Debian's chromium: phone and desktop, search opens a card; the
communities are drawn from the public vector tiles (no GeoJSON), filtered in the page,
and a click on one opens its card."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local_only(page, live_url: str, blocked: list[str]) -> None:
    def handle(route):
        url = route.request.url
        if url.startswith(live_url) or url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", handle)


@pytest.mark.parametrize(
    ("name", "viewport"),
    [
        ("phone", {"width": 390, "height": 844}),
        ("desktop", {"width": 1400, "height": 900}),
    ],
)
def test_public_map_search_opens_card(browser, live_server, city, name, viewport):
    ARTIFACTS.mkdir(exist_ok=True)
    blocked: list[str] = []
    errors: list[str] = []
    page = browser.new_page(viewport=viewport)
    page.on("pageerror", lambda e: errors.append(str(e)))
    _local_only(page, live_server.url, blocked)
    page.goto(f"{live_server.url}/public/")
    page.wait_for_selector("body[data-map-ready='1']", timeout=30_000)
    page.wait_for_function("() => document.body.dataset.tiles_public === 'loaded'")
    page.screenshot(path=str(ARTIFACTS / f"public_{name}.png"))

    page.fill("#search", "月湖")
    page.click("button.search-hit", timeout=10_000)
    page.wait_for_selector("#card .card-name", timeout=10_000)
    card = page.locator("#card")
    assert card.locator(".card-name").inner_text() == "月湖新村"
    assert card.locator(".card-stage").inner_text() == "竣工验收"
    text = card.inner_text()
    assert "SENTINEL" not in text
    assert "改造前" in text
    page.screenshot(path=str(ARTIFACTS / f"public_{name}_card.png"))
    assert not errors, errors
    assert not blocked, blocked
    # the search moved the map: no tile request still running when the database is
    # flushed after the test
    page.wait_for_function("() => document.body.dataset.tiles_public === 'loaded'")
    page.wait_for_load_state("networkidle")
    page.close()


CAPTURE = (
    "window.addEventListener('map:init', (e) => { window.__map = e.detail.map; });"
)
#: the alpha of the vector-tile canvas at a lat/lon (0: nothing drawn there)
ALPHA_AT = """([lat, lon]) => {
  const map = window.__map;
  const pt = map.latLngToContainerPoint([lat, lon]);
  const box = map.getContainer().getBoundingClientRect();
  const x = box.left + pt.x, y = box.top + pt.y;
  for (const c of document.querySelectorAll('.leaflet-vectortiles-pane canvas')) {
    const r = c.getBoundingClientRect();
    if (x < r.left || x >= r.right || y < r.top || y >= r.bottom) continue;
    const k = c.width / r.width;
    return c.getContext('2d').getImageData((x - r.left) * k, (y - r.top) * k, 1, 1).data[3];
  }
  return null;
}"""
TARGET = (29.875, 121.55)  # the centre of 月湖新村 (tests/public/conftest.py)


def test_communities_come_from_tiles_and_a_click_opens_the_card(
    browser, live_server, city
):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    _local_only(page, live_server.url, [])
    page.add_init_script(CAPTURE)
    page.goto(f"{live_server.url}/public/")
    page.wait_for_selector("body[data-map-ready='1']", timeout=30_000)
    # street zoom 16 draws data zoom 15 tiles of the public tile URL
    with page.expect_request(lambda r: "/api/public/tiles/15/" in r.url):
        page.evaluate(
            "([lat, lon]) => window.__map.setView([lat, lon], 16, {animate: false})",
            list(TARGET),
        )
    page.wait_for_function("() => document.body.dataset.tiles_public === 'loaded'")
    assert not any("communities.geojson" in u for u in requested), requested
    # drawn: the tile canvas is painted over the community, in its stage's colour
    page.wait_for_function(f"() => ({ALPHA_AT})({list(TARGET)}) > 0")
    point = page.evaluate(
        """([lat, lon]) => {
          const pt = window.__map.latLngToContainerPoint([lat, lon]);
          const box = window.__map.getContainer().getBoundingClientRect();
          return [box.left + pt.x, box.top + pt.y];
        }""",
        list(TARGET),
    )
    page.mouse.click(*point)
    page.wait_for_selector("#card .card-name", timeout=10_000)
    assert page.locator("#card .card-name").inner_text() == "月湖新村"
    assert page.locator("#card .card-stage").inner_text() == "竣工验收"
    assert page.evaluate("() => document.body.dataset.picked") == "CPUB1"
    # the stage filter repaints from the loaded tiles: an accepted community is gone
    page.locator("input[name=stage][value=accepted]").uncheck()
    page.wait_for_function(f"() => ({ALPHA_AT})({list(TARGET)}) === 0")
    page.evaluate("() => { delete document.body.dataset.picked; }")
    page.mouse.click(*point)
    assert page.evaluate("() => document.body.dataset.picked") is None
    page.locator("input[name=stage][value=accepted]").check()
    page.wait_for_function(f"() => ({ALPHA_AT})({list(TARGET)}) > 0")
    assert not errors, errors
    # no tile request of the first view still running when the database is flushed
    page.wait_for_load_state("networkidle")
    page.close()
