"""One community from the application to the post-evaluation, through the planner pages,
in Debian's chromium (四(二), 四(三); issue 16).

A district planner of 海曙区 starts from the planner workspace, creates the project,
records the owners' will vote, adds the works (the community has a D-grade building,
so its plan needs 危房解危, 二(二)1), makes the preliminary plan, records a vote on every
matter the plan puts to the owners (the lift: 改建, 3/4; a 70 % vote is shown as not
passed, 民法典第278条), goes through the street and district reviews, scores the
reserve pool (two more projects are there), lists and fixes the annual plan before
31 October of the year before (四(二)4), and takes the project through construction,
acceptance (the D-grade building made safe), handover and warranty to the
post-evaluation. Screenshots of the project page (at the plan vote), the reserve pool
and the finished project go to ``artifacts/`` (copied to docs/screenshots/).
"""

import pytest

from accounts.models import Role
from programme import services
from programme.boards import default_plan_year
from programme.models import Project
from tests import factories
from tests.programme.builders import community_in, to_reserve_pool

from .conftest import ARTIFACTS, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = default_plan_year()  # the first plan that can still be fixed on time


@pytest.fixture
def district(db, reference_data):
    haishu = factories.district(code="330203", name="海曙区")
    factories.user("hs-planner", Role.DISTRICT_PLANNER, district=haishu)
    admin = factories.user("city-admin", Role.CITY_ADMIN)
    for name, kw in (
        ("孝闻街小区", {"completion_year": 1968, "dangerous_c": 2}),
        ("柳汀新村", {"completion_year": 1985}),
    ):
        c = community_in(haishu, name=name, **kw)
        p = services.project_create(
            user=admin, name=f"{name}改造", year=YEAR, community=c
        )
        to_reserve_pool(admin, p, item="stairwell", quantity=6)
    target = community_in(
        haishu, name="月湖西区", completion_year=1982, dangerous_d=1, households=420
    )
    return {"district": haishu, "community": target}


def submit(page, selector):
    """Click a form's submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


def messages(page):
    return page.inner_text("#messages") if page.locator("#messages").count() else ""


def advance(page, **fields):
    """Fill the next step's form on the project page and submit it."""
    form = "#advance-form"
    for name, value in fields.items():
        if isinstance(value, bool):
            page.check(f"{form} [name={name}]")
        elif isinstance(value, list):
            for v in value:
                page.check(f"{form} [name={name}][value={v}]")
        else:
            page.fill(f"{form} [name={name}]", str(value))
    submit(page, "#btn-advance")
    assert "已进入阶段" in messages(page), messages(page)


def vote(page, matter, consent_pct):
    form = f"form.vote-form[data-matter={matter}]"
    consent = round(250 * consent_pct / 100)
    for name, value in {
        "total_owners": 300,
        "total_area_m2": 30000,
        "participants_owners": 250,
        "participants_area_m2": 25000,
        "consent_owners": consent,
        "consent_area_m2": consent * 100,
    }.items():
        page.fill(f"{form} [name={name}]", str(value))
    submit(page, f"{form} button[type=submit]")


def test_community_from_application_to_post_evaluation(live_server, new_page, district):
    code = district["community"].code
    page = new_page(1400, 1000)
    login(page, live_server, "hs-planner", "pw-123456")
    # from the planner workspace to the programme
    submit(page, "#link-programme")
    page.fill("#project-create [name=name]", "月湖西区综合改造")
    page.fill("#project-create [name=community]", code)
    page.fill("#project-create [name=year]", str(YEAR))
    submit(page, "#project-create button[type=submit]")
    page.wait_for_selector("#project-page[data-stage=will_vote]")
    assert page.inner_text("#project-name") == "月湖西区综合改造"
    # 四(二)1: the will vote (民法典第278条第一款第九项, ordinary majority) and the works
    assert "民法典第278条第一款第九项" in page.inner_text("#vote-matters")
    vote(page, "other_major", 96)
    for works, qty in (("road", 800), ("lift", 2), ("dangerous_building", 300)):
        page.select_option("#item-form [name=works_item]", works)
        page.fill("#item-form [name=quantity]", str(qty))
        submit(page, "#item-form button[type=submit]")
    advance(page)  # application
    advance(page, written_application="月湖街道收文〔2027〕12号")
    page.fill(
        "#plan-form [name=plan_design]", "月湖西区改造设计（道路、加装电梯、危房加固）"
    )
    page.fill("#plan-form [name=funding_plan]", "区财政、业主出资、市级补助")
    page.fill("#plan-form [name=long_term_management]", "引入专业化物业管理")
    submit(page, "#plan-form button[type=submit]")
    advance(page)  # plan_vote: the plan is complete, with its 危房 item (二(二)1)
    # 四(二)3: one vote per matter; the lift is 改建 (item 7): 70 % is not enough
    page.wait_for_selector("#vote-matters tr[data-matter=rebuild]")
    assert "3/4以上" in page.inner_text("#vote-matters tr[data-matter=rebuild]")
    vote(page, "other_major", 90)
    vote(page, "rebuild", 70)
    assert page.locator("tr[data-matter=rebuild] .vote-failed").count() == 1
    refusals = page.inner_text("li.next .next-refusals")
    assert "rebuild" in refusals
    page.screenshot(path=str(ARTIFACTS / "programme_project.png"), full_page=True)
    vote(page, "rebuild", 80)
    assert page.locator("tr[data-matter=rebuild] .vote-passed").count() == 1
    advance(page)  # street_review
    advance(page, implementation_plan="月湖街道初步实施方案")
    advance(page)  # reserve_pool, 生成一批

    # 四(二)4: the district's reserve pool, scored and ranked with every criterion
    submit(page, "a[href*='/reserve/']")
    submit(page, "#btn-score")
    page.wait_for_selector("#ranking tbody tr[data-project]")
    assert page.locator("#ranking tbody tr[data-project]").count() == 3
    assert "房龄" in page.inner_text("#ranking thead")
    page.screenshot(path=str(ARTIFACTS / "programme_reserve_pool.png"), full_page=True)

    # the annual plan of YEAR, fixed before 31 October of YEAR - 1
    submit(page, "a[href*='/plan/']")
    project = Project.objects.get(name="月湖西区综合改造")
    page.select_option("#plan-add [name=project]", str(project.pk))
    submit(page, "#btn-plan-add")
    submit(page, "#btn-plan-fix")
    assert page.get_attribute("#plan-page", "data-locked") == "1"
    submit(page, f"#plan-entries a[href*='/projects/{project.pk}/']")

    # 四(三): construction to post-evaluation
    advance(page)  # annual_plan
    advance(page, permit="海住建报〔2028〕5号")
    page.wait_for_selector("li.next[data-stage=completion_acceptance]")
    assert "D级危房 1 栋" in page.inner_text("#advance-form")
    advance(
        page,
        acceptance_passed=True,
        parties=["design", "construction", "supervision", "owners"],
        cleared_d=1,
    )
    advance(page, handed_over_to="月湖西区业主委员会")
    advance(page, warranty_end=f"{YEAR + 2}-12-31")
    advance(page, evaluation="改造后居民满意度 92%，后评估报告存档")
    page.wait_for_selector("#project-page[data-stage=post_evaluation]")
    assert page.locator("#timeline > li.done").count() == 12
    page.screenshot(path=str(ARTIFACTS / "programme_project_done.png"), full_page=True)

    community = district["community"]
    community.refresh_from_db()
    assert (community.stage, community.dangerous_d) == ("post_evaluated", 0)
    assert project.transitions.count() == 13
    assert page.errors == []
