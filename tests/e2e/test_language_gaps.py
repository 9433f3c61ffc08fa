"""No language gap on the pages (issue 21 item 9): in English, the planner workspace
(with its drawing toolbar at work, a community's history and the category filter), the
import page, the public map (with a community's card) and the statistics show no Chinese
but the data's own values (names, addresses: everything the database holds, compared
with what the page shows); in Chinese, none of the English that libraries bring along
(Leaflet.draw's toolbar and tooltips, the history's created/changed) nor any English
sentence of the catalogs."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import models

from accounts.models import Role
from accounts.permissions import SYSTEM
from geoapp.catalogs import locale_dir, messages
from layers.models import (
    AmenityCategory,
    Community,
    CommunityCandidate,
    District,
    Street,
)
from layers.registry import LAYERS
from lifecircle.models import CoverageResult
from lifecircle.services import lifecircle_run
from planner import services as planner_services
from planner.models import PlanningArea
from public.selectors import public_community_qs
from tests import factories

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")

#: what Leaflet.draw and django-simple-history say when nobody translates them
LIBRARY_ENGLISH = (
    "Finish",
    "Delete last point",
    "Cancel drawing",
    "Draw a polygon",
    "Draw a marker",
    "Click to start drawing",
    "Click map to place marker",
    "created",
    "changed",
    "deleted",
)
#: Leaflet's own control titles and the switch's label
LEAFLET_ENGLISH = ("Zoom in", "Zoom out", "Layers", "aria-label=language")

#: every text a reader meets: the visible text, the tooltips (title), placeholders,
#: labels for screen readers and the options of every list
PAGE_TEXT = """() => {
  const out = [document.body.innerText];
  for (const el of document.querySelectorAll("[title], [placeholder], [aria-label], [alt]"))
    for (const a of ["title", "placeholder", "aria-label", "alt"])
      if (el.getAttribute(a)) out.push(el.getAttribute(a), `${a}=${el.getAttribute(a)}`);
  for (const o of document.querySelectorAll("option")) out.push(o.textContent);
  return out.join("\\n");
}"""


@pytest.fixture
def city(reference_data):
    """The small demo city, a life-circle run, and a planning area drawn and renamed
    (its history: created, changed)."""
    call_command("make_demo", seed=42, scale="small", no_progress=True)
    planner = factories.user("planner", Role.CITY_ADMIN)
    lifecircle_run(user=SYSTEM)
    x, y = (
        Community.objects.order_by("code")
        .first()
        .geom.point_on_surface.transform(4326, clone=True)
        .coords
    )
    d = 0.002
    square = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    area = planner_services.feature_create(
        kind="planning_area",
        data={"name": "语言测试范围"},
        geometry={"type": "Polygon", "coordinates": [square]},
        user=planner,
    ).obj
    planner_services.feature_update(
        kind="planning_area",
        code=area.code,
        version=1,
        data={"name": "语言测试范围（改）"},
        user=planner,
    )
    return area.code


def data_values() -> list[str]:
    """Every string the database holds that a page may show as it is (the layers'
    text fields without choices, districts, streets, planning areas), longest first,
    and the languages' own names and the switch's label."""
    values: set[str] = {name for _code, name in settings.LANGUAGES}
    values.add("语言 / Language")  # the switch's label, in both (templates/base.html)
    specs = [s.model for s in LAYERS] + [District, Street, PlanningArea]
    specs.append(CommunityCandidate)
    for model in dict.fromkeys(specs):
        if model is AmenityCategory:
            continue  # its names are translated
        for f in model._meta.concrete_fields:
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices:
                values |= set(
                    model.objects.exclude(**{f.name: ""})
                    .values_list(f.name, flat=True)
                    .distinct()
                )
    return sorted((v for v in values if v and CJK.search(v)), key=len, reverse=True)


def chinese_left(text: str, values: list[str]) -> list[str]:
    """The lines of ``text`` with Chinese once the data's values are taken out."""
    found = []
    for line in text.splitlines():
        rest = line
        for v in values:
            if v in rest:
                rest = rest.replace(v, " ")
        if CJK.search(rest):
            found.append(line.strip())
    return sorted(set(found))


