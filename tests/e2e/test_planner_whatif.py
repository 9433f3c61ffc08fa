"""The what-if of hypothetical sites on the planner's map, in a real browser and in both
languages (issue 21, item 8): two sites add up into one scenario (the page's figures
equal the what-if API's for both sites together, not the second alone), the communities
that gain are outlined and listed, a site is removed, clear empties everything, and a
saved scenario is listed, reopened (sites restored, recomputed) and deleted.

A marker dragged away takes its gain with it.

The tiny life-circle city (tests/lifecircle/city.py): A's entrance at 0 m, a kindergarten
K1 at 200 m, B's entrance at 1500 m. A kindergarten of 40 places beside B covers B and
lowers its shortfall by 40; an elderly daycare beside A covers A (no daycare yet)."""

from __future__ import annotations

import pytest

from accounts.models import Role
from accounts.permissions import SYSTEM
from lifecircle.services import lifecircle_run
from tests import factories
from tests.lifecircle import city as lifecircle_city

from .conftest import TILES_DRAWN, login, map_point
from .test_planner_day import LANGS, SHOTS, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

M_PER_DEG_LON = 96_600
B_SITE = {
    "category": "kindergarten",
    "lon": lifecircle_city.LON0 + 1500 / M_PER_DEG_LON,
    "lat": lifecircle_city.LAT0,
    "capacity": 40,
}
A_SITE = {
    "category": "elderly_daycare",
    "lon": lifecircle_city.LON0 + 50 / M_PER_DEG_LON,
    "lat": lifecircle_city.LAT0,
}


@pytest.fixture
def analysed(db, reference_data):
    lifecircle_city.build()
    factories.user("planner", Role.CITY_ADMIN)
    return lifecircle_run(user=SYSTEM)


def open_planner(new_page, live_server, lang):
    page = new_page()
    page.add_init_script(
        "window.addEventListener('map:init', (e) => { window.__map = e.detail.map; });"
    )
    page.context.add_cookies(
        [{"name": "django_language", "value": lang, "url": live_server.url}]
    )
    login(page, live_server, "planner", "pw-123456")
    page.wait_for_function("() => document.body.dataset.lifecircleRun")
    page.wait_for_function("() => document.body.dataset.lifecircleFeatures")
    return page


def show_whatif(page, lang, name, panel="#whatif-summary"):
    """The sites and the outlined communities in view, the panel's what-if in sight."""
    page.evaluate("() => window.__map.closePopup()")
    page.wait_for_timeout(500)  # the popups fade out
    n = page.evaluate(
        """() => {
          const m = window.__map;
          const b = L.latLngBounds([]);
          let n = 0;
          m.eachLayer((l) => {
            if (l instanceof L.Polygon && l.options.pane === "whatif") b.extend(l.getBounds());
            else if (l instanceof L.Marker && l.options.draggable) b.extend(l.getLatLng());
            else return;
            n += 1;
          });
          m.fitBounds(b, { paddingTopLeft: [120, 120], paddingBottomRight: [200, 120], animate: false });
          return n;
        }"""
    )
    assert n >= 2
    page.wait_for_function(TILES_DRAWN)
    page.locator(panel).evaluate("(e) => e.scrollIntoView({ block: 'end' })")
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)
    suffix = "" if lang.startswith("zh") else "_en"
    page.screenshot(path=str(SHOTS / f"{name}{suffix}.png"), animations="disabled")


def computed(page):
    return page.evaluate("() => Number(document.body.dataset.whatifComputed || 0)")


def place(page, site):
    """Place a site with the panel's form and a click on the map; wait for the what-if."""
    before = computed(page)
    page.select_option("#whatif-category", site["category"])
    page.fill("#whatif-capacity", str(site.get("capacity", "")))
    page.click("#btn-whatif")
    page.mouse.click(*map_point(page, site["lat"], site["lon"]))
    page.wait_for_function(
        f"() => Number(document.body.dataset.whatifComputed || 0) > {before}"
        " && !document.body.dataset.whatifBusy"
    )


