"""Property management and owners' committees (五(一), 五(二)) in Debian's chromium.

A district planner of 海曙区 goes from the planner workspace to the programme, opens
the district's governance lists: the renovated 白云新村 has no professional
management and no owners' committee, the renovated 南苑小区 has both, 孔浦宿舍 is not
renovated yet. The CSV of the first list downloads with 白云新村 only. From the list
the planner opens 白云新村's card, records the professional company brought in with
the renovation, its level and fee, and the owners' committee; back on the district
page 白云新村 has left both lists. Screenshots: docs/screenshots/governance*.png.
"""

import pytest

from accounts.models import Role
from tests import factories
from tests.programme.builders import community_in

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def district(db, reference_data):
    haishu = factories.district(code="330203", name="海曙区")
    factories.user("hs-planner", Role.DISTRICT_PLANNER, district=haishu)
    white = community_in(
        haishu, name="白云新村", stage="handed_over", completion_year=1986
    )
    community_in(
        haishu,
        name="南苑小区",
        stage="post_evaluated",
        property_management="professional",
        property_company="宁波月湖物业服务有限公司",
        service_level="4",
        property_fee="0.40",  # 四级 is 0.50–0.90: below its range
        owners_committee=True,
    )
    community_in(haishu, name="孔浦宿舍", stage="under_construction")
    return {"district": haishu, "white": white}


def submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_district_planner_brings_in_professional_management(
    live_server, new_page, district
):
    page = new_page(1400, 1000)
    login(page, live_server, "hs-planner", "pw-123456")
    submit(page, "#link-programme")
    links = page.locator("a.governance-link")
    assert links.count() == 1  # the planner's own district only
    submit(page, "a.governance-link")
    page.wait_for_selector("#governance-page")
    bring_in = page.inner_text("#bring-in")
    assert "白云新村" in bring_in and "南苑小区" not in bring_in
    assert "孔浦宿舍" not in bring_in  # not renovated yet
    assert "白云新村" in page.inner_text("#no-committee")
    fees = page.inner_text("#fee-flagged")
    assert "南苑小区" in fees and "低于四级服务收费区间" in fees
    assert "已完成改造 2 个" in page.inner_text("#governance-summary").replace(
        "\n", ""
    ).replace("  ", " ")
    with page.expect_download() as info:
        page.click("#csv-bring-in")
    body = info.value.path().read_bytes().decode("utf-8-sig")
    assert "白云新村" in body and "南苑小区" not in body
    screenshot(page, "governance_district.png")

    submit(page, f"#bring-in tr[data-code='{district['white'].code}'] a")
    page.wait_for_selector("#governance-form")
    assert "引入专业化物业管理" in page.inner_text("#governance-reasons")
    page.check("#governance-form [name=owners_committee]")
    page.fill("#governance-form [name=owners_committee_formed_on]", "2024-03-15")
    page.select_option("#governance-form [name=property_management]", "professional")
    page.fill("#governance-form [name=property_since]", "2025-01-01")
    page.fill("#governance-form [name=property_company]", "宁波三江物业服务有限公司")
    page.select_option("#governance-form [name=service_level]", "4")
    page.fill("#governance-form [name=property_fee]", "0.60")
    submit(page, "#btn-governance")
    assert "已保存" in page.inner_text("#messages")
    table = page.inner_text("#governance")
    assert "宁波三江物业服务有限公司" in table and "四级" in table
    assert "在四级服务收费区间" in page.inner_text("#governance-reasons")
    screenshot(page, "governance_card.png")

    submit(page, "#district-governance-link")
    assert "白云新村" not in page.inner_text("#bring-in")
    assert "白云新村" not in page.inner_text("#no-committee")
    assert page.errors == []
