"""Playwright driving Debian's chromium against the live test server; nothing leaves the host."""

import math
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def login(page, live_server, username, password, next_url="/planner/"):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-map-ready='1']", timeout=60_000)


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def open_feature(page, kind, code):
    """Open an editable feature: a click on its element (data-kind, data-code) when it
    is drawn as one (planning areas), else the page's "planner:open" event (the kinds
    drawn from vector tiles); waits for the editor to show it."""
    drawn = page.locator(f"[data-kind='{kind}'][data-code='{code}']")
    if drawn.count():
        drawn.dispatch_event("click")
    else:
        page.evaluate(
            """([kind, code]) => document.dispatchEvent(
                 new CustomEvent("planner:open", { detail: { kind, code } }))""",
            [kind, code],
        )
    page.wait_for_selector(f"#editor:not([hidden])[data-code='{code}']")


def map_point(page, lat, lon):
    """The page coordinates of a lat/lon on the map, from the map's data-bounds (Web
    Mercator between the corners the page publishes)."""
    west, south, east, north = (
        float(v) for v in page.get_attribute("#map", "data-bounds").split(",")
    )
    box = page.locator("#map").bounding_box()

    def merc(deg):
        return math.log(math.tan(math.pi / 4 + math.radians(deg) / 2))

    x = (lon - west) / (east - west) * box["width"]
    y = (merc(north) - merc(lat)) / (merc(north) - merc(south)) * box["height"]
    return box["x"] + x, box["y"] + y


TILES_DRAWN = """() => Object.entries(document.body.dataset)
  .filter(([k]) => k.startsWith('tiles_')).every(([, v]) => v === 'loaded')"""


def show_at(page, lat, lon, zoom):
    """Centre the map (captured from its "map:init" event as ``window.__map``) and wait
    until the vector tiles there are drawn."""
    page.evaluate(
        "([lat, lon, z]) => window.__map.setView([lat, lon], z, {animate: false})",
        [lat, lon, zoom],
    )
    page.wait_for_function(
        f"() => document.getElementById('map').dataset.zoom === '{zoom}'"
    )
    page.wait_for_function(TILES_DRAWN)


def pick(page, lat, lon, zoom=17):
    """Click the map where a vector-tile feature is; returns what the page picked
    (``layer:code``, from body data-picked)."""
    show_at(page, lat, lon, zoom)
    page.evaluate("() => { document.body.dataset.picked = ''; }")
    page.mouse.click(*map_point(page, lat, lon))
    page.wait_for_function("() => document.body.dataset.picked")
    return page.evaluate("() => document.body.dataset.picked")
