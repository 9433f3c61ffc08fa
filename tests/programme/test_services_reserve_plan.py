"""services: 四(二)4 reserve, plan.

programme.services on real PostGIS: each clause named in its test, bad input refused.

Cases (二(一) scope: tests/programme/test_scope.py):
三(一) 40 % central / none for Fenghua / lifts and dangerous buildings excluded;
三(二)/三(三) shares; 四(二) art. 278 thresholds; 四(二)4 ranking, 31 October lock
and recorded reopening; 四(三) stage order; 五(三) 30 % floor; 五(四) revenue
moved to the fund; 一(二) progress. Bad input changes nothing (row counts checked).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programme import services
from programme.models import (
    AnnualPlan,
    ReserveEntry,
)

from .builders import (
    ON_TIME,
    _project,
    community_in,
    to_reserve_pool,
)

pytestmark = pytest.mark.django_db
D = Decimal


def _two_in_pool(staff, district):
    old = community_in(district, completion_year=1975, dangerous_d=2)
    young = community_in(district, completion_year=1998)
    p_old = to_reserve_pool(staff, _project(staff, old, name="老小区"))
    p_young = to_reserve_pool(staff, _project(staff, young, name="新小区"))
    return p_old, p_young


def test_clause_4_2_4_reserve_pool_ranked_and_stored(haishu, staff):
    """Scored as of 2021-01-01 (scoring-2020 rules).

    老小区: age 46 → 20 pts; 2 D-level buildings × 5 = 10 pts; the rest equal.
    新小区: age 23 → 8 pts; no dangerous buildings. So 老小区 ranks 1.
    """
    p_old, p_young = _two_in_pool(staff, haishu)
    entries = services.reserve_pool_score(user=staff, district=haishu, year=2021)
    ranks = {e.project_id: e.rank for e in entries}
    assert ranks == {p_old.pk: 1, p_young.pk: 2}
    old = ReserveEntry.objects.get(project=p_old)
    assert old.points["building_age"] == {"points": 20.0, "clause": "二(一)"}
    assert old.points["dangerous_buildings"]["points"] == 10.0
    young = ReserveEntry.objects.get(project=p_young)
    assert old.total - young.total == pytest.approx(22.0)  # (20-8) + 10
    assert old.rules_version == "scoring-2020"


def test_clause_4_2_4_annual_plan_editable_until_31_october_of_the_year_before(
    haishu, staff
):
    """The plan of 2022 is fixed by 31 October 2021 (the old code keyed plans to the
    year they are fixed in, so the 2022 plan stayed open until October 2022)."""
    p_old, p_young = _two_in_pool(staff, haishu)
    services.reserve_pool_score(user=staff, district=haishu, year=2022)
    plan = services.annual_plan_add_project(
        user=staff,
        district=haishu,
        year=2022,
        project=p_old,
        today=dt.date(2021, 10, 31),  # deadline day itself: still editable
    )
    with pytest.raises(ValidationError, match="2021-10-31"):
        services.annual_plan_add_project(
            user=staff,
            district=haishu,
            year=2022,
            project=p_young,
            today=dt.date(2021, 11, 1),
        )
    assert list(plan.projects.all()) == [p_old]


def test_clause_4_2_4_project_of_a_plan_fixed_on_time_goes_on_after_31_october(
    haishu, staff
):
    """On 1 November a project of the fixed plan reaches the annual-plan stage and
    construction (the old guard refused the stage after the deadline)."""
    p = to_reserve_pool(staff, _project(staff, community_in(haishu)))
    services.reserve_pool_score(user=staff, district=haishu, year=2022)
    services.annual_plan_add_project(
        user=staff, district=haishu, year=2022, project=p, today=ON_TIME
    )
    services.annual_plan_fix(user=staff, district=haishu, year=2022, today=ON_TIME)
    november = dt.date(2021, 11, 1)
    services.project_advance(
        user=staff, project=p, to_stage="annual_plan", today=november
    )
    services.project_advance(
        user=staff,
        project=p,
        to_stage="construction",
        evidence={"permit": "报建1"},
        today=november,
    )
    p.refresh_from_db()
    assert p.stage == "construction"


def test_clause_4_2_4_construction_needs_a_fixed_plan(haishu, staff):
    """Listed in a draft plan is not enough (the old guard only asked for a plan)."""
    p = to_reserve_pool(staff, _project(staff, community_in(haishu)))
    services.reserve_pool_score(user=staff, district=haishu, year=2022)
    services.annual_plan_add_project(
        user=staff, district=haishu, year=2022, project=p, today=ON_TIME
    )
    with pytest.raises(ValidationError, match="fixed"):
        services.project_advance(
            user=staff, project=p, to_stage="annual_plan", today=ON_TIME
        )
    p.refresh_from_db()
    assert p.stage == "reserve_pool"


def test_clause_4_2_4_late_plan_needs_a_recorded_reopening(haishu, staff):
    """After 31 October a plan that was never fixed cannot even be created; the
    district records why it reopens (creates) it, then lists and fixes (the old
    code had no way: reopening needed an existing plan)."""
    p = to_reserve_pool(staff, _project(staff, community_in(haishu)))
    services.reserve_pool_score(user=staff, district=haishu, year=2022)
    late = dt.date(2021, 11, 15)
    with pytest.raises(ValidationError, match="reopen"):
        services.annual_plan_add_project(
            user=staff, district=haishu, year=2022, project=p, today=late
        )
    with pytest.raises(ValidationError, match="reopen"):
        services.annual_plan_fix(user=staff, district=haishu, year=2022, today=late)
    assert AnnualPlan.objects.count() == 0
    plan = services.annual_plan_reopen(
        user=staff, district=haishu, year=2022, why="区政府11月10日常务会议补定"
    )
    assert plan.reopened and plan.reopened_why == "区政府11月10日常务会议补定"
    services.annual_plan_add_project(
        user=staff, district=haishu, year=2022, project=p, today=late
    )
    plan = services.annual_plan_fix(user=staff, district=haishu, year=2022, today=late)
    assert plan.locked and not plan.reopened
    services.project_advance(user=staff, project=p, to_stage="annual_plan", today=late)


def test_clause_4_2_4_fixed_plan_refuses_edits_until_reopened_with_reason(
    haishu, staff
):
    p_old, p_young = _two_in_pool(staff, haishu)
    services.reserve_pool_score(user=staff, district=haishu, year=2022)
    services.annual_plan_add_project(
        user=staff, district=haishu, year=2022, project=p_old, today=ON_TIME
    )
    plan = services.annual_plan_fix(
        user=staff, district=haishu, year=2022, today=ON_TIME
    )
    assert plan.locked
    with pytest.raises(ValidationError, match="锁定"):
        services.annual_plan_add_project(
            user=staff, district=haishu, year=2022, project=p_young, today=ON_TIME
        )
    assert plan.projects.count() == 1
    with pytest.raises(ValidationError, match="理由"):
        services.annual_plan_reopen(user=staff, district=haishu, year=2022, why="  ")
    plan.refresh_from_db()
    assert plan.reopened is False
    plan = services.annual_plan_reopen(
        user=staff, district=haishu, year=2022, why="区政府批准增补"
    )
    assert plan.reopened_by == staff and plan.reopened_why == "区政府批准增补"
    assert plan.reopened_at is not None
    assert plan.history.filter(reopened=True).exists()
    # the project fixed before the reopening keeps going; the new one waits
    services.project_advance(
        user=staff, project=p_old, to_stage="annual_plan", today=dt.date(2021, 12, 1)
    )
    services.annual_plan_add_project(
        user=staff,
        district=haishu,
        year=2022,
        project=p_young,
        today=dt.date(2021, 12, 1),
    )
    with pytest.raises(ValidationError, match="fixed"):
        services.project_advance(user=staff, project=p_young, to_stage="annual_plan")
    assert plan.projects.count() == 2
    plan = services.annual_plan_fix(
        user=staff, district=haishu, year=2022, today=dt.date(2021, 12, 1)
    )
    assert plan.locked and not plan.reopened
    services.project_advance(user=staff, project=p_young, to_stage="annual_plan")


def test_clause_4_2_4_only_scored_pool_projects_enter_the_plan(haishu, staff):
    p = _project(staff, community_in(haishu))
    with pytest.raises(ValidationError, match="储备库"):
        services.annual_plan_add_project(
            user=staff, district=haishu, year=2022, project=p, today=ON_TIME
        )
    assert not AnnualPlan.objects.filter(entries__isnull=False).exists()
