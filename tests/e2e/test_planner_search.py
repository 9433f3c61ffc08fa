"""Finding a community in the planner (issue 21, item 6), on the seed-42 demo city with
a life-circle run, in a real browser and in both languages: a search by address (Enter
picks the first hit), by 社区 (a hit clicked), by a facility's name (arrows, then
Enter); each pick zooms to the feature, outlines it and opens its card with the right
record; Escape clears the box; a click on a community on the map (its life-circle score
answers the click first) opens its record, and the "分析" tab shows its score and missing
facilities. Screenshots: docs/screenshots/planner_search*.png."""

from __future__ import annotations

import pytest
from django.contrib.gis.measure import D
from django.db.models import Count
from django.utils import translation

from layers.crs import transformed
from layers.models import Amenity, Community, IdleLand, Stage, VacantHousing
from lifecircle.models import CoverageResult

from .conftest import pick
from .test_planner_day import LANGS, analysed, demo, open_planner, shot, t, tjs

__all__ = ["analysed", "demo"]  # the fixtures, used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH_MAP = (
    "window.addEventListener('map:init', (e) => { window.__map = e.detail.map; });"
)
OUTLINE = "path[stroke='#ffea00']"


def clear_of_other_layers(c) -> bool:
    """Nothing answers a click at the community's point on surface before it."""
    p = c.geom.point_on_surface
    near = D(m=25)
    return not (
        Amenity.objects.filter(geom__dwithin=(p, near)).exists()
        or VacantHousing.objects.filter(geom__dwithin=(p, near)).exists()
        or IdleLand.objects.filter(geom__dwithin=(p, near)).exists()
    )


def by_address():
    """A community found first by its address: unique, in no community's name."""
    for c in (
        Community.objects.exclude(address="").exclude(committee="").order_by("code")
    ):
        if (
            Community.objects.filter(address__icontains=c.address).count() == 1
            and not Community.objects.filter(name__icontains=c.address).exists()
            and clear_of_other_layers(c)
        ):
            return c
    pytest.fail("no community with a unique address in the demo city")


def by_committee(other_than):
    """A 社区 of two to ten communities and one of them."""
    rows = (
        Community.objects.exclude(committee="")
        .values("committee")
        .annotate(n=Count("pk"))
        .filter(n__gte=2, n__lte=10)
        .order_by("committee")
    )
    for row in rows:
        members = Community.objects.filter(committee=row["committee"]).order_by("code")
        named = Community.objects.filter(name__icontains=row["committee"]).exists()
        if other_than.committee != row["committee"] and not named:
            return row["committee"], list(members)
    pytest.fail("no 社区 of two to ten communities in the demo city")


def named_amenity():
    for a in Amenity.objects.exclude(name="").order_by("code"):
        if Amenity.objects.filter(name=a.name).count() == 1:
            return a
    pytest.fail("no amenity with a unique name in the demo city")


def lonlat(geom):
    return transformed(geom, 4326).coords


def search_for(page, text):
    """Type a query; the hits once the list answers it."""
    page.fill("#search", text)
    page.wait_for_function(
        """(q) => { const list = document.getElementById('search-results');
                    return list.dataset.q === q && !list.hidden; }""",
        arg=text,
    )
    return page.locator("#search-results button.search-hit")


def wait_selected(page, kind, code):
    page.wait_for_function(
        "(s) => document.body.dataset.selected === s", arg=f"{kind}:{code}"
    )


def map_shows(page, lon, lat):
    """The point is inside the map's view."""
    w, s, e, n = (
        float(v) for v in page.get_attribute("#map", "data-bounds").split(",")
    )
    return w <= lon <= e and s <= lat <= n


def record_text(page, code):
    card = page.locator(f"#record:not([hidden])[data-code='{code}']")
    card.wait_for()
    return card.locator("#record-panel-record").inner_text()


def stage_label(lang, stage):
    with translation.override(lang):
        return str(Stage(stage).label)


def analysis_cells(page):
    panel = page.locator("#record-panel-analysis")
    rows = panel.locator("tr").all()
    return {r.locator("th").inner_text(): r.locator("td").inner_text() for r in rows}


