"""The navigation bar on every page and the public card's dated "before", in chromium,
in both languages: an anonymous visitor sees the public pages and the login, a planner
every page of the day; each language is named in its own language (中文 / English)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from tests import factories
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABELS = {
    "zh-hans": ["规划工作台", "导入数据", "项目管理", "居民意见", "统计", "公众地图"],
    "en": [
        "Planning workspace",
        "Import data",
        "Projects",
        "Residents' voice",
        "Statistics",
        "Public map",
    ],
}
PUBLIC = {"zh-hans": ["统计", "公众地图"], "en": ["Statistics", "Public map"]}
CARD = {
    "zh-hans": ("改造前（{date} 开工前）", "40 分（{run}）"),
    "en": ("Before (works started {date})", "40 points ({run})"),
}


def _nav(page):
    return page.locator("#nav-pages a").all_inner_texts()


def _language(page, lang):
    # the switch submits from page.js, a module script: it has run once the document
    # is loaded (a select changed before that submits nothing)
    page.wait_for_load_state("domcontentloaded")
    if page.evaluate("document.documentElement.lang") != lang:
        # the page in the new language is there once its document is (its "load" waits
        # for every map tile, which a loaded machine can take past the timeout)
        with page.expect_navigation(wait_until="domcontentloaded", timeout=60_000):
            page.select_option("select[name=language]", lang)
        page.wait_for_function(f"() => document.documentElement.lang === '{lang}'")


def test_anonymous_visitor_sees_public_pages_and_the_card_before(
    new_page, live_server, city
):
    page = new_page()
    page.goto(f"{live_server.url}/public/")
    page.wait_for_selector("body[data-map-ready='1']", timeout=30_000)
    options = page.locator("select[name=language] option").all_inner_texts()
    assert options == ["中文", "English"]
    started = (timezone.now() - dt.timedelta(days=15)).date().isoformat()
    first_run = city["runs"][0].finished_at.date().isoformat()
    for lang in ("zh-hans", "en"):
        _language(page, lang)
        page.wait_for_selector("body[data-map-ready='1']", timeout=30_000)
        assert _nav(page) == PUBLIC[lang]
        assert page.locator("#nav-pages a.current").inner_text() == PUBLIC[lang][1]
        page.fill("#search", "月湖")
        page.click("button.search-hit", timeout=10_000)
        page.wait_for_selector("#card .card-name", timeout=10_000)
        text = page.inner_text("#card")
        label, value = CARD[lang]
        assert label.format(date=started) in text, text
        assert value.format(run=first_run) in text, text
        screenshot(page, f"public_card_before_{lang}.png")
        # the statistics page is one click away, with the same bar
        with page.expect_navigation(wait_until="domcontentloaded", timeout=60_000):
            page.click("#nav-pages a[data-nav='public-stats-page']")
        assert page.locator("#nav-pages a.current").inner_text() == PUBLIC[lang][0]
        # back to the map, and on it before the next language is chosen there
        with page.expect_navigation(wait_until="domcontentloaded", timeout=60_000):
            page.click("#nav-pages a[data-nav='public-map']")
        page.wait_for_selector("body[data-map-ready='1']", timeout=30_000)
    assert page.errors == []


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_planner_reaches_every_page_from_the_bar(new_page, live_server, city, lang):
    factories.user("planner-a", Role.DISTRICT_PLANNER, district=city["districts"][0])
    page = new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/planner/")
    _language(page, lang)
    page.fill("input[name=username]", "planner-a")
    page.fill("input[name=password]", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-map-ready='1']", timeout=60_000)
    labels = LABELS[lang]
    assert _nav(page) == labels
    visited = []
    for name, title_sel in (
        ("layers:import", "#import-form"),
        ("programme-home", "main"),
        ("voice-queue", "#voice-queue"),
        ("public-stats-page", "main"),
        ("public-map", "body[data-map-ready='1']"),
        ("planner", "body[data-map-ready='1']"),
    ):
        # the next page, not the one left ("main" is on both)
        with page.expect_navigation(wait_until="domcontentloaded", timeout=60_000):
            page.click(f"#nav-pages a[data-nav='{name}']")
        page.wait_for_selector(title_sel, timeout=60_000)
        assert _nav(page) == labels, name  # the same bar on every page
        current = page.locator("#nav-pages a.current").inner_text()
        visited.append(current)
        if name == "layers:import":
            screenshot(page, f"import_page_{lang}.png")
    assert visited == [*labels[1:], labels[0]]
    # log out from the bar: back to the public surface
    with page.expect_navigation():
        page.click("form[action$='/accounts/logout/'] button")
    assert _nav(page) == PUBLIC[lang]
    assert page.errors == []
