"""Hostile names shown as text under the Content-Security-Policy (SECURITY.md F3, F4).

Every name the maps and cards show is script in disguise: a community is called
``<img src=x onerror="window.__pwned=1">``, its district, street, idle plots, vacant
housing, amenity, amenity category, project and public notes likewise (``</script>`` too).
The planner runs the life circle, the bundling and the siting from its forms, then every
popup and tooltip on the map is opened, the search, tables, editor and layer control read;
then the home map, the public map (tooltips, search, card), the statistics, the programme
cards and the admin. On every page: ``window.__pwned`` stays undefined, no element was made
from a name (no request for the payload's ``x`` image), the literal text is on the page,
and the console shows no CSP violation (a ``securitypolicyviolation`` listener from an
init script, and chromium's own "Content Security Policy" messages).
"""

from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model

from accounts.permissions import SYSTEM
from layers.crs import transformed
from layers.models import AmenityCategory, District, IdleLand, Street, VacantHousing
from programme.models import Project
from public import publishing
from tests.siting import city

from .conftest import login, open_feature, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def payload(where: str) -> str:
    return f"<img src=x onerror=\"window.__pwned='{where}'\">{where}"


COMMUNITY = '<img src=x onerror="window.__pwned=1">'
DISTRICT = "</script>" + payload("district")
STREET = payload("street")
PLOT = payload("plot")
OWNER = payload("owner")
HOUSE = payload("house")
AMENITY = "<svg onload=\"window.__pwned='amenity'\">amenity</svg>"
CATEGORY = "<b onmouseover=\"window.__pwned='category'\">养老</b>"
PROJECT = payload("project")
NOTES = "</script><script>window.__pwned='notes'</script>"
PASSWORD = "pw-123456"

# Reported to the console, where the listener below collects it across navigations.
WATCH = """
document.addEventListener("securitypolicyviolation", (e) =>
  console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
window.addEventListener("map:init", (e) => { window.__map = e.detail.map; });
"""

# Open every popup and tooltip of the layers on the map; return what each shows.
SWEEP = """() => {
  const map = window.__map;
  const out = [];
  const layers = [];
  map.eachLayer((l) => layers.push(l));
  // read the overlay's own element: closed ones fade out for a while, still in the page
  const read = (kind, node) => {
    out.push({ kind, text: node ? node.textContent : null,
               elements: node ? node.querySelectorAll("img, svg, script, b").length : 0 });
  };
  // tooltips first: closing a siting candidate's popup clears its served communities
  for (const l of layers) {
    if (map.hasLayer(l) && l.getTooltip && l.getTooltip()) {
      l.openTooltip();
      read("tooltip", l.getTooltip().getElement());
      l.closeTooltip();
    }
  }
  for (const l of layers) {
    if (map.hasLayer(l) && l.getPopup && l.getPopup()) {
      l.openPopup();
      read("popup", l.getPopup().getElement()?.querySelector(".leaflet-popup-content"));
      l.closePopup();
    }
  }
  return out;
}"""


@pytest.fixture
def hostile_city(db, reference_data):
    rows = city.build()
    District.objects.filter(pk=rows["district"].pk).update(name=DISTRICT)
    Street.objects.filter(pk=rows["street"].pk).update(name=STREET)
    for code in ("A", "B", "C", "D", "F"):
        c = rows[code]
        c.name = COMMUNITY if code == "A" else f"{COMMUNITY}{code}"
        c.public_notes = NOTES
        c.save()
    IdleLand.objects.update(name=PLOT, owner=OWNER)
    VacantHousing.objects.update(name=HOUSE)
    rows["E"].name = AMENITY
    rows["E"].save()
    AmenityCategory.objects.filter(code=city.CATEGORY).update(name=CATEGORY)
    rows["project"] = Project.objects.create(
        name=PROJECT, community=rows["A"], district=rows["district"], year=2021
    )
    get_user_model().objects.create_superuser("root", "r@example.org", PASSWORD)
    publishing.publish(SYSTEM)  # the public map shows what was published
    return rows


@pytest.fixture
def watched(new_page):
    """A page that records CSP violations and elements made from the payloads."""

    def make(**kw):
        page = new_page(**kw)
        page.csp = []
        page.injected = []
        page.add_init_script(WATCH)

        def on_console(message):
            text = message.text
            if "Content Security Policy" in text or text.startswith("CSP violation"):
                page.csp.append(text)

        def on_request(request):
            if urlparse(request.url).path.endswith("/x"):  # the payloads' <img src=x>
                page.injected.append(request.url)

        page.on("console", on_console)
        page.on("request", on_request)
        return page

    return make


def assert_clean(page):
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => window.__pwned") is None, page.url
    assert page.injected == [], page.injected
    assert page.csp == [], page.csp
    assert page.errors == [], page.errors


def show_overlay(page, label):
    """Switch an overlay on in the layer control, as a user does (hover opens it)."""
    page.hover(".leaflet-control-layers")
    page.locator(".leaflet-control-layers-overlays label", has_text=label).locator(
        "input"
    ).check()


