"""A planner's day on the seed-42 demo city, in a real browser and in both languages
(issue 21, items 3–5): blocks acted on from the table and the map, siting results shown
at once with the chosen sites apart, the life-circle table with missing facilities that
follows the category filter, folding sections, and the downloads in the user's language
through the one export path. Screenshots go to docs/screenshots/."""

from __future__ import annotations

import csv
import gettext as gettext_module
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from accounts.models import Role
from accounts.permissions import SYSTEM
from analysis.adjacency import community_adjacency
from blocks import selectors as block_selectors
from blocks.models import RenovationBlock
from layers.models import AmenityCategory, Community
from lifecircle.models import CoverageResult
from lifecircle.services import lifecircle_run
from runs.models import AnalysisRun
from siting.models import SitingCandidateResult
from tests import factories

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LANGS = ["zh-hans", "en"]


@pytest.fixture
def demo(reference_data):
    call_command("make_demo", seed=42, scale="small", no_progress=True)
    factories.user("planner", Role.CITY_ADMIN)


@pytest.fixture
def analysed(demo):
    return lifecircle_run(user=SYSTEM)


def open_planner(new_page, live_server, lang):
    page = new_page()
    page.context.add_cookies(
        [{"name": "django_language", "value": lang, "url": live_server.url}]
    )
    login(page, live_server, "planner", "pw-123456")
    return page


