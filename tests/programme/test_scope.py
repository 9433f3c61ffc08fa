"""二(一) on real PostGIS: the one eligibility rule gates projects, the reserve pool and
the annual plan; exceptions are recorded by a city administrator with a reason.

Cases: priority; a villa-only community, one in an expropriation plan, one on
collective land and one that cannot be repaired are refused with the clause unless a
city exception is recorded (shown in the project's history and on the card);
安置房/保障房 wait for the district's recorded decision; a post-2000 community waits for
its will vote; a pure villa community joins a 片区 with others; a project that left
the scope is neither ranked nor planned.
"""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Role
from programme import scope, services
from programme.models import Project, ReserveEntry, ScopeDecision
from tests import factories

from .builders import block_of, community_in, many_gaps, passed_vote, to_reserve_pool

pytestmark = pytest.mark.django_db


def _create(user, community, **kw):
    args = {"name": f"{community.name}改造", "year": 2022, "community": community}
    args.update(kw)
    return services.project_create(user=user, **args)


def test_clause_2_1_priority_for_pre_2000_state_land(haishu):
    c = community_in(haishu, completion_year=1992)
    decision = scope.community_eligibility(community=c)
    assert decision.status == "priority" and decision.eligible
    assert all(r.clause == "二(一)" for r in decision.reasons)


@pytest.mark.parametrize(
    ("attrs", "words"),
    [
        ({"housing_type": "villa"}, "纯别墅小区不单独列入"),
        ({"in_expropriation_plan": True}, "征收计划"),
        ({"land_tenure": "collective"}, "集体土地"),
        ({"repairable": False}, "不可维修加固"),
    ],
    ids=["villa-only", "expropriation-plan", "collective-land", "not-repairable"],
)
def test_clause_2_1_out_of_scope_community_cannot_become_a_project(
    haishu, staff, attrs, words
):
    """The old project_create never looked at the scope: these all became projects."""
    c = community_in(haishu, **attrs)
    with pytest.raises(ValidationError) as info:
        _create(staff, c)
    message = " ".join(info.value.messages)
    assert "二(一)" in message and words in message
    assert Project.objects.count() == 0


def test_clause_2_1_city_exception_admits_the_project_and_is_shown(
    haishu, staff, client
):
    c = community_in(haishu, in_expropriation_plan=True)
    services_reason = "征收计划已于2021年撤销，数据待更新"
    scope.scope_decision_record(
        user=staff, community=c, kind="exception", reason=services_reason
    )
    project = _create(staff, c)
    created = project.transitions.get()
    assert any(services_reason in r["text_zh"] for r in created.reasons)
    decision = scope.community_eligibility(community=c)
    assert decision.status == "excluded" and decision.basis == "exception"
    client.force_login(staff)
    html = client.get(reverse("programme-community-card", args=[c.code])).content
    assert services_reason.encode() in html
    # the history keeps who recorded it
    assert ScopeDecision.history.filter(community=c, decided_by=staff).exists()


def test_clause_2_1_exception_needs_a_city_administrator_and_a_reason(haishu):
    planner = factories.user("hs-planner", Role.DISTRICT_PLANNER, district=haishu)
    c = community_in(haishu, housing_type="villa")
    with pytest.raises(PermissionDenied):
        scope.scope_decision_record(
            user=planner, community=c, kind="exception", reason="区里想改"
        )
    admin = factories.user("city", Role.CITY_ADMIN)
    with pytest.raises(ValidationError, match="理由"):
        scope.scope_decision_record(
            user=admin, community=c, kind="exception", reason=""
        )
    assert ScopeDecision.objects.count() == 0


def test_clause_2_1_resettlement_housing_waits_for_the_districts_decision(
    haishu, fenghua
):
    """安置房、保障房小区改造计划由各地自主确定: the district records it, nobody else."""
    own = factories.user("hs-planner", Role.DISTRICT_PLANNER, district=haishu)
    other = factories.user("fh-planner", Role.DISTRICT_PLANNER, district=fenghua)
    c = community_in(haishu, housing_type="resettlement")
    with pytest.raises(ValidationError, match="自主确定"):
        _create(own, c)
    with pytest.raises(PermissionDenied):
        scope.scope_decision_record(
            user=other, community=c, kind="district", reason="奉化决定"
        )
    scope.scope_decision_record(
        user=own, community=c, kind="district", reason="海曙区2022年安置房改造计划"
    )
    assert _create(own, c).stage == "will_vote"
    ordinary = community_in(haishu, housing_type="villa")
    with pytest.raises(ValidationError, match="安置房、保障房"):
        scope.scope_decision_record(
            user=own, community=ordinary, kind="district", reason="x"
        )