def sweep(page):
    shown = page.evaluate(SWEEP)
    assert shown, "no popup or tooltip on the map"
    for item in shown:
        assert item["text"] is not None, item
        assert item["elements"] == 0, item  # no element was made from the text
    return {
        k: [i["text"] for i in shown if i["kind"] == k] for k in ("popup", "tooltip")
    }


def popup_of(page, row):
    """Click a feature drawn from the vector tiles (at its point on surface); the popup's
    text, checked to hold no element made from it."""
    lon, lat = transformed(row.geom.point_on_surface, 4326).coords
    picked = pick(page, lat, lon)
    assert picked.endswith(f":{row.code}"), (picked, row.code)
    page.wait_for_selector(".leaflet-popup-content")
    content = page.locator(".leaflet-popup-content").last
    assert content.locator("img, svg, script, b").count() == 0
    return content.text_content()


def record_of(page, row):
    """Click a community on the planner map: its record card's text (both tabs), checked
    to hold no element made from it."""
    lon, lat = transformed(row.geom.point_on_surface, 4326).coords
    picked = pick(page, lat, lon)
    assert picked.endswith(f":{row.code}"), (picked, row.code)
    card = page.locator(f"#record:not([hidden])[data-code='{row.code}']")
    card.wait_for()
    page.click("#record-tab-analysis")
    assert card.locator("img, svg, script, b").count() == 0
    return card.text_content()


def shown_in(texts, *parts):
    """Some popup or tooltip shows all of ``parts``."""
    return any(all(p in t for p in parts) for t in texts)


def test_planner_and_home_show_hostile_names_as_text(
    live_server, watched, hostile_city
):
    page = watched()
    login(page, live_server, "root", PASSWORD)
    # a community drawn from the vector tiles, clicked: its record card
    picked = [record_of(page, hostile_city["A"])]

    # the analyses, from the page's forms (the tables are filled from their results)
    page.click("#btn-lifecircle")
    page.wait_for_function("() => document.body.dataset.lifecircleDone", timeout=60_000)
    page.select_option("#bundling-form [name=selected]", "all")
    page.fill("#bundling-form [name=gap_m]", "300")
    page.fill("#bundling-form [name=min_households]", "0")
    page.click("#bundling-form button[type=submit]")
    page.wait_for_function("() => document.body.dataset.bundlingDone", timeout=60_000)
    page.fill("#siting-form [name=k]", "3")
    page.click("#siting-form button[type=submit]")
    page.wait_for_function("() => document.body.dataset.sitingDone", timeout=60_000)
    assert int(page.evaluate("() => document.body.dataset.sitingCandidates")) > 0

    for table, text in (("#results", COMMUNITY), ("#blocks-table", STREET)):
        page.wait_for_selector(f"{table} tbody tr")
        assert text in page.inner_text(table), table
        assert page.locator(f"{table} img, {table} svg").count() == 0
    assert DISTRICT in page.inner_text("#results")
    assert PLOT in page.inner_text("#siting-table")

    # what-if with the hostile category: its marker's popup names the category
    page.click("#btn-whatif")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => document.body.dataset.whatifDone !== undefined")

    # the life circle of a community (the choropleth is tiles): its table row opens its
    # popup on the map
    page.locator("#results tbody tr", has_text=COMMUNITY).first.click()
    page.wait_for_function("() => document.body.dataset.communityFocused")
    content = page.locator(".leaflet-popup-content").last
    assert content.locator("img, svg, script, b").count() == 0
    lifecircle_popup = content.text_content()

    # the results on the map, then a candidate clicked: the communities it would serve
    # get tooltips
    show_overlay(page, "生活圈覆盖得分")
    show_overlay(page, "闲置用地选址")
    page.evaluate(
        """() => { let m = null;
                   window.__map.eachLayer((l) => { if (!m && l instanceof L.Marker && l.options.title) m = l; });
                   m.fire("click"); }"""
    )
    page.wait_for_function("() => Number(document.body.dataset.sitingServed) > 0")

    shown = sweep(page)
    popups, tooltips = shown["popup"], shown["tooltip"]
    assert shown_in(picked, COMMUNITY, DISTRICT, STREET, "房屋类型")  # community
    assert shown_in([lifecircle_popup], COMMUNITY, DISTRICT, STREET, "覆盖得分")
    assert shown_in(popups, f"{STREET}片区", "成员小区")  # renovation block
    assert shown_in(popups, PLOT, OWNER, CATEGORY, COMMUNITY, "新增覆盖居民")  # siting
    assert shown_in(popups, f"假设设施：{CATEGORY}")  # what-if
    assert shown_in(tooltips, COMMUNITY, "步行")  # served communities of the candidate
    controls = page.locator(".leaflet-control-layers")
    assert CATEGORY in controls.text_content()  # the siting overlay's label
    assert controls.locator("b, img, svg").count() == 0

    page.fill("#search", "onerror")
    page.wait_for_selector("#search-results button")
    assert COMMUNITY in page.inner_text("#search-results")
    assert DISTRICT in page.inner_text("#search-results")

    code = hostile_city["L2"].code
    open_feature(page, "idle_land", code)
    assert PLOT in page.inner_text("#editor-title")
    assert page.input_value("#feature-form [name=owner]") == OWNER
    assert DISTRICT in page.inner_text("#lifecircle-form select[name=district]")
    assert CATEGORY in page.inner_text("#siting-category")
    assert_clean(page)

    # the home map: the same layers plus the amenities, read-only
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("body[data-map-ready='1']", timeout=60_000)
    show_overlay(page, "配套设施")
    popups = sweep(page)["popup"]  # the district and street boundaries
    # the layers drawn from the vector tiles, clicked one by one
    popups += [popup_of(page, hostile_city[k]) for k in ("A", "L2", "E", "V1")]
    for text in (COMMUNITY, DISTRICT, STREET, PLOT, AMENITY, HOUSE):
        assert shown_in(popups, text), text
    assert CATEGORY in page.locator(".leaflet-control-layers").text_content()
    assert_clean(page)


