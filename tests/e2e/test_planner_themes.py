"""The planner map is readable (issue 21 item 7), on the seed-42 demo city in both
languages: one theme colours the communities at a time (the canvas pixel of a community
is its stage's legend colour, then its score class's, then nothing over the basemap),
the legend panel follows the layers switched on and off and folds, keeping its fold; it
sits bottom right, clear of the top-left controls and of an open popup; the layer list
and the drawing order are the same on every load whichever request answers first.
Screenshots docs/screenshots/planner_themes*.png."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from django.contrib.gis.measure import D
from django.core.management import call_command
from django.utils import translation

from accounts.models import Role
from accounts.permissions import SYSTEM
from blocks import services as block_services
from blocks.models import RenovationBlock
from layers.crs import transformed
from layers.models import Community, IdleLand, Stage, VacantHousing, WalkSegment
from lifecircle.models import CoverageResult
from lifecircle.services import lifecircle_run
from tests import factories

from .conftest import login, show_at
from .test_planner_day import LANGS, open_planner, overlaps, shot, t, tjs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CAPTURE = (
    "window.addEventListener('map:init', (e) => { window.__map = e.detail.map; });"
)

#: the canvas colours [r, g, b, a] on a 9 × 9 grid (2 px apart) around a lat/lon
PIXELS_AT = """([lat, lon]) => {
  const map = window.__map;
  const pt = map.latLngToContainerPoint([lat, lon]);
  const box = map.getContainer().getBoundingClientRect();
  const out = [];
  for (let dx = -8; dx <= 8; dx += 2) for (let dy = -8; dy <= 8; dy += 2) {
    const x = box.left + pt.x + dx, y = box.top + pt.y + dy;
    for (const c of document.querySelectorAll('.leaflet-vectortiles-pane canvas')) {
      const r = c.getBoundingClientRect();
      if (x < r.left || x >= r.right || y < r.top || y >= r.bottom) continue;
      const k = c.width / r.width;
      out.push([...c.getContext('2d').getImageData((x - r.left) * k, (y - r.top) * k, 1, 1).data]);
      break;
    }
  }
  return out;
}"""

#: each legend row of a section: [label, swatch colour as computed]
LEGEND_ROWS = """(key) => [...document.querySelectorAll(
    `#map-key section[data-key="${key}"] > div`)].map((row) => [
  row.textContent.trim(), getComputedStyle(row.querySelector('i')).backgroundColor])"""


@pytest.fixture
def city(reference_data):
    """The demo city with a life-circle run and a bundling run (the themes' layers)."""
    call_command("make_demo", seed=42, scale="small", no_progress=True)
    factories.user("planner", Role.CITY_ADMIN)
    run = lifecircle_run(user=SYSTEM)
    block_services.bundle_run(user=SYSTEM, gap_m=60.0, use_barriers=False)
    return run


def clear_community(run):
    """A community of the run with a score whose interior point has no idle land,
    vacant housing or walk segment within 40 m (its pixels are the theme's alone), one
    whose renovation has started if there is one."""
    rows = CoverageResult.objects.filter(run=run).select_related("community")
    for row in sorted(rows, key=lambda r: (r.community.stage == "not_started", r.pk)):
        c = row.community
        at = c.geom.point_on_surface
        near = D(m=40)
        if (
            IdleLand.objects.filter(geom__distance_lte=(at, near)).exists()
            or VacantHousing.objects.filter(geom__distance_lte=(at, near)).exists()
            or WalkSegment.objects.filter(geom__distance_lte=(at, near)).exists()
        ):
            continue
        lon, lat = transformed(at, 4326).coords
        return c, row, lat, lon
    pytest.fail("no community clear of other layers in the demo")


def rgb(text):
    return tuple(int(v) for v in re.findall(r"\d+", text)[:3])


def colour_at(page, lat, lon, previous=None):
    """The most common canvas colour around a point, once it differs from ``previous``
    (a theme change repaints the loaded tiles one by one) and holds still."""
    last = None
    for _ in range(60):
        pixels = page.evaluate(PIXELS_AT, [lat, lon])
        colour = Counter(tuple(p[:3]) for p in pixels).most_common(1)[0][0]
        if colour != previous and colour == last:
            return colour
        last = colour
        page.wait_for_timeout(150)
    pytest.fail(f"the canvas at the community stayed {previous}")


def blended(fill, under, alpha=0.7):
    return tuple(alpha * f + (1 - alpha) * u for f, u in zip(fill, under, strict=True))


def near(a, b, tol=8):
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def choose(page, theme):
    page.check(f"#map-key input[name=map-theme][value={theme}]")
    page.wait_for_function("(t) => document.body.dataset.theme === t", arg=theme)


def stage_label(lang, stage):
    with translation.override(lang):
        return str(dict(Stage.choices)[stage])


def score_row(rows, score):
    """The legend row of a score: the class with the largest lower bound ≤ score."""

    def lower(label):
        if label.startswith("<"):
            return 0.0
        return float(re.findall(r"[\d.]+", label)[0])

    return max((r for r in rows if lower(r[0]) <= score), key=lambda r: lower(r[0]))


@pytest.mark.parametrize("lang", LANGS)
def test_one_theme_colours_the_communities(live_server, new_page, city, lang):
    community, row, lat, lon = clear_community(city)
    score = row.score
    page = new_page()
    page.add_init_script(CAPTURE)
    page = open_planner(lambda: page, live_server, lang)
    assert page.evaluate("document.body.dataset.theme") == "stage"
    show_at(page, lat, lon, 16)
    # the blocks theme paints no community on the canvas (the blocks are SVG over it):
    # what is left there is the basemap, the ground of the other themes' blends
    stage_px = colour_at(page, lat, lon)
    choose(page, "blocks")
    ground = colour_at(page, lat, lon, previous=stage_px)

    choose(page, "stage")
    assert colour_at(page, lat, lon, previous=ground) == stage_px
    rows = dict(page.evaluate(LEGEND_ROWS, "theme-stage"))
    legend = rgb(rows[stage_label(lang, community.stage)])
    assert near(stage_px, blended(legend, ground)), (stage_px, legend, ground)

    choose(page, "score")
    score_px = colour_at(page, lat, lon, previous=stage_px)
    label, colour = score_row(page.evaluate(LEGEND_ROWS, "theme-score"), score)
    assert near(score_px, blended(rgb(colour), ground)), (score, label, score_px)
    # the two themes' colours are not alike (the complaint: one green, two meanings)
    assert rgb(colour) != legend
    assert not page.locator("#map-key section[data-key=theme-stage]").count()
    assert page.is_checked("#map-key input[value=score]")
    assert page.input_value("#lifecircle-gaps") == "distance"

    # the capacity theme (够不够) is the gaps choice of the life-circle filter, and back;
    # it can be chosen when the run has capacity standards
    capacity = bool((city.summary or {}).get("capacity", {}).get("categories"))
    assert page.is_enabled("#map-key input[value=capacity]") == capacity
    if capacity:
        choose(page, "capacity")
        page.wait_for_function(
            "() => document.body.dataset.lifecircleGaps === 'capacity'"
        )
        assert page.input_value("#lifecircle-gaps") == "capacity"
        enough = (row.capacity or {}).get("score")
        capacity_px = colour_at(page, lat, lon, previous=score_px)
        _label, colour = score_row(
            page.evaluate(LEGEND_ROWS, "theme-capacity"),
            score if enough is None else enough,
        )
        assert near(capacity_px, blended(rgb(colour), ground)), (enough, capacity_px)
        page.select_option("#lifecircle-gaps", "distance")
        page.wait_for_function("() => document.body.dataset.theme === 'score'")
    # the screenshots: a district's worth of communities under each theme
    show_at(page, lat, lon, 13)
    page.wait_for_timeout(1500)  # the repaint of the loaded tiles
    shot(page, "planner_themes_score", lang)
    choose(page, "stage")
    page.wait_for_timeout(1500)
    shot(page, "planner_themes", lang)
    assert page.errors == []


def overlay_labels(page):
    return page.evaluate(
        """() => [...document.querySelectorAll('.leaflet-control-layers-overlays label')]
              .map((l) => l.textContent.trim())"""
    )


def toggle(page, label, on):
    page.hover(".leaflet-control-layers")
    box = page.locator(
        ".leaflet-control-layers-overlays label", has_text=label
    ).locator("input")
    box.check() if on else box.uncheck()
    page.mouse.move(5, 5)


def sections(page):
    return page.evaluate(
        "() => [...document.querySelectorAll('#map-key section')].map((s) => s.dataset.key)"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_the_legend_follows_the_layers_and_folds(live_server, new_page, city, lang):
    page = open_planner(new_page, live_server, lang)
    before = sections(page)
    assert before[0] == "theme-stage" and "idle_land" in before
    assert tjs(lang, "改造阶段") in page.inner_text("#map-key")
    idle = t(lang, "闲置用地")
    toggle(page, idle, False)
    page.wait_for_function(
        "() => !document.querySelector('#map-key section[data-key=idle_land]')"
    )
    toggle(page, idle, True)
    page.wait_for_function(
        "() => !!document.querySelector('#map-key section[data-key=idle_land]')"
    )
    assert sections(page) == before  # back in its place
    # the theme's layer off: its section goes
    toggle(page, t(lang, "老旧小区（按改造阶段）"), False)
    page.wait_for_function(
        "() => !document.querySelector('#map-key section[data-key=theme-stage]')"
    )
    toggle(page, t(lang, "老旧小区（按改造阶段）"), True)
    page.wait_for_function(
        "() => !!document.querySelector('#map-key section[data-key=theme-stage]')"
    )

    # it folds, and stays folded while layers come and go
    page.click("#map-key .map-key-fold")
    assert page.get_attribute("#map-key", "data-folded") == "1"
    assert not page.locator("#map-key section").first.is_visible()
    folded = page.locator("#map-key").bounding_box()
    toggle(page, idle, False)
    page.wait_for_function(
        "() => !(document.body.dataset.legend || '').includes('idle_land')"
    )
    assert page.get_attribute("#map-key", "data-folded") == "1"
    assert page.inner_text("#map-key .map-key-fold") == tjs(lang, "图例 ▸")
    page.click("#map-key .map-key-fold")
    assert page.get_attribute("#map-key", "data-folded") == "0"
    assert "idle_land" not in sections(page)
    assert page.locator("#map-key").bounding_box()["height"] > folded["height"]

    # one legend panel, bottom right, clear of the top-left controls; the life-circle
    # filter keeps no legend of its own
    assert page.locator(".leaflet-bottom.leaflet-right #map-key").count() == 1
    assert page.locator(".lifecircle-filter i").count() == 0
    key = page.locator("#map-key").bounding_box()
    for control in page.locator(".leaflet-top.leaflet-left > .leaflet-control").all():
        if control.is_visible():
            assert not overlaps(key, control.bounding_box())
    assert page.errors == []


def drawn_order(page):
    return page.evaluate(
        """() => ({
          overlays: [...document.querySelectorAll('.leaflet-control-layers-overlays label')]
            .map((l) => l.textContent.trim()),
          panes: [...document.querySelectorAll('.leaflet-pane')]
            .map((p) => [p.className.match(/leaflet-overlay-(\\S+)-pane/), Number(p.style.zIndex)])
            .filter(([m]) => m).sort((a, b) => b[1] - a[1]).map(([m]) => m[1]),
          tiles: document.body.dataset.tileOrder,
        })"""
    )


@pytest.mark.parametrize("lang", LANGS)
def test_the_layer_order_is_the_same_whichever_answers_first(
    live_server, new_page, city, lang
):
    page = new_page()
    delayed = []

    def late(route):
        delayed.append(route.request.url)
        page.wait_for_timeout(1500)
        route.continue_()

    # the first load: the street boundaries answer last; the next: the district
    # boundaries and the blocks
    first_slow = re.compile(r"/api/layers/streets\.geojson")
    page.route(first_slow, late)
    page = open_planner(lambda: page, live_server, lang)
    first = drawn_order(page)
    page.unroute(first_slow)
    page.route(
        re.compile(r"/api/(layers/districts|blocks/runs/\d+/blocks)\.geojson"), late
    )
    page.reload()
    page.wait_for_selector("body[data-map-ready='1']", timeout=60_000)
    second = drawn_order(page)
    assert len(delayed) == 3, delayed
    assert second == first
    # the list follows the config's one order
    order = json.loads(page.text_content("#map-config"))["overlay_order"]
    assert first["tiles"].split(",")[0] == "basemap"
    tiles = first["tiles"].split(",")[1:]
    assert tiles == [k for k in reversed(order) if k in tiles]
    assert first["panes"] == [k for k in order if k in first["panes"]]
    assert len(first["overlays"]) >= 6
    assert page.errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_no_legend_covers_an_open_popup(live_server, new_page, city, lang):
    # a block's card: the popup of a click on a block (a click on a community opens its
    # record card in the panel instead)
    block = RenovationBlock.objects.filter(is_active=True).order_by("code").first()
    member = Community.objects.get(code=block.member_codes[0])
    lon, lat = transformed(member.geom.point_on_surface, 4326).coords
    page = new_page()
    page.add_init_script(CAPTURE)
    page = open_planner(lambda: page, live_server, lang)
    choose(page, "blocks")
    show_at(page, lat, lon, 16)
    # the block just left of the legend panel, at the bottom: a popup opened there
    # would spread over the panel
    page.evaluate(
        """([lat, lon]) => {
          const m = window.__map, size = m.getSize(), z = m.getZoom();
          const frame = m.getContainer().getBoundingClientRect();
          const key = document.getElementById('map-key').getBoundingClientRect();
          const at = [key.left - frame.left - 30, size.y - 50];
          const p = m.project([lat, lon], z).subtract([at[0] - size.x / 2, at[1] - size.y / 2]);
          m.setView(m.unproject(p, z), z, { animate: false });
        }""",
        [lat, lon],
    )
    page.wait_for_function(
        """() => Object.entries(document.body.dataset).filter(([k]) => k.startsWith('tiles_'))
              .every(([, v]) => v === 'loaded')"""
    )
    page.evaluate("() => { document.body.dataset.popupSettled = ''; }")
    point = page.evaluate(
        """([lat, lon]) => {
          const pt = window.__map.latLngToContainerPoint([lat, lon]);
          const box = window.__map.getContainer().getBoundingClientRect();
          return [box.left + pt.x, box.top + pt.y];
        }""",
        [lat, lon],
    )
    page.mouse.click(*point)
    page.wait_for_selector(
        f".leaflet-popup-content .block-card[data-code='{block.code}']"
    )
    page.wait_for_function("() => document.body.dataset.popupSettled === '1'")

    def clear():
        popup = page.locator(".leaflet-popup-content-wrapper").bounding_box()
        for legend in page.locator(".leaflet-control-container .legend").all():
            if legend.is_visible():
                assert not overlaps(popup, legend.bounding_box())

    clear()
    assert block.name in page.inner_text(".leaflet-popup-content")
    # fold and unfold the legend under the open popup: it stays clear
    page.click("#map-key .map-key-fold")
    page.click("#map-key .map-key-fold")
    page.wait_for_function("() => document.body.dataset.popupSettled === '1'")
    clear()
    assert page.errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_home_map_has_the_same_key_and_order(live_server, new_page, city, lang):
    """The home map is served by the same code: its key, its themes, its one order."""
    page = new_page()
    page.context.add_cookies(
        [{"name": "django_language", "value": lang, "url": live_server.url}]
    )
    login(page, live_server, "planner", "pw-123456", next_url="/")
    assert sections(page)[0] == "theme-stage"
    assert tjs(lang, "专题着色") in page.inner_text("#map-key")
    order = json.loads(page.text_content("#map-config"))["overlay_order"]
    tiles = page.evaluate("document.body.dataset.tileOrder").split(",")[1:]
    assert tiles == [k for k in reversed(order) if k in tiles]
    # the blocks theme brings the blocks on, filled; the communities go to outlines
    choose(page, "blocks")
    assert page.evaluate(
        """() => [...document.querySelectorAll('.leaflet-overlay-blocks-pane path')]
              .some((p) => Number(p.getAttribute('fill-opacity')) > 0)"""
    )
    assert sections(page)[0] == "theme-blocks"
    choose(page, "stage")  # the blocks stay on, as outlines
    assert page.evaluate(
        """() => {
          const paths = [...document.querySelectorAll('.leaflet-overlay-blocks-pane path')];
          return paths.length > 0 && paths.every((p) => Number(p.getAttribute('fill-opacity')) === 0);
        }"""
    )
    assert "blocks" in sections(page)
    assert page.errors == []