def api_what_if(page, live_server, run_id, sites):
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    resp = page.request.post(
        f"{live_server.url}/api/lifecircle/runs/{run_id}/what-if/",
        data={"facilities": sites},
        headers={"X-CSRFToken": token, "Referer": live_server.url},
    )
    assert resp.status == 200, resp.text()
    return resp.json()


def page_sites(page) -> list[dict]:
    """The sites as the page lists them (category, lon, lat, capacity)."""
    out = []
    for li in page.locator("#whatif-sites li").all():
        site = {
            "category": li.get_attribute("data-category"),
            "lon": float(li.get_attribute("data-lon")),
            "lat": float(li.get_attribute("data-lat")),
        }
        if li.get_attribute("data-capacity"):
            site["capacity"] = float(li.get_attribute("data-capacity"))
        out.append(site)
    return out


def gainers(r) -> set[str]:
    codes = {row["code"] for row in r["changed"]}
    return codes | {row["code"] for row in (r["capacity"] or {}).get("changed", [])}


def page_figures(page):
    data = page.evaluate("() => ({...document.body.dataset})")
    trs = page.locator("#whatif-summary tbody tr").all()
    rows = {
        tr.get_attribute("data-category"): [
            td.inner_text() for td in tr.locator("td").all()
        ]
        for tr in trs
    }
    shortfalls = {
        tr.get_attribute("data-category"): float(tr.get_attribute("data-shortfall"))
        for tr in trs
        if tr.get_attribute("data-shortfall") is not None
    }
    return {
        "communities": int(data["whatifDone"]),
        "residents": int(data["whatifResidents"]),
        "score_after": float(data["whatifScoreAfter"]),
        "shortfall": float(data.get("whatifShortfallReduced", "nan")),
        "highlighted": page.locator("path.whatif-gain").count(),
        "listed": page.locator("#whatif-gains li").count(),
        "sites": page.locator("#whatif-sites li").count(),
        "markers": page.locator(".whatif-site-icon").count(),
        "rows": rows,
        "shortfalls": shortfalls,
    }


def assert_matches(fig, r, n_sites):
    assert fig["communities"] == r["communities_newly_covered"]
    assert fig["residents"] == sum(row["residents"] for row in r["changed"])
    assert fig["score_after"] == r["mean_score_after"]
    assert fig["highlighted"] == fig["listed"] == len(gainers(r))
    assert fig["sites"] == fig["markers"] == n_sites
    for cat, residents in r["residents_newly_covered"].items():
        assert int(fig["rows"][cat][3]) == residents
    assert fig["shortfalls"] == (r["capacity"] or {}).get("shortfall_reduced", {})