def test_clause_2_1_revoked_exception_stops_the_next_step_and_stays_in_history(
    haishu, staff
):
    c = community_in(haishu, housing_type="villa")
    scope.scope_decision_record(
        user=staff, community=c, kind="exception", reason="试点"
    )
    p = _create(staff, c)
    scope.scope_decision_revoke(user=staff, community=c, why="试点取消")
    passed_vote(staff, p, "will")
    services.project_item_add(user=staff, project=p, works_item="road", quantity=1)
    with pytest.raises(ValidationError, match="二\\(一\\)"):
        services.project_advance(user=staff, project=p, to_stage="application")
    assert ScopeDecision.history.filter(history_change_reason="试点取消").exists()


def test_clause_2_1_post_2000_project_waits_for_the_will_vote(haishu, staff):
    """意愿强烈 is decided by the owners' will vote (四(二)1): the project may start
    (the vote is its first step) but not apply until the vote passed."""
    c = community_in(haishu, completion_year=2006)
    with pytest.raises(ValidationError, match="生活圈"):
        _create(staff, c)  # gaps not assessed yet
    many_gaps(c)
    p = _create(staff, c)
    assert any(r["clause"] == "四(二)1" for r in p.transitions.get().reasons)
    services.project_item_add(user=staff, project=p, works_item="road", quantity=1)
    passed_vote(staff, p, "will", consent_owners=100, consent_area_m2=10000)
    with pytest.raises(ValidationError, match="意愿表决未通过"):
        services.project_advance(user=staff, project=p, to_stage="application")
    passed_vote(staff, p, "will")
    services.project_advance(user=staff, project=p, to_stage="application")
    assert scope.community_eligibility(community=c).status == "on_application"


def test_clause_2_1_pool_ranks_only_projects_still_in_scope(haishu, staff):
    a = community_in(haishu, completion_year=1980)
    b = community_in(haishu, completion_year=1985)
    pa = to_reserve_pool(staff, _create(staff, a))
    pb = to_reserve_pool(staff, _create(staff, b))
    services.reserve_pool_score(user=staff, district=haishu, year=2022)
    assert ReserveEntry.objects.count() == 2
    b.in_expropriation_plan = True  # listed for expropriation meanwhile
    b.save()
    entries = services.reserve_pool_score(user=staff, district=haishu, year=2022)
    assert [e.project_id for e in entries] == [pa.pk]
    assert not ReserveEntry.objects.filter(project=pb).exists()


def test_clause_2_1_annual_plan_refuses_a_project_out_of_scope(haishu, staff):
    c = community_in(haishu)
    p = to_reserve_pool(staff, _create(staff, c))
    services.reserve_pool_score(user=staff, district=haishu, year=2022)
    c.land_tenure = "collective"
    c.save()
    with pytest.raises(ValidationError, match="集体土地"):
        services.annual_plan_add_project(
            user=staff, district=haishu, year=2022, project=p, today=dt.date(2021, 6, 1)
        )


def test_clause_2_1_pure_villa_joins_a_block_project_with_others(haishu, staff):
    old = community_in(haishu, completion_year=1988, code="OLD")
    villa = community_in(haishu, housing_type="villa", code="VILLA")
    block_of("B-OK", [old, villa])
    p = services.project_create(
        user=staff, name="片区改造", year=2022, block_code="B-OK", district=haishu
    )
    reasons = p.transitions.get().reasons
    assert any("VILLA" in r["text_zh"] and "片区" in r["text_zh"] for r in reasons)
    assert scope.community_eligibility(community=villa).basis == "block"
    # alone it is still not listed
    with pytest.raises(ValidationError, match="不单独列入"):
        _create(staff, villa)
    # a block of villas only, or with a member in an expropriation plan: refused
    v2 = community_in(haishu, housing_type="villa", code="V2")
    v3 = community_in(haishu, housing_type="villa", code="V3")
    block_of("B-VILLAS", [v2, v3])
    with pytest.raises(ValidationError, match="V2"):
        services.project_create(
            user=staff,
            name="别墅片区",
            year=2022,
            block_code="B-VILLAS",
            district=haishu,
        )
    with pytest.raises(ValidationError, match="no active block"):
        services.project_create(
            user=staff, name="?", year=2022, block_code="B-NONE", district=haishu
        )