def shot(page, name, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if lang.startswith("zh") else "_en"
    page.screenshot(path=str(SHOTS / f"{name}{suffix}.png"))


def download(page, live_server, selector):
    href = page.get_attribute(selector, "href")
    resp = page.request.get(live_server.url + href)
    assert resp.status == 200, href
    return resp.body()


def t(lang, text):
    """``text`` in ``lang`` from the Django catalog (server-rendered strings, files)."""
    with translation.override(lang):
        return translation.gettext(text)


LOCALE = Path(__file__).resolve().parents[2] / "locale"


def tjs(lang, text):
    """``text`` in ``lang`` from the JavaScript catalog (strings of the ES modules)."""
    if lang.startswith("zh"):
        return text
    mo = LOCALE / lang / "LC_MESSAGES" / "djangojs.mo"
    with mo.open("rb") as f:
        return gettext_module.GNUTranslations(f).gettext(text)


def category_names(lang):
    """Facility names as the page shows them: the rule set's, in the user's language."""
    rows = AmenityCategory.objects.values_list("code", "name")
    return {code: t(lang, name) for code, name in rows}


def overlaps(a, b):
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def three_member_block(run):
    """A block of three, one of its members ``a`` adjacent to one other only (a leaf),
    and that neighbour ``b``, by the run's own adjacency rule."""
    for block in RenovationBlock.objects.filter(run=run, is_active=True):
        if len(block.member_codes) != 3:
            continue
        frame = block_selectors.community_frame(codes=block.member_codes)
        adj = community_adjacency(frame, gap_m=float(run.parameters["gap_m"]))
        m = adj.matrix.toarray()
        codes = list(frame.index)
        for i, a in enumerate(codes):
            near = [codes[j] for j in range(len(codes)) if j != i and m[i, j]]
            if len(near) == 1:
                return block, a, near[0]
    pytest.fail("no block of three with a leaf member in the demo run")


def wait_action(page, action, code=None):
    expected = f"{action}:{code}" if code else f"{action}:"
    page.wait_for_function(
        "(e) => (document.body.dataset.blockAction || '').startsWith(e)", arg=expected
    )
    value = page.evaluate("document.body.dataset.blockAction")
    page.evaluate("() => { delete document.body.dataset.blockAction; }")
    return value.split(":", 1)[1]


@pytest.mark.parametrize("lang", LANGS)
def test_blocks_from_the_table_and_the_map(live_server, new_page, analysed, lang):
    page = open_planner(new_page, live_server, lang)
    form = page.locator("#bundling-form")
    form.locator("[name=gap_m]").fill("60")
    form.locator("[name=use_barriers]").uncheck()
    form.locator("button[type=submit]").click()
    page.wait_for_function("() => document.body.dataset.bundlingDone", timeout=120_000)
    run = AnalysisRun.objects.filter(kind="bundling").latest("pk")
    active = RenovationBlock.objects.filter(run=run, is_active=True)
    assert page.locator("#blocks-table tbody tr").count() == active.count()

    block, a, b = three_member_block(run)
    # a table row zooms to its block, highlights it and opens its card
    zoom_before = page.get_attribute("#map", "data-zoom")
    page.click(f"#blocks-table tr[data-id='{block.code}']")
    page.wait_for_function(
        "(c) => document.body.dataset.blockFocused === c", arg=block.code
    )
    assert page.get_attribute("#map", "data-zoom") != zoom_before
    assert "selected" in page.get_attribute(
        f"#blocks-table tr[data-id='{block.code}']", "class"
    )
    card = page.locator(f".block-card[data-code='{block.code}']")
    text = card.inner_text()
    names = Community.objects.filter(code__in=block.member_codes).values_list(
        "name", flat=True
    )
    for name in names:
        assert name in text
    for code in block.member_codes:
        assert code not in text  # members by name, not CM… codes
    labels = category_names(lang)
    for gap in block.gaps_most:
        assert labels[gap] in text and gap not in text
    if block.cost_estimate_yuan:
        wan = f"{float(block.cost_estimate_yuan) / 10000:.2f}"
        assert wan in text and tjs(lang, "%(n)s 万元").replace("%(n)s", wan) in text
    # the card is clear of the legends
    page.wait_for_function("() => document.body.dataset.popupSettled === '1'")
    popup = page.locator(".leaflet-popup-content-wrapper").bounding_box()
    for legend in page.locator(".leaflet-control-container .legend").all():
        if legend.is_visible():
            assert not overlaps(popup, legend.bounding_box())
    shot(page, "planner_block_card", lang)

    # accept, lock, unlock from the card
    card.locator("[data-action=accept]").click()
    wait_action(page, "accept", block.code)
    block.refresh_from_db()
    assert block.status == "accepted"
    page.locator(f".block-card[data-code='{block.code}'] [data-action=lock]").click()
    wait_action(page, "lock", block.code)
    block.refresh_from_db()
    assert block.locked
    page.locator(f".block-card[data-code='{block.code}'] [data-action=unlock]").click()
    wait_action(page, "unlock", block.code)
    block.refresh_from_db()
    assert not block.locked

    # split the leaf off: a new block of one
    card = page.locator(f".block-card[data-code='{block.code}']")
    card.locator(f"input[name=split][value='{a}']").check()
    card.locator("[data-action=split]").click()
    new_code = wait_action(page, "split")
    split = RenovationBlock.objects.get(code=new_code)
    assert split.member_codes == [a] and split.is_active
    block.refresh_from_db()
    assert a not in block.member_codes and len(block.member_codes) == 2

    # move its neighbour into the new block (the card of the new block is open)
    card = page.locator(f".block-card[data-code='{new_code}']")
    card.locator("select[data-role=move-in]").select_option(b)
    card.locator("[data-action=move]").click()
    wait_action(page, "move", new_code)
    split.refresh_from_db()
    block.refresh_from_db()
    assert sorted(split.member_codes) == sorted([a, b])
    assert len(block.member_codes) == 1 and b not in block.member_codes

    # merge the two back together
    card = page.locator(f".block-card[data-code='{new_code}']")
    card.locator("select[data-role=merge-with]").select_option(block.code)
    card.locator("[data-action=merge]").click()
    merged_code = wait_action(page, "merge")
    merged = RenovationBlock.objects.get(code=merged_code)
    assert merged.is_active and len(merged.member_codes) == 3
    assert page.locator("#blocks-table tbody tr").count() == active.count()

    # a refused edit says why and changes nothing
    before = sorted(merged.member_codes)
    card = page.locator(f".block-card[data-code='{merged_code}']")
    card.locator("[data-action=split]").click()
    assert card.locator(".messages.error").inner_text() == tjs(
        lang, "请先勾选要拆出的小区。"
    )
    merged.refresh_from_db()
    assert sorted(merged.member_codes) == before

    # the blocks download in the user's language
    body = download(page, live_server, "#blocks-downloads a:text-is('XLSX')")
    wb = openpyxl.load_workbook(io.BytesIO(body))
    sheet = t(lang, "连片改造片区")
    assert wb.sheetnames == [sheet, t(lang, "列代码")]
    header = [c.value for c in wb[sheet][1]]
    assert t(lang, "成员小区") in header and t(lang, "共同缺失设施") in header
    body = download(page, live_server, "#blocks-downloads a:text-is('CSV')")
    assert body.startswith(b"\xef\xbb\xbf")
    shot(page, "planner_blocks_edited", lang)
    assert page.errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_siting_result_shown_at_once_chosen_apart(
    live_server, new_page, analysed, lang
):
    page = open_planner(new_page, live_server, lang)
    page.locator("#siting-form [name=consent_scope]").select_option("all")
    page.locator("#siting-form button[type=submit]").click()
    page.wait_for_function("() => document.body.dataset.sitingDone", timeout=120_000)
    run = AnalysisRun.objects.filter(kind="siting").latest("pk")
    rows = SitingCandidateResult.objects.filter(run=run)
    chosen = rows.filter(chosen_greedy=True) | rows.filter(chosen_exact=True)
    n_chosen = chosen.distinct().count()
    assert n_chosen > 0
    # the result is on the map at once: every candidate's marker, the chosen ones apart
    assert page.locator(".siting-rank").count() == rows.count()
    assert page.locator(".siting-rank.siting-chosen").count() == n_chosen
    big = page.locator(".siting-rank.siting-chosen").first.bounding_box()
    small = page.locator(".siting-rank:not(.siting-chosen)").first.bounding_box()
    assert big["width"] > small["width"] * 1.5
    # and listed
    assert page.locator("#siting-chosen li").count() == n_chosen
    first = chosen.order_by("rank").first()
    page.click(f"#siting-chosen button[data-site='{first.pk}']")
    page.wait_for_function(
        "(id) => document.body.dataset.sitingFocused === id", arg=str(first.pk)
    )
    assert page.locator(".leaflet-popup").count() == 1
    # a popup's values in words: candidate kind and the vacant house's owner kind
    house = rows.filter(candidate_kind="vacant_housing").order_by("rank").first()
    page.click(f"#siting-table tr[data-id='{house.pk}']")
    page.wait_for_function(
        "(id) => document.body.dataset.sitingFocused === id", arg=str(house.pk)
    )
    text = page.locator(".leaflet-popup-content").inner_text()
    assert tjs(lang, "闲置公房") in text
    from layers.models import VacantHousing

    with translation.override(lang):
        owner = str(dict(VacantHousing.OwnerKind.choices)[house.owner])
    assert owner in text  # 单位用房, not work_unit
    for raw in ("vacant_housing", house.owner, "not_required", "True", "False"):
        assert raw not in text, raw
    shot(page, "planner_siting", lang)
    body = download(page, live_server, "#siting-downloads a:text-is('CSV')")
    assert body.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header[0] == t(lang, "设施类别")
    assert page.errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_life_circle_table_missing_filter_zoom_and_folds(
    live_server, new_page, demo, lang
):
    page = open_planner(new_page, live_server, lang)
    page.click("#btn-lifecircle")
    page.wait_for_function(
        "() => document.body.dataset.lifecircleDone", timeout=180_000
    )
    run = AnalysisRun.objects.filter(kind="lifecircle").latest("pk")
    results = CoverageResult.objects.filter(run=run).select_related("community")
    assert page.locator("#results tbody tr").count() == results.count()
    labels = category_names(lang)
    headers = page.locator("#results thead th").all_inner_texts()
    assert tjs(lang, "缺失设施（按层级）") in headers
    # missing facilities per tier by name
    gap = next(r for r in results if any(r.missing.values()))
    tier, cats = next((k, v) for k, v in sorted(gap.missing.items()) if v)
    cell = page.locator(f"#results tr[data-id='{gap.community.code}'] td").last
    text = cell.inner_text()
    assert labels[cats[0]] in text and cats[0] not in text
    # the table follows the category filter: its distance and reach, the gaps first
    page.select_option("#lifecircle-category", "kindergarten")
    page.wait_for_function(
        "() => document.getElementById('results').dataset.category === 'kindergarten'"
    )
    headers = page.locator("#results thead th").all_inner_texts()
    assert any(labels["kindergarten"] in h for h in headers)
    code = page.get_attribute("#results tbody tr:first-child", "data-id")
    first = results.get(community__code=code)
    limit = run.summary["thresholds_m"]["kindergarten"]
    d = (first.distances_m or {}).get("kindergarten")
    assert d is None or d > limit  # a community without one comes first
    covered = page.locator("#results tbody tr:first-child td").nth(5).inner_text()
    assert covered == tjs(lang, "否")
    # a row zooms to and highlights its community, with its popup
    page.click(f"#results tr[data-id='{code}']")
    page.wait_for_function(
        "(c) => document.body.dataset.communityFocused === c", arg=code
    )
    assert int(page.get_attribute("#map", "data-zoom")) >= 15
    assert first.community.name in page.locator(".leaflet-popup-content").inner_text()
    page.locator("#results").evaluate("t => { t.parentElement.scrollLeft = 0; }")
    shot(page, "planner_lifecircle_table", lang)
    # the sections fold: the table no longer pushes blocks and siting down
    blocks_y = page.locator("#section-blocks").bounding_box()["y"]
    assert page.locator("#results").evaluate("t => t.parentElement.clientHeight") <= 300
    page.click("#section-lifecircle > summary")
    assert page.locator("#section-lifecircle").get_attribute("open") is None
    assert page.locator("#section-blocks").bounding_box()["y"] < blocks_y
    # downloads in the user's language: BOM, labels, names, 是/否, the legend sheet
    body = download(page, live_server, "#lifecircle-downloads a:text-is('CSV')")
    assert body.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    missing_col = t(lang, "%(t)s分钟生活圈缺失设施") % {"t": tier}
    row = next(r for r in table if r[t(lang, "小区编码")] == gap.community.code)
    assert labels[cats[0]] in row[missing_col]
    reach = t(lang, "%(name)s：步行可达") % {"name": labels["kindergarten"]}
    assert {r[reach] for r in table} <= {t(lang, "是"), t(lang, "否")}
    body = download(page, live_server, "#lifecircle-downloads a:text-is('XLSX')")
    wb = openpyxl.load_workbook(io.BytesIO(body))
    assert wb.sheetnames == [t(lang, "生活圈分析"), t(lang, "列代码")]
    legend = {
        r[0].value: r[1].value for r in wb[t(lang, "列代码")].iter_rows(min_row=2)
    }
    assert legend["kindergarten_within_reach"] == reach
    assert page.errors == []
