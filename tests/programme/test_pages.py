"""The programme from the planner page: every page renders from the records, every form
goes through its service, refusals come back with their clause, roles are enforced.

Cases: the URL table names every page; a project page shows the timeline, the next
step and why later ones are refused; votes per matter with the derived majority (a
lift plan at 70 % is not passed); works items and funding line by line; the reserve
pool's ranking with each criterion's points; the annual plan fixed and reopened with
a reason; the maintenance fund and public revenue; viewers read, do not write.
"""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role
from accounts.policy import access_for
from programme import services
from programme.models import AnnualPlan, Project, PublicRevenue, Vote
from tests import factories

from .builders import community_in, to_plan_vote, to_reserve_pool

pytestmark = pytest.mark.django_db

PAGE_NAMES = (
    "programme-home",
    "programme-project-page",
    "programme-scope-decision",
    "programme-reserve-pool",
    "programme-annual-plan",
    "programme-community-fund",
)


def _names(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{p.namespace}:" if p.namespace else ""
            yield from _names(p, prefix + ns)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name


def test_every_programme_url_is_in_the_access_policy():
    names = [n for n in _names(get_resolver()) if n.startswith("programme")]
    assert set(PAGE_NAMES) <= set(names)
    missing = [n for n in names if access_for(n) is None]
    assert missing == []


@pytest.fixture
def planner_client(client, haishu):
    client.force_login(factories.user("hs", Role.DISTRICT_PLANNER, district=haishu))
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


def _page(client, project):
    resp = client.get(reverse("programme-project-page", args=[project.pk]))
    assert resp.status_code == 200
    return resp.content.decode()


def _post(client, project, **data):
    return client.post(reverse("programme-project-page", args=[project.pk]), data)


def test_project_page_timeline_next_step_and_why_others_are_refused(
    planner_client, staff, haishu
):
    c = community_in(haishu, name="<b>月湖</b>")
    p = services.project_create(user=staff, name="月湖改造", year=2028, community=c)
    html = _page(planner_client, p)
    assert "&lt;b&gt;月湖&lt;/b&gt;" in html  # escaped
    assert 'data-stage="will_vote"' in html and 'class="current"' in html
    # the next step (application) says what is missing from the records
    assert "业主改造意愿表决须通过" in html and "须有居民选择的改造内容" in html
    # later steps say why: one stage at a time
    assert "阶段只能逐级推进，不得跳过" in html
    # the will vote's matter and its majority, derived (民法典第278条第一款第九项)
    assert "民法典第278条第一款第九项" in html and "过半数" in html


def test_project_walk_through_the_forms_to_the_reserve_pool(planner_client, haishu):
    client = planner_client
    resp = client.post(
        reverse("programme-home"),
        {"name": "白沙改造", "community": community_in(haishu).code, "year": "2028"},
    )
    p = Project.objects.get(name="白沙改造")
    assert resp.status_code == 302 and resp["Location"].endswith(f"/{p.pk}/manage/")
    vote = {
        "action": "vote",
        "total_owners": "300",
        "total_area_m2": "30000",
        "participants_owners": "250",
        "participants_area_m2": "25000",
        "consent_owners": "240",
        "consent_area_m2": "24000",
        "held_on": dt.date.today().isoformat(),
    }
    _post(client, p, kind="will", **vote)
    _post(client, p, action="item", works_item="road", quantity="200")
    _post(client, p, action="advance", to_stage="application")
    _post(
        client,
        p,
        action="advance",
        to_stage="preliminary_plan",
        written_application="街道收文 2027-015",
    )
    _post(
        client,
        p,
        action="plan",
        plan_design="设计",
        funding_plan="资金",
        long_term_management="物业",
    )
    _post(client, p, action="advance", to_stage="plan_vote")
    p.refresh_from_db()
    assert p.stage == "plan_vote"
    html = _page(client, p)
    assert 'data-matter="other_major"' in html
    _post(client, p, kind="plan", matter="other_major", **vote)
    _post(client, p, action="advance", to_stage="street_review")
    _post(
        client,
        p,
        action="advance",
        to_stage="district_review",
        implementation_plan="方案",
    )
    _post(client, p, action="advance", to_stage="reserve_pool", sub_status="generated")
    p.refresh_from_db()
    assert p.stage == "reserve_pool" and p.transitions.count() == 7
    html = _page(client, p)
    assert "生成一批" in html
    assert "road" in html and "三" in html  # funding line by line


def test_lift_plan_vote_at_70_percent_is_not_passed_on_the_page(
    planner_client, staff, haishu
):
    p = services.project_create(
        user=staff, name="加梯", year=2028, community=community_in(haishu)
    )
    p = to_plan_vote(staff, p, items=(("road", 10), ("lift", 1)))
    html = _page(planner_client, p)
    assert 'data-matter="rebuild"' in html
    assert "民法典第278条第一款第七项" in html and "3/4以上" in html
    made = services.plan_made_on(project=p).isoformat()
    counts = {
        "action": "vote",
        "kind": "plan",
        "matter": "rebuild",
        "total_owners": "300",
        "total_area_m2": "30000",
        "participants_owners": "250",
        "participants_area_m2": "25000",
        "consent_owners": "175",  # 70 %
        "consent_area_m2": "17500",
        "held_on": made,
    }
    _post(planner_client, p, **counts)
    vote = Vote.objects.get(matter="rebuild")
    assert vote.passed is False and vote.majority == "special"
    html = _page(planner_client, p)
    assert "vote-failed" in html
    # nobody chooses the majority: a "matter" the plan does not have is refused
    resp = _post(planner_client, p, **{**counts, "matter": "ordinary"})
    assert resp.status_code == 302
    assert Vote.objects.filter(kind="plan").count() == 1
    html = _page(planner_client, p)
    assert "不含&#x27;ordinary&#x27;" in html


def test_viewer_reads_pages_but_cannot_write(viewer_client, staff, haishu):
    p = services.project_create(
        user=staff, name="只读", year=2028, community=community_in(haishu)
    )
    html = _page(viewer_client, p)
    assert 'id="advance-form"' not in html
    resp = _post(viewer_client, p, action="item", works_item="road", quantity="1")
    assert resp.status_code == 403
    assert not p.items.exists()
    resp = viewer_client.get(
        reverse("programme-community-fund", args=[p.community.code])
    )
    assert resp.status_code == 403  # fund balances: editors only


def test_anonymous_is_sent_to_login(client, staff, haishu):
    p = services.project_create(
        user=staff, name="匿名", year=2028, community=community_in(haishu)
    )
    resp = client.get(reverse("programme-project-page", args=[p.pk]))
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_out_of_scope_community_refused_on_the_page_with_the_clause(
    planner_client, haishu
):
    villa = community_in(haishu, housing_type="villa")
    resp = planner_client.post(
        reverse("programme-home"),
        {"name": "别墅", "community": villa.code, "year": "2028"},
        follow=True,
    )
    html = resp.content.decode()
    assert "二(一)" in html and "不单独列入" in html
    assert not Project.objects.exists()


def test_reserve_pool_page_ranks_and_explains(planner_client, staff, haishu):
    old = to_reserve_pool(
        staff,
        services.project_create(
            user=staff,
            name="老小区",
            year=2028,
            community=community_in(haishu, completion_year=1975),
        ),
    )
    url = reverse("programme-reserve-pool", args=[haishu.code]) + "?year=2028"
    html = planner_client.get(url).content.decode()
    assert "尚未评分" in html and old.name in html
    resp = planner_client.post(url, {"year": "2028"})
    assert resp.status_code == 302
    html = planner_client.get(url).content.decode()
    assert f'data-project="{old.pk}"' in html
    for label in ("房龄", "危房（C/D级）", "居民意愿（同意率）", "连片改造"):
        assert label in html
    assert "≥40 → 20" in html  # the rule of the building-age criterion


def test_reserve_pool_scoring_needs_a_planner_of_the_district(
    client, staff, haishu, fenghua
):
    client.force_login(factories.user("fh", Role.DISTRICT_PLANNER, district=fenghua))
    url = reverse("programme-reserve-pool", args=[haishu.code])
    assert client.get(url).status_code == 200
    assert client.post(url, {"year": "2028"}).status_code == 403


def test_annual_plan_page_fix_and_reopen_with_a_reason(planner_client, staff, haishu):
    p = to_reserve_pool(
        staff,
        services.project_create(
            user=staff, name="计划项目", year=2028, community=community_in(haishu)
        ),
    )
    services.reserve_pool_score(user=staff, district=haishu, year=2028)
    url = reverse("programme-annual-plan", args=[haishu.code, 2028])
    html = planner_client.get(url).content.decode()
    assert "2027-10-31" in html  # the plan of 2028 is fixed by 31 October 2027
    planner_client.post(url, {"action": "add", "project": str(p.pk)})
    planner_client.post(url, {"action": "fix"})
    plan = AnnualPlan.objects.get(district=haishu, year=2028)
    assert plan.locked and plan.entries.get().fixed_at is not None
    resp = planner_client.post(url, {"action": "reopen", "why": ""}, follow=True)
    assert "理由" in resp.content.decode()
    planner_client.post(url, {"action": "reopen", "why": "区政府增补一个项目"})
    plan.refresh_from_db()
    assert plan.reopened and plan.reopened_why == "区政府增补一个项目"
    html = planner_client.get(url).content.decode()
    assert "区政府增补一个项目" in html


def test_fund_page_records_publishes_and_moves_revenue(planner_client, haishu):
    c = community_in(haishu, fund_balance_yuan=10000, fund_standard_yuan=100000)
    url = reverse("programme-community-fund", args=[c.code]) + "?year=2027"
    html = planner_client.get(url).content.decode()
    assert "不足30%" in html and "五(三)" in html
    planner_client.post(
        url, {"action": "record", "kind": "parking", "amount": "5000", "year": "2027"}
    )
    planner_client.post(url, {"action": "move", "year": "2027"})
    c.refresh_from_db()
    assert c.fund_balance_yuan == 15000
    assert PublicRevenue.objects.get().moved_to_fund is True