def english_sentences() -> set[str]:
    """The English of the catalogs that could only come from them (two words or more)."""
    out = set()
    for domain in ("django", "djangojs"):
        for e in messages(locale_dir() / f"{domain}.po"):
            for s in e.msgstr:
                if len(s.split()) >= 2 and "%" not in s and "<" not in s:
                    out.add(s)
    return out


def start_polygon(page):
    """Leaflet.draw at work: the polygon tool on, its actions and tooltip showing."""
    page.click(".leaflet-draw-draw-polygon")
    page.wait_for_selector(".leaflet-draw-actions a", state="visible")
    box = page.locator("#map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(".leaflet-draw-tooltip", state="visible")


def open_history(page, code):
    page.evaluate(
        """(code) => document.dispatchEvent(new CustomEvent("planner:open",
             { detail: { kind: "planning_area", code } }))""",
        code,
    )
    page.wait_for_selector(f"#editor:not([hidden])[data-code='{code}']")
    page.click("#editor details:has(#history) > summary")
    page.wait_for_selector("#history li")


def public_card(page, live_server, community):
    page.goto(f"{live_server.url}/public/")
    page.wait_for_selector("body[data-map-ready='1']")
    page.fill("#search", community.name)
    hit = page.locator("#search-results button.search-hit").first
    hit.click()
    page.wait_for_selector("#card:not([hidden]) .history")


def visit(page, live_server, lang, area):
    """The four pages with their moving parts open; text per page."""
    page.context.add_cookies(
        [{"name": "django_language", "value": lang, "url": live_server.url}]
    )
    login(page, live_server, "planner", "pw-123456")
    community = next(
        r.community
        for r in CoverageResult.objects.filter(
            community_id__in=public_community_qs().values("source_id")
        )
        .select_related("community")
        .order_by("community__code")
        if any(r.missing.values())
    )
    texts = {}
    open_history(page, area)
    start_polygon(page)
    texts["planner"] = page.evaluate(PAGE_TEXT)
    history = page.locator("#history li").all_inner_texts()
    toolbar = page.evaluate(
        """() => [...document.querySelectorAll('.leaflet-draw a')]
             .map(a => `${a.title} ${a.textContent}`).join('\\n')"""
    )
    page.goto(f"{live_server.url}/layers/import/")
    texts["import"] = page.evaluate(PAGE_TEXT)
    public_card(page, live_server, community)
    texts["public"] = page.evaluate(PAGE_TEXT)
    page.goto(f"{live_server.url}/public/stats/")
    texts["stats"] = page.evaluate(PAGE_TEXT)
    assert page.errors == []
    return texts, history, toolbar


def test_no_language_gap_either_way(live_server, new_page, city):
    """One demo city for both languages (its set-up is most of the time)."""
    assert CoverageResult.objects.exclude(missing={}).exists()
    english_pages_show_no_chinese_but_the_data(new_page(), live_server, city)
    chinese_pages_show_none_of_the_libraries_english(new_page(), live_server, city)


def english_pages_show_no_chinese_but_the_data(page, live_server, area):
    texts, history, toolbar = visit(page, live_server, "en", area)
    values = data_values()
    left = {name: chinese_left(text, values) for name, text in texts.items()}
    assert left == {name: [] for name in texts}, "Chinese left on English pages"
    # the parts the pages were opened for are there, in English
    assert "Finish" in toolbar and "Delete last point" in toolbar
    assert [h.split(" · ")[1] for h in history] == ["Changed", "Created"], history
    assert "Kindergarten" in texts["planner"]  # the category filter
    assert "Missing: " in texts["public"]  # the card's missing facilities
    # the language switch names each language in its own language
    assert "中文" in texts["planner"] and "English" in texts["planner"]


def chinese_pages_show_none_of_the_libraries_english(page, live_server, area):
    texts, history, toolbar = visit(page, live_server, "zh-hans", area)
    for text in LIBRARY_ENGLISH:
        assert text.lower() not in toolbar.lower(), text
    assert "完成" in toolbar and "删除最后一点" in toolbar
    assert [h.split(" · ")[1] for h in history] == ["已修改", "已创建"], history
    english = english_sentences()
    leaks = {
        name: sorted(s for s in english if s in text) for name, text in texts.items()
    }
    assert leaks == {name: [] for name in texts}, "English on Chinese pages"
    controls = {
        name: [w for w in LEAFLET_ENGLISH if w in text] for name, text in texts.items()
    }
    assert controls == {name: [] for name in texts}, "Leaflet's English"