@pytest.mark.parametrize("lang", LANGS)
def test_find_a_community_and_open_its_record(live_server, new_page, analysed, lang):
    c = by_address()
    committee, members = by_committee(other_than=c)
    amenity = named_amenity()
    page = new_page()
    page.add_init_script(WATCH_MAP)  # window.__map, for pick()
    page = open_planner(lambda: page, live_server, lang)
    zoom_before = int(page.get_attribute("#map", "data-zoom"))

    # by address: the community first, its address named under it; Enter picks it
    found = search_for(page, c.address)
    assert found.first.get_attribute("data-code") == c.code
    assert found.first.get_attribute("data-layer") == "community"
    detail = found.first.locator(".hit-detail").inner_text()
    assert c.district.name in detail and c.address in detail
    assert tjs(lang, "地址：%(v)s").replace("%(v)s", c.address) in detail
    assert tjs(lang, "小区") in page.inner_text("#search-results .search-kind >> nth=0")
    page.press("#search", "Enter")
    wait_selected(page, "community", c.code)
    text = record_text(page, c.code)
    assert page.inner_text("#record-title") == c.name
    for value in (c.address, c.committee, c.district.name, str(c.households)):
        assert value in text, value
    assert str(c.completion_year) in text and c.code in text
    assert tjs(lang, "社区") in text and tjs(lang, "建成年份") in text
    assert stage_label(lang, c.stage) in text
    assert page.get_attribute("#record", "data-tab") == "record"
    # zoomed to its bounds (not a fixed zoom), outlined
    lon, lat = lonlat(c.geom.point_on_surface)
    assert map_shows(page, lon, lat)
    assert int(page.get_attribute("#map", "data-zoom")) > zoom_before
    assert page.locator(OUTLINE).count() == 1
    shot(page, "planner_search", lang)

    # Escape clears the box and the hits; the card and its outline stay
    page.press("#search", "Escape")
    assert page.input_value("#search") == ""
    assert page.locator("#search-results").is_hidden()
    assert page.locator(f"#record:not([hidden])[data-code='{c.code}']").count() == 1
    assert page.locator(OUTLINE).count() == 1

    # nothing found: said so, in the user's language
    page.fill("#search", "不存在的地方 zzz")
    page.wait_for_function(
        "() => document.getElementById('search-results').dataset.q === '不存在的地方 zzz'"
    )
    nothing = tjs(lang, "没有找到“%(q)s”").replace("%(q)s", "不存在的地方 zzz")
    assert page.inner_text("#search-status") == nothing
    assert page.locator("#search-results").is_hidden()

    # by 社区: every community of it listed; the one clicked opens, the outline moves
    found = search_for(page, committee)
    listed = {b.get_attribute("data-code") for b in found.all()}
    assert {m.code for m in members} <= listed
    other = members[-1]
    page.click(f"#search-results button.search-hit[data-code='{other.code}']")
    wait_selected(page, "community", other.code)
    assert committee in record_text(page, other.code)
    assert page.inner_text("#record-title") == other.name
    assert page.locator(OUTLINE).count() == 1
    lon, lat = lonlat(other.geom.point_on_surface)
    assert map_shows(page, lon, lat)

    # a facility by name: arrows to its hit, Enter; its record opens in the editor
    found = search_for(page, amenity.name)
    codes = [b.get_attribute("data-code") for b in found.all()]
    index = codes.index(amenity.code)
    hit = found.nth(index)
    assert hit.get_attribute("data-layer") == "amenity"
    assert t(lang, amenity.category.name) in hit.inner_text()
    for _ in range(index + 1):
        page.press("#search", "ArrowDown")
    assert hit.get_attribute("aria-selected") == "true"
    assert page.get_attribute("#search", "aria-activedescendant") == hit.get_attribute(
        "id"
    )
    page.press("#search", "Enter")
    wait_selected(page, "amenity", amenity.code)
    page.wait_for_selector(f"#editor:not([hidden])[data-code='{amenity.code}']")
    assert amenity.name in page.inner_text("#editor-title")
    assert page.input_value("#feature-form [name=name]") == amenity.name
    assert page.locator("#record").is_hidden()
    lon, lat = lonlat(amenity.geom)
    assert map_shows(page, lon, lat)
    assert int(page.get_attribute("#map", "data-zoom")) >= 17
    assert page.locator(OUTLINE).count() == 1  # the ring around the point

    # a click on a community on the map: its score answers first, its record opens;
    # the analysis is the second tab
    lon, lat = lonlat(c.geom.point_on_surface)
    assert pick(page, lat, lon) == f"results:{c.code}"
    wait_selected(page, "community", c.code)
    assert c.address in record_text(page, c.code)
    assert page.get_attribute("#record", "data-tab") == "record"
    assert page.locator("#editor").is_hidden()
    assert page.locator(".leaflet-popup-content").count() == 0  # no score popup
    page.click("#record-tab-analysis")
    page.wait_for_selector("#record-panel-analysis table")
    assert page.locator("#record-panel-record").is_hidden()
    cells = analysis_cells(page)
    result = CoverageResult.objects.get(run=analysed, community=c)
    score = tjs(lang, "覆盖得分（有没有 / 够不够）")
    assert float(cells[score].split("/")[0]) == pytest.approx(result.score, abs=0.06)
    assert tjs(lang, "缺失必配设施") in cells
    assert f"#{analysed.pk}" in page.inner_text("#record-panel-analysis")
    shot(page, "planner_search_analysis", lang)

    # the card closed: the outline goes with it
    page.click("#record-close")
    assert page.locator("#record").is_hidden()
    assert page.locator(OUTLINE).count() == 0
    assert page.errors == []
