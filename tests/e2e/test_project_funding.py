"""The project page's utilities and funding sources, and the public funding mix, in
Debian's chromium (issue 19 parts 2 and 6: 四(四)4, 三(二), 三, 六(二)).

A district planner of 海曙区 records three utilities by their share of the pipeline
costs (the amounts follow), then the money by source; the page says the sources add up
to the total investment and the city subsidy matches the funding split. A city
subsidy typed wrong turns the banner into an error naming 三(一). An anonymous visitor
then reads the mix on the public statistics page: one row for 海曙区 in the plan year,
no project, no note. Screenshots: docs/screenshots/project_funding*.png and
public_funding_mix*.png (from ``artifacts/``).
"""

import pytest

from accounts.models import Role
from accounts.permissions import SYSTEM
from programme import services
from programme.models import Project
from public import publishing
from tests import factories
from tests.programme.builders import community_in

from .conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SOURCES = (
    ("central_special", "50000"),
    ("special_bonds", "30000"),
    ("district_special", "91000"),
    ("city_subsidy", "114000"),
    ("utilities", "150000"),
    ("owners_direct", "10000"),
    ("provident_fund", "3000"),
    ("maintenance_fund", "2000"),
)


@pytest.fixture
def project(db, reference_data):
    haishu = factories.district(code="330203", name="海曙区")
    factories.user("hs-planner", Role.DISTRICT_PLANNER, district=haishu)
    admin = factories.user("city-admin", Role.CITY_ADMIN)
    c = community_in(haishu, name="月湖西区", completion_year=1982, households=420)
    p = services.project_create(
        user=admin, name="月湖西区综合改造", year=2022, community=c
    )
    for code, qty, budget in (
        ("road", 1, 100000),
        ("pipelines", 500, None),
        ("stairwell", 2, None),
    ):
        services.project_item_add(
            user=admin, project=p, works_item=code, quantity=qty, budget=budget
        )
    Project.objects.filter(pk=p.pk).update(stage="annual_plan")
    publishing.publish(SYSTEM)
    return p


def submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_utilities_and_sources_on_the_project_page_and_the_public_mix(
    live_server, new_page, project
):
    page = new_page(1400, 1000)
    login(page, live_server, "hs-planner", "pw-123456")
    page.goto(f"{live_server.url}/programme/projects/{project.pk}/manage/")
    page.wait_for_selector("#utilities-section")
    assert "300000.00" in page.inner_text("#utilities-section")  # the pipeline cost
    for utility, pct in (("power", "30"), ("telecom", "10"), ("cable_tv", "10")):
        page.select_option("#utility-form [name=utility]", utility)
        page.fill("#utility-form [name=cost_share_pct]", pct)
        submit(page, "#btn-utility")
        assert "管线单位分担已保存" in page.inner_text("#messages")
    assert "90000.00" in page.inner_text("#utilities tr[data-utility=power]")
    assert "30000.00" in page.inner_text("#utilities tr[data-utility=cable_tv]")
    for source, amount in SOURCES:
        page.select_option("#source-form [name=source]", source)
        page.fill("#source-form [name=amount]", amount)
        page.fill("#source-form [name=year]", "2022")
        submit(page, "#btn-source")
    status = page.locator("#sources-status")
    assert status.get_attribute("data-status") == "ok", status.inner_text()
    assert page.locator("#reconciliation tr[data-severity=ok]").count() >= 7
    page.locator("#utilities-section").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "project_funding.png"), full_page=True)

    # the city subsidy typed wrong: an error naming 三(一), the district's share off too
    page.select_option("#source-form [name=source]", "city_subsidy")
    page.fill("#source-form [name=amount]", "100000")
    submit(page, "#btn-source")
    assert status.get_attribute("data-status") == "error"
    text = status.inner_text()
    assert "资金来源与资金分担不一致" in text and "三(一)" in text
    assert (
        page.locator("#reconciliation tr[data-check=city_subsidy]").get_attribute(
            "data-severity"
        )
        == "error"
    )
    page.locator("#sources-section").screenshot(
        path=str(ARTIFACTS / "project_funding_error.png")
    )
    # put it right again for the public view
    page.select_option("#source-form [name=source]", "city_subsidy")
    page.fill("#source-form [name=amount]", "114000")
    submit(page, "#btn-source")
    assert status.get_attribute("data-status") == "ok"

    # the anonymous visitor: the mix per district and year, no project, no note
    public = new_page(1400, 1000)
    public.goto(f"{live_server.url}/public/stats/")
    public.wait_for_selector("#funding-mix-table")
    table = public.inner_text("#funding-mix-table")
    assert "海曙区 2022" in table and "450000.00" in table
    assert "月湖西区" not in public.content()
    row = public.locator("#funding-mix-table tbody tr").first
    assert "114000.00" in row.inner_text()
    assert public.locator("#funding-mix-chart svg rect").count() >= 4
    public.locator("#funding-mix").screenshot(
        path=str(ARTIFACTS / "public_funding_mix.png")
    )
    phone = new_page(390, 844)
    phone.goto(f"{live_server.url}/public/stats/")
    phone.locator("#funding-mix").scroll_into_view_if_needed()
    phone.locator("#funding-mix").screenshot(
        path=str(ARTIFACTS / "public_funding_mix_mobile.png")
    )