def test_public_map_statistics_and_cards_show_hostile_names_as_text(
    live_server, watched, hostile_city
):
    page = watched()
    page.goto(f"{live_server.url}/public/")
    page.wait_for_selector("body[data-map-ready='1']", timeout=60_000)
    # a community drawn from the public tiles, clicked: its card names it as text
    a = hostile_city["A"]
    lon, lat = transformed(a.geom.point_on_surface, 4326).coords
    assert pick(page, lat, lon) == a.code
    page.wait_for_selector("#card .card-name")
    assert page.inner_text("#card .card-name").startswith(COMMUNITY)
    assert page.locator("#card img, #card svg, #card script").count() == 0
    assert DISTRICT in page.inner_text("#district")

    page.fill("#search", "onerror")
    page.wait_for_selector("button.search-hit")
    assert COMMUNITY in page.inner_text("#search-results")
    page.locator("button.search-hit").first.click()
    page.wait_for_selector("#card .card-name")
    card = page.inner_text("#card")
    assert page.inner_text("#card .card-name").startswith(COMMUNITY)
    for text in (DISTRICT, STREET, NOTES):
        assert text in card, text
    assert page.locator("#card img, #card svg, #card script").count() == 0
    assert_clean(page)

    page.goto(f"{live_server.url}/public/stats/")
    assert DISTRICT in page.inner_text("table.stats-table")
    assert DISTRICT in page.locator("svg.chart").first.text_content()
    assert_clean(page)

    # the programme cards (for signed-in users; the project is a draft)
    login(page, live_server, "root", PASSWORD)
    a = hostile_city["A"]
    page.goto(f"{live_server.url}/programme/communities/{a.code}/")
    assert page.inner_text("h1") == COMMUNITY
    assert DISTRICT in page.inner_text("article")
    assert STREET in page.inner_text("article")
    assert_clean(page)
    page.goto(f"{live_server.url}/programme/projects/{hostile_city['project'].pk}/")
    assert page.inner_text("h1") == PROJECT
    assert COMMUNITY in page.inner_text("article")
    assert_clean(page)


def test_admin_map_widget_works_under_the_policy(live_server, watched, hostile_city):
    page = watched()
    login(page, live_server, "root", PASSWORD)
    admin = f"{live_server.url}/manage-7f3a/layers/community/"
    page.goto(admin)
    assert COMMUNITY in page.inner_text("#result_list")
    assert_clean(page)
    page.goto(f"{admin}{hostile_city['A'].pk}/change/")
    # django-leaflet's widget: its inline scripts run with the nonce and draw the shape
    page.wait_for_selector(".leaflet-container path.leaflet-interactive")
    assert page.input_value("#id_name") == COMMUNITY
    assert_clean(page)
    page.goto(f"{admin}{hostile_city['A'].pk}/history/")
    assert COMMUNITY in page.inner_text("#content")
    assert_clean(page)


def test_the_watch_sees_an_injection(live_server, watched, hostile_city):
    """The checks above can fail: a name parsed as HTML is seen three ways."""
    page = watched()
    page.goto(f"{live_server.url}/public/")
    page.wait_for_selector("body[data-map-ready='1']", timeout=60_000)
    escaped = page.evaluate(
        """async (text) => (await import("/static/maps/js/lib/dom.js")).escapeHtml(text)""",
        COMMUNITY,
    )
    assert escaped == "&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;"
    with page.expect_console_message(lambda m: "script-src" in m.text):
        page.evaluate(
            "text => { document.getElementById('card').innerHTML = text; }", COMMUNITY
        )
    page.wait_for_load_state("networkidle")
    assert page.injected, "the payload's image was not requested"
    assert any("script-src" in m for m in page.csp), page.csp  # onerror refused
    assert page.evaluate("() => window.__pwned") is None  # … by the policy