@pytest.mark.parametrize("lang", LANGS)
def test_two_sites_add_up_clear_save_reopen(live_server, new_page, analysed, lang):
    page = open_planner(new_page, live_server, lang)
    run = analysed.pk
    assert page.locator("#whatif-saved li.empty").count() == 1
    # the first site: a kindergarten of 40 places beside B
    place(page, B_SITE)
    first = api_what_if(page, live_server, run, [B_SITE])
    fig = page_figures(page)
    assert_matches(fig, first, 1)
    assert fig["communities"] == 1 and fig["residents"] == 2000
    assert (
        fig["shortfall"] == first["capacity"]["shortfall_reduced"]["kindergarten"] == 40
    )
    # the second adds to the first: the page equals the API for both, not A alone
    place(page, A_SITE)
    both = api_what_if(page, live_server, run, [B_SITE, A_SITE])
    alone = api_what_if(page, live_server, run, [A_SITE])
    fig = page_figures(page)
    assert_matches(fig, both, 2)
    assert fig["communities"] == 2 and fig["residents"] == 3000
    assert alone["communities_newly_covered"] == 1
    assert fig["score_after"] > first["mean_score_after"]
    # the kindergarten's 40 places still counted, the daycare's beside it (beds and
    # places are not added up in the total)
    assert fig["shortfalls"]["kindergarten"] == 40
    assert fig["shortfalls"]["elderly_daycare"] > 0
    assert gainers(both) == {"A", "B"} and fig["highlighted"] == 2
    header = page.inner_text("#whatif-summary thead")
    assert t(lang, "新增覆盖小区") in header and t(lang, "缺口减少") in header
    assert fig["rows"]["kindergarten"][4].startswith("40 ")
    show_whatif(page, lang, "planner_whatif")
    # a gaining community in the list zooms to it
    page.click("#whatif-gains li[data-code='A'] button")
    page.wait_for_function("() => document.body.dataset.communityFocused === 'A'")

    # save: listed with its name
    page.fill("#whatif-name", "两处假设")
    page.click("#btn-whatif-save")
    page.wait_for_function("() => document.body.dataset.whatifSaved === '1'")
    assert "两处假设" in page.inner_text("#whatif-saved")

    # clear: no site, marker, outline or summary left
    before = computed(page)
    page.click("#btn-whatif-clear")
    page.wait_for_function(
        f"() => Number(document.body.dataset.whatifComputed) > {before}"
    )
    assert page.locator("#whatif-sites li").count() == 0
    assert page.locator(".whatif-site-icon").count() == 0
    assert page.locator("path.whatif-gain").count() == 0
    assert page.locator("#whatif-gains li").count() == 0
    assert page.locator("#whatif-summary").is_hidden()
    assert page.evaluate("() => document.body.dataset.whatifDone") is None

    # reopen: the two sites back, recomputed to the same figures
    before = computed(page)
    page.click("#whatif-saved .whatif-open")
    page.wait_for_function(
        f"() => Number(document.body.dataset.whatifComputed || 0) > {before}"
        " && !document.body.dataset.whatifBusy"
    )
    fig = page_figures(page)
    assert_matches(fig, both, 2)
    restored = page_sites(page)
    assert [s["category"] for s in restored] == ["kindergarten", "elderly_daycare"]
    assert restored[0].get("capacity") == 40 and "capacity" not in restored[1]
    for got, placed in zip(restored, (B_SITE, A_SITE), strict=True):
        assert abs(got["lon"] - placed["lon"]) < 1e-4
        assert abs(got["lat"] - placed["lat"]) < 1e-4
    assert page.input_value("#whatif-name") == "两处假设"
    show_whatif(page, lang, "planner_whatif_reopened", "#whatif-saved-box")
    # drag the kindergarten 800 m west of B: B gains nothing any more, A still does
    icon = page.locator(".whatif-site-icon").nth(0).bounding_box()
    before = computed(page)
    page.mouse.move(icon["x"] + icon["width"] / 2, icon["y"] + icon["height"] / 2)
    page.mouse.down()
    target = map_point(page, B_SITE["lat"], B_SITE["lon"] - 800 / M_PER_DEG_LON)
    page.mouse.move(*target, steps=8)
    page.mouse.up()
    page.wait_for_function(
        f"() => Number(document.body.dataset.whatifComputed) > {before}"
        " && !document.body.dataset.whatifBusy"
    )
    moved = api_what_if(page, live_server, run, page_sites(page))
    assert_matches(page_figures(page), moved, 2)
    assert gainers(moved) == {"A"}
    # remove one site from the list: the other alone remains
    before = computed(page)
    page.click("#whatif-sites li:first-child button")
    page.wait_for_function(
        f"() => Number(document.body.dataset.whatifComputed) > {before}"
        " && !document.body.dataset.whatifBusy"
    )
    assert_matches(page_figures(page), alone, 1)
    # the map's category filter reloads the run's data: the outline stays
    page.select_option("#lifecircle-category", "kindergarten")
    page.wait_for_function(
        "() => document.body.dataset.lifecircleCategory === 'kindergarten'"
    )
    assert page.locator("path.whatif-gain").count() == len(gainers(alone)) == 1
    # delete the saved scenario
    page.click("#whatif-saved .whatif-delete")
    page.wait_for_function("() => document.body.dataset.whatifSaved === '0'")
    assert page.errors == []
