"""Parking on the planner map (issue 19 part 3), on the seed-42 demo city: the 停车缺口
theme colours a community short of spaces by its class (the canvas pixel is the legend's
colour over the basemap), its record card gives spaces, demand, gap and the ratios'
source, and a siting run weighed for parking shows each plot's parking value and the
trade-off. Screenshots docs/screenshots/parking*.png."""

from __future__ import annotations

import pytest
from django.contrib.gis.measure import D

from layers.crs import transformed
from layers.models import Community, IdleLand, VacantHousing, WalkSegment
from lifecircle import services as lc
from runs.models import AnalysisRun
from siting.models import SitingCandidateResult

from .conftest import show_at
from .test_planner_day import open_planner, shot, tjs
from .test_planner_search import record_text, search_for, wait_selected
from .test_planner_themes import (  # noqa: F401 - city is a fixture
    CAPTURE,
    LEGEND_ROWS,
    blended,
    choose,
    city,
    colour_at,
    near,
    rgb,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANG = "zh-hans"


def short_community():
    """A community clear of other layers whose shortage is at least 40 % of its demand
    (the theme's worst class), and its figures; the demo has many."""
    figures, _source = lc.community_parking_figures()
    worst = figures[(figures["gap"] >= 0.4 * figures["demand"]) & (figures["gap"] > 0)]
    assert len(worst) > 10, "the demo city should have communities short of parking"
    assert (figures["gap"] < 0).any(), "… and some with spare spaces"
    near_m = D(m=40)
    for c in Community.objects.filter(code__in=set(worst["code"])).order_by("code"):
        at = c.geom.point_on_surface
        if (
            IdleLand.objects.filter(geom__distance_lte=(at, near_m)).exists()
            or VacantHousing.objects.filter(geom__distance_lte=(at, near_m)).exists()
            or WalkSegment.objects.filter(geom__distance_lte=(at, near_m)).exists()
        ):
            continue
        lon, lat = transformed(at, 4326).coords
        return c, figures.set_index("code").loc[c.code], lat, lon
    pytest.fail("no short community clear of other layers in the demo")


def test_parking_theme_card_and_siting_tradeoff(live_server, new_page, city):  # noqa: F811
    community, fig, lat, lon = short_community()
    page = new_page()
    page.add_init_script(CAPTURE)
    page = open_planner(lambda: page, live_server, LANG)
    # the theme: the community's pixel is the worst class's colour over the basemap
    show_at(page, lat, lon, 16)
    stage_px = colour_at(page, lat, lon)
    choose(page, "blocks")
    ground = colour_at(page, lat, lon, previous=stage_px)
    choose(page, "parking")
    parking_px = colour_at(page, lat, lon, previous=ground)
    rows = dict(page.evaluate(LEGEND_ROWS, "theme-parking"))
    worst = rgb(rows[tjs(LANG, "缺口 ≥ 需求的40%")])
    assert near(parking_px, blended(worst, ground)), (parking_px, worst, ground)
    assert tjs(LANG, "车位未调查") in rows
    show_at(page, lat, lon, 14)
    page.wait_for_timeout(1500)  # the repaint of the loaded tiles
    shot(page, "parking_theme", LANG)

    # the record card: spaces, demand (households × ratio), gap, the ratios' source
    search_for(page, community.name)
    page.press("#search", "Enter")
    wait_selected(page, "community", community.code)
    text = record_text(page, community.code)
    assert f"缺 {int(fig['gap'])} 个" in text
    assert f"{int(fig['demand'])} 个（{fig['ratio']:g} 位/户）" in text
    assert str(int(fig["spaces"])) in text
    assert "survey-2024" in text and "illustrative" in text
    shot(page, "parking_card", LANG)

    # siting weighed for parking: the table's column, the trade-off in words
    page.fill("#siting-parking-weight", "5")
    page.locator("#siting-form [name=consent_scope]").select_option("all")
    page.locator("#siting-form button[type=submit]").click()
    page.wait_for_function("() => document.body.dataset.sitingDone", timeout=120_000)
    run = AnalysisRun.objects.filter(kind="siting").latest("pk")
    assert run.parameters["parking_weight"] == 5.0
    park = run.summary["parking"]
    trade = page.locator("#siting-parking")
    trade.wait_for()
    words = trade.inner_text()
    t = park["tradeoff"].get("exact") or park["tradeoff"]["greedy"]
    assert f"可建 {t['parking_spaces']} 个车位" in words
    assert f"最多减少 {t['parking_gap_reduced']} 个" in words
    assert f"全市停车缺口 {park['shortage_total']} 个" in words
    best = SitingCandidateResult.objects.filter(run=run).order_by(
        "-parking_gap_reduced", "rank"
    )[0]
    assert best.parking_gap_reduced > 0, "some plot should take off a parking gap"
    cell = page.locator(
        f"#siting-table tr[data-id='{best.pk}'] td.col-parking"
    ).inner_text()
    assert cell == str(best.parking_gap_reduced)
    preferred = SitingCandidateResult.objects.filter(run=run, prefer_parking=True)
    if preferred.exists():
        p = preferred[0]
        chosen = page.locator(f"#siting-table tr[data-id='{p.pk}'] td.col-chosen")
        assert "宜作停车" in chosen.inner_text()
    # the first chosen site on the map (the communities it newly serves), the panel's
    # trade-off and table beside it
    first = page.locator("#siting-chosen button").first
    site = first.get_attribute("data-site")
    first.click()
    page.wait_for_function(
        "(id) => document.body.dataset.sitingFocused === id", arg=site
    )
    page.locator("#siting-parking").scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    shot(page, "parking_siting", LANG)
    assert page.errors == []
