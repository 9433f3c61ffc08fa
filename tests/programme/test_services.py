"""programme.services on real PostGIS: each clause named in its test, bad input refused.

Cases (二(一) scope: tests/programme/test_scope.py):
三(一) 40 % central / none for Fenghua / lifts and dangerous buildings excluded;
三(二)/三(三) shares; 四(二) art. 278 thresholds; 四(二)4 ranking, 31 October lock
and recorded reopening; 四(三) stage order; 五(三) 30 % floor; 五(四) revenue
moved to the fund; 一(二) progress. Bad input changes nothing (row counts checked).
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.contrib.gis.geos import MultiPolygon
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from layers.models import District
from lifecircle.models import CoverageResult
from programme import services
from programme.models import (
    AnnualPlan,
    Project,
    ProjectItem,
    PublicRevenue,
    ReserveEntry,
    StageTransition,
    Vote,
)
from runs.models import AnalysisRun
from tests import factories

from .builders import (
    ACCEPTED,
    ON_TIME,
    block_of,
    community_in,
    pass_plan,
    passed_vote,
    to_acceptance,
    to_annual_plan,
    to_plan_vote,
    to_preliminary_plan,
    to_reserve_pool,
)

pytestmark = pytest.mark.django_db
D = Decimal


def _project(user, community, **kw):
    args = {"name": f"{community.name}改造", "year": 2021, "community": community}
    args.update(kw)
    return services.project_create(user=user, **args)


def _gaps(community, missing):
    run = AnalysisRun.objects.create(
        kind="lifecircle", status="done", finished_at=timezone.now()
    )
    CoverageResult.objects.create(
        run=run, community=community, score=0.4, missing=missing
    )


# ----------------------------------------------------------------- 二(二) catalogue
def test_clause_2_2_area_only_item_refused_on_a_community_project(haishu, staff):
    p = _project(staff, community_in(haishu))
    with pytest.raises(ValidationError, match="片区"):
        services.project_item_add(
            user=staff, project=p, works_item="municipal_infrastructure", quantity=10
        )
    assert ProjectItem.objects.count() == 0


def test_clause_2_2_item_budget_from_catalogue_unit_cost(haishu, staff):
    p = _project(staff, community_in(haishu))
    # stairwell: 25 000 yuan per unit (works_catalogue.json) × 4 units = 100 000.
    item = services.project_item_add(
        user=staff, project=p, works_item="stairwell", quantity=4
    )
    assert item.unit_cost == D("25000.00")
    assert item.budget == D("100000.00")


# ----------------------------------------------------------------- 三 funding
def _central_example(staff, district):
    p = _project(staff, community_in(district))
    services.project_item_add(
        user=staff, project=p, works_item="road", quantity=1, budget=100000
    )
    services.project_item_add(user=staff, project=p, works_item="stairwell", quantity=2)
    services.project_item_add(user=staff, project=p, works_item="fitness", quantity=1)
    return p


def test_clause_3_1_central_district_gets_40_percent(haishu, staff):
    """海曙区 (central).

    road 100 000 (basic, government 100 %)            → gov 100 000
    stairwell 2 × 25 000 = 50 000 (三(三) co-pay 70/30) → gov 35 000, owners 15 000
    fitness 80 000 (enhancement, social capital)       → social 80 000
    government outlay 135 000 → city subsidy 40 % = 54 000, district net 81 000;
    all on budgets, so the subsidy is provisional.
    """
    split = services.project_funding(project=_central_example(staff, haishu))
    assert split.total_yuan == D("230000.00")
    assert split.totals["government"] == D("135000.00")
    assert split.totals["owners"] == D("15000.00")
    assert split.totals["social_capital"] == D("80000.00")
    assert split.city_subsidy_base_yuan == D("135000.00")
    assert split.city_subsidy_yuan == D("54000.00")
    assert split.district_net_yuan == D("81000.00")
    assert split.city_subsidy_provisional is True
    assert any(
        f.clause == "三(一)" and f.label == "city subsidy" for f in split.figures
    )


def test_clause_3_1_fenghua_gets_no_city_subsidy(fenghua, staff):
    """Same items in 奉化区: government still pays 135 000, city subsidy 0."""
    split = services.project_funding(project=_central_example(staff, fenghua))
    assert split.totals["government"] == D("135000.00")
    assert split.city_subsidy_yuan == D("0.00")
    assert split.district_net_yuan == D("135000.00")
    assert "奉化" in split.reasons[0].text_zh


def test_clause_3_1_central_flag_comes_from_the_data_in_force(staff):
    """districts.json says 330213 is not central even if the layer row says so."""
    wrong = factories.district(code="330213", name="奉化区", is_central=True)
    split = services.project_funding(project=_central_example(staff, wrong))
    assert split.city_subsidy_yuan == D("0.00")


def test_clause_3_1_district_missing_from_the_data_is_not_central_by_default(staff):
    """The 40 % is for the listed central districts: a district row that is not in
    districts.json and nobody marked central gets none (the flag defaulted to true)."""
    new = District.objects.create(
        code="339901",
        name="新设区",
        geom=MultiPolygon(
            factories.square(121.55, 29.875, 5000), srid=django_settings.SRID
        ),
    )
    assert new.is_central is False
    split = services.project_funding(project=_central_example(staff, new))
    assert split.city_subsidy_yuan == D("0.00")
    assert services.district_is_central(district=new, on=ON_TIME) == (
        False,
        "District.is_central",
    )


def test_clause_3_1_lifts_and_dangerous_building_excluded_from_subsidy_base(
    haishu, staff
):
    """Lift 1 × 650 000: government 40 % = 260 000, owners 390 000 (special, excluded).

    Dangerous building 200 000: government 100 % (special, excluded).
    Road: budget 120 000, audited final account 100 000 → base 100 000 (三(一)).
    Subsidy base 100 000 → subsidy 40 000, not provisional (final account).
    """
    p = _project(staff, community_in(haishu))
    services.project_item_add(user=staff, project=p, works_item="lift", quantity=1)
    services.project_item_add(
        user=staff,
        project=p,
        works_item="dangerous_building",
        quantity=250,
        budget=200000,
    )
    services.project_item_add(
        user=staff,
        project=p,
        works_item="road",
        quantity=1,
        budget=120000,
        final_account=100000,
    )
    split = services.project_funding(project=p)
    lift = next(i for i in split.items if i.code == "lift")
    assert lift.shares["government"] == D("260000.00")
    assert lift.shares["owners"] == D("390000.00")
    assert lift.city_subsidy_eligible is False
    assert split.city_subsidy_base_yuan == D("100000.00")
    assert split.city_subsidy_yuan == D("40000.00")
    assert split.city_subsidy_provisional is False
    assert split.total_yuan == D("950000.00")  # 650 000 + 200 000 + 100 000
    assert any("dangerous_building" in r.text_en for r in split.reasons)


def test_clause_3_2_utilities_pay_half_of_pipelines(haishu, staff):
    """Pipelines 100 m × 600 = 60 000: government 30 000, utilities 30 000."""
    p = _project(staff, community_in(haishu))
    services.project_item_add(
        user=staff, project=p, works_item="pipelines", quantity=100
    )
    split = services.project_funding(project=p)
    (item,) = split.items
    assert item.shares["utilities"] == D("30000.00")
    assert item.rule_id == "pipelines_utilities"
    assert any(f.clause == "三(二)" for f in item.figures)


def test_clause_3_3_owners_share_override_on_copay_item(haishu, staff):
    """AC brackets 100 × 1 500 = 150 000 with a district standard of 50 % owners."""
    p = _project(staff, community_in(haishu))
    services.project_item_add(
        user=staff, project=p, works_item="ac_bracket", quantity=100, owners_share="0.5"
    )
    (item,) = services.project_funding(project=p).items
    assert item.shares["owners"] == D("75000.00")
    assert item.shares["government"] == D("75000.00")
    assert any(f.clause == "三(三)" for f in item.figures)


def test_clause_3_3_owners_share_refused_on_item_without_copay(haishu, staff):
    p = _project(staff, community_in(haishu))
    with pytest.raises(ValidationError, match="三\\(三\\)"):
        services.project_item_add(
            user=staff, project=p, works_item="road", quantity=1, owners_share="0.2"
        )
    assert ProjectItem.objects.count() == 0


def test_clause_3_enhancement_item_records_government_money(haishu, staff):
    """Childcare 100 m² × 4 500 = 450 000 with 50 % from the district: government
    225 000, in the 40 % base (三(一)); refused on a basic item, nothing saved."""
    p = _project(staff, community_in(haishu))
    services.project_item_add(
        user=staff,
        project=p,
        works_item="childcare",
        quantity=100,
        government_share="0.5",
    )
    split = services.project_funding(project=p)
    assert split.totals["government"] == D("225000.00")
    assert split.totals["social_capital"] == D("225000.00")
    assert split.city_subsidy_yuan == D("90000.00")
    with pytest.raises(ValidationError, match="提升类"):
        services.project_item_add(
            user=staff, project=p, works_item="road", quantity=1, government_share="0.5"
        )
    assert ProjectItem.objects.count() == 1


def test_clause_4_2_4_enhancement_items_do_not_raise_the_cofunding_score(haishu, staff):
    """Same community data, same stairwell; one project adds a fitness corner (social
    capital): both get the same co-funding points (the share used to count it)."""
    a = to_reserve_pool(
        staff, _project(staff, community_in(haishu)), item="stairwell", quantity=4
    )
    b = to_reserve_pool(
        staff, _project(staff, community_in(haishu)), item="stairwell", quantity=4
    )
    services.project_item_add(user=staff, project=b, works_item="fitness", quantity=3)
    services.reserve_pool_score(user=staff, district=haishu, year=2022)
    points = {
        e.project_id: e.points["co_funding"]["points"]
        for e in ReserveEntry.objects.all()
    }
    assert points[a.pk] == points[b.pk] == 15.0  # owners 30 % of the stairwell


def test_negative_budget_or_quantity_refused_and_nothing_saved(haishu, staff):
    p = _project(staff, community_in(haishu))
    with pytest.raises(ValidationError, match="budget must not be negative"):
        services.project_item_add(
            user=staff, project=p, works_item="road", quantity=1, budget=-5
        )
    with pytest.raises(ValidationError, match="quantity must not be negative"):
        services.project_item_add(user=staff, project=p, works_item="road", quantity=-1)
    assert ProjectItem.objects.count() == 0


def test_funding_of_a_project_without_items_is_a_clear_error(haishu, staff):
    p = _project(staff, community_in(haishu))
    with pytest.raises(ValidationError, match="no works items"):
        services.project_funding(project=p)


# ----------------------------------------------------------------- 四(二) votes
def test_clause_4_2_vote_art_278_quorum_two_thirds_exactly_met(haishu, staff):
    """300 owners / 30 000 m²; 200 / 20 000 take part = exactly 2/3 (quorum met).

    Ordinary matter: 101 of 200 owners and 10 001 of 20 000 m² (> 1/2) → passed.
    """
    p = _project(staff, community_in(haishu))
    vote = passed_vote(
        staff,
        p,
        participants_owners=200,
        participants_area_m2=20000,
        consent_owners=101,
        consent_area_m2=10001,
    )
    assert vote.passed is True
    assert vote.law == "民法典第278条"
    assert vote.ratios["participation_owners"]["fraction"] == "2/3"


def _lift_plan(staff, haishu):
    p = _project(staff, community_in(haishu))
    return to_plan_vote(staff, p, items=(("road", 100), ("lift", 2)))


def test_clause_4_2_3_lift_plan_70_percent_not_passed_76_passes(haishu, staff):
    """A plan that adds a lift puts 改建 (民法典第278条第一款第七项, >= 3/4 of the
    participants) to the owners; the rule comes from the matter, not from the user
    (who used to pick "ordinary" and pass it at > 1/2)."""
    p = _lift_plan(staff, haishu)
    assert services.project_plan_matters(project=p) == ["other_major", "rebuild"]
    turnout = {"participants_owners": 250, "participants_area_m2": 25000}
    passed_vote(staff, p, "plan", matter="other_major", **turnout)
    seventy = passed_vote(
        staff,
        p,
        "plan",
        matter="rebuild",
        consent_owners=175,  # 175/250 = 70 %
        consent_area_m2=17500,
        **turnout,
    )
    assert seventy.passed is False
    assert (seventy.majority, seventy.clause) == (
        "special",
        "民法典第278条第一款第七项",
    )
    with pytest.raises(ValidationError, match="'rebuild'"):
        services.project_advance(user=staff, project=p, to_stage="street_review")
    seventy_six = passed_vote(
        staff,
        p,
        "plan",
        matter="rebuild",
        consent_owners=190,  # 190/250 = 76 %
        consent_area_m2=19000,
        **turnout,
    )
    assert seventy_six.passed is True
    services.project_advance(user=staff, project=p, to_stage="street_review")


def test_clause_4_2_3_matter_cannot_be_chosen_or_left_out(haishu, staff):
    p = _lift_plan(staff, haishu)
    with pytest.raises(ValidationError, match="不含'ordinary'"):
        passed_vote(staff, p, "plan", matter="ordinary")
    with pytest.raises(ValidationError, match="不含'fund_raising'"):
        passed_vote(staff, p, "plan", matter="fund_raising")
    passed_vote(staff, p, "plan", matter="other_major")
    with pytest.raises(ValidationError, match="'rebuild'"):  # the lift was not voted
        services.project_advance(user=staff, project=p, to_stage="street_review")
    assert Vote.objects.filter(kind="plan").count() == 1


def test_clause_4_2_3_plan_vote_before_the_plan_is_refused(haishu, staff):
    """The old guard took the latest "plan" vote even if it predated the plan."""
    p = _lift_plan(staff, haishu)
    made = services.plan_made_on(project=p)
    with pytest.raises(ValidationError, match="早于方案确定日期"):
        passed_vote(
            staff, p, "plan", matter="other_major", held_on=made - dt.timedelta(1)
        )
    fresh = _project(staff, community_in(haishu))
    with pytest.raises(ValidationError, match="plan_vote stage"):
        passed_vote(staff, fresh, "plan", matter="other_major")


def test_clause_4_2_3_item_added_after_the_votes_needs_its_own_vote(haishu, staff):
    p = to_plan_vote(staff, _project(staff, community_in(haishu)))
    pass_plan(staff, p)
    services.project_item_add(user=staff, project=p, works_item="parking", quantity=20)
    with pytest.raises(ValidationError, match="'common_parts_use'"):
        services.project_advance(user=staff, project=p, to_stage="street_review")
    pass_plan(staff, p)
    services.project_advance(user=staff, project=p, to_stage="street_review")


def test_clause_4_2_vote_below_quorum_fails(haishu, staff):
    """199 of 300 owners take part: 66.33 % < 2/3 → failed even with all consenting."""
    p = _project(staff, community_in(haishu))
    vote = passed_vote(
        staff,
        p,
        participants_owners=199,
        participants_area_m2=19900,
        consent_owners=199,
        consent_area_m2=19900,
    )
    assert vote.passed is False


def test_vote_with_more_participants_than_owners_refused(haishu, staff):
    p = _project(staff, community_in(haishu))
    with pytest.raises(
        ValidationError, match="more participants \\(301\\) than owners"
    ):
        passed_vote(staff, p, participants_owners=301)
    assert Vote.objects.count() == 0


def test_vote_in_the_future_or_before_any_law_refused(haishu, staff):
    p = _project(staff, community_in(haishu))
    with pytest.raises(ValidationError, match="future"):
        passed_vote(staff, p, held_on=timezone.localdate() + dt.timedelta(days=3))
    with pytest.raises(ValidationError, match="no rule version"):
        passed_vote(staff, p, held_on=dt.date(2005, 1, 1))
    assert Vote.objects.count() == 0


# ----------------------------------------------------------------- 四(三) stages
def test_clause_4_3_stage_order_and_public_stage(haishu, staff):
    c = community_in(haishu)
    p = _project(staff, c)
    p = to_reserve_pool(staff, p)
    assert p.stage == "reserve_pool"
    assert p.reserve_sub_status == "generated"  # 生成一批: ready for an annual plan
    c.refresh_from_db()
    assert c.stage == "in_reserve"
    steps = list(p.transitions.values_list("to_stage", flat=True))
    assert steps == [
        "will_vote",
        "application",
        "preliminary_plan",
        "plan_vote",
        "street_review",
        "district_review",
        "reserve_pool",
    ]
    last = p.transitions.last()
    assert last.by == staff
    assert last.evidence["plan_votes"]["votes"]["other_major"]["passed"] is True
    assert p.documents["implementation_plan"] == "初步实施方案"


def test_clause_4_3_skipped_stage_refused_and_nothing_changes(haishu, staff):
    c = community_in(haishu)
    p = _project(staff, c)
    passed_vote(staff, p, "will")
    services.project_item_add(user=staff, project=p, works_item="road", quantity=1)
    before = StageTransition.objects.count()
    with pytest.raises(ValidationError, match="cannot skip"):
        services.project_advance(
            user=staff,
            project=p,
            to_stage="preliminary_plan",
            evidence={"written_application": "x"},
        )
    p.refresh_from_db()
    c.refresh_from_db()
    assert p.stage == "will_vote"
    assert p.documents == {}
    assert c.stage == "not_started"
    assert StageTransition.objects.count() == before


def test_clause_4_3_application_needs_a_passed_will_vote(haishu, staff):
    p = _project(staff, community_in(haishu))
    services.project_item_add(user=staff, project=p, works_item="road", quantity=1)
    passed_vote(staff, p, "will", consent_owners=100, consent_area_m2=10000)
    with pytest.raises(ValidationError, match="will_vote"):
        services.project_advance(user=staff, project=p, to_stage="application")
    p.refresh_from_db()
    assert p.stage == "will_vote"


def test_clause_4_3_votes_cannot_be_claimed_as_evidence(haishu, staff):
    p = _project(staff, community_in(haishu))
    with pytest.raises(ValidationError, match="taken from the records"):
        services.project_advance(
            user=staff,
            project=p,
            to_stage="application",
            evidence={"will_vote": {"passed": True}, "chosen_items": ["road"]},
        )


def test_clause_4_3_construction_to_post_evaluation(haishu, staff):
    c = community_in(haishu)
    p = to_annual_plan(staff, to_reserve_pool(staff, _project(staff, c)))
    p = to_acceptance(staff, p)
    services.project_advance(
        user=staff,
        project=p,
        to_stage="handover",
        evidence={"handed_over_to": "业委会"},
    )
    services.project_advance(
        user=staff,
        project=p,
        to_stage="warranty",
        evidence={"warranty_end": "2024-12-31"},
    )
    services.project_advance(
        user=staff, project=p, to_stage="post_evaluation", evidence={"evaluation": "好"}
    )
    c.refresh_from_db()
    assert c.stage == "post_evaluated"
    assert p.transitions.count() == 13


# ----------------------------------------------------------------- 二(二)1 危房清零
def test_clause_2_2_1_plan_for_a_d_grade_community_needs_a_dangerous_building_item(
    haishu, staff
):
    c = community_in(haishu, dangerous_d=1)
    p = to_preliminary_plan(staff, _project(staff, c), danger_item=False)
    with pytest.raises(ValidationError, match="二\\(二\\)1"):
        services.project_advance(user=staff, project=p, to_stage="plan_vote")
    services.project_item_add(
        user=staff, project=p, works_item="dangerous_building", quantity=50
    )
    services.project_advance(user=staff, project=p, to_stage="plan_vote")


def test_clause_2_2_1_acceptance_needs_every_c_d_building_made_safe(haishu, staff):
    """C 2 + D 1: acceptance refused until all three are recorded as made safe; then
    the community's counts are zero (history keeps 2 and 1) and progress counts 3."""
    c = community_in(haishu, dangerous_c=2, dangerous_d=1)
    p = to_annual_plan(staff, to_reserve_pool(staff, _project(staff, c)))
    services.project_advance(
        user=staff, project=p, to_stage="construction", evidence={"permit": "报建1"}
    )
    with pytest.raises(ValidationError, match="2 C-grade and 1 D-grade"):
        services.project_advance(
            user=staff,
            project=p,
            to_stage="completion_acceptance",
            evidence={"acceptance": ACCEPTED},
        )
    with pytest.raises(ValidationError, match="dangerous_cleared"):
        services.project_advance(
            user=staff,
            project=p,
            to_stage="completion_acceptance",
            evidence={"acceptance": ACCEPTED, "dangerous_cleared": {"c": 2, "d": 0}},
        )
    services.project_advance(
        user=staff,
        project=p,
        to_stage="completion_acceptance",
        evidence={"acceptance": ACCEPTED, "dangerous_cleared": {"c": 2, "d": 1}},
    )
    c.refresh_from_db()
    assert (c.dangerous_c, c.dangerous_d, c.stage) == (0, 0, "accepted")
    assert c.history.filter(dangerous_c=2, dangerous_d=1).exists()
    row = services.programme_progress_report(year=2022).loc["330203"]
    assert row["dangerous_cleared"] == 3
    assert row["dangerous_remaining"] == 0


def test_writes_need_staff(haishu, resident):
    c = community_in(haishu)
    with pytest.raises(PermissionDenied):
        services.project_create(user=resident, name="x", year=2021, community=c)
    with pytest.raises(PermissionDenied):
        services.project_create(user=None, name="x", year=2021, community=c)
    assert Project.objects.count() == 0


def test_block_project_needs_a_district(staff, haishu, fenghua):
    block_of("B1", [community_in(haishu)])
    with pytest.raises(ValidationError, match="district"):
        services.project_create(user=staff, name="片区", year=2021, block_code="B1")
    with pytest.raises(ValidationError, match="outside"):
        services.project_create(
            user=staff, name="片区", year=2021, block_code="B1", district=fenghua
        )
    p = services.project_create(
        user=staff, name="片区", year=2021, block_code="B1", district=haishu
    )
    assert p.community is None and p.stage == "will_vote"


# ----------------------------------------------------------------- 四(二)4 reserve, plan
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


# ----------------------------------------------------------------- 五 long-term
def test_clause_5_3_fund_below_30_percent_starts_daily_fee(haishu):
    """20 000 / 100 000 = 20 % < 30 % → fee from 2021; 30 000 → exactly 30 %, not below."""
    low = community_in(haishu, fund_balance_yuan=20000, fund_standard_yuan=100000)
    status = services.maintenance_fund(community=low, year=2021)
    assert status.below_30pct and status.daily_fee_start_year == 2021
    assert status.reason.clause == "五(三)"
    ok = community_in(haishu, fund_balance_yuan=30000, fund_standard_yuan=100000)
    assert services.maintenance_fund(community=ok, year=2021).below_30pct is False


def test_clause_5_3_fund_without_standard_is_a_clear_error(haishu):
    c = community_in(haishu, fund_standard_yuan=0)
    with pytest.raises(ValidationError, match="standard must be positive"):
        services.maintenance_fund(community=c, year=2021)


def test_clause_5_4_revenue_moved_to_fund_and_published(haishu, staff):
    """Parking 5 000 + advertising 1 000, costs 500 → 5 500 into the fund (10 000 → 15 500)."""
    c = community_in(haishu, fund_balance_yuan=10000, fund_standard_yuan=100000)
    services.revenue_record(
        user=staff, community=c, year=2021, kind="parking", amount=5000, expenses=500
    )
    services.revenue_record(
        user=staff, community=c, year=2021, kind="advertising", amount=1000
    )
    transfer = services.revenue_move_to_fund(user=staff, community=c, year=2021)
    assert transfer.transfer_yuan == D("5500.00")
    c.refresh_from_db()
    assert c.fund_balance_yuan == D("15500.00")
    assert PublicRevenue.objects.filter(moved_to_fund=True, published=True).count() == 2
    with pytest.raises(ValidationError, match="nothing left"):
        services.revenue_move_to_fund(user=staff, community=c, year=2021)
    c.refresh_from_db()
    assert c.fund_balance_yuan == D("15500.00")


def test_clause_5_4_bad_revenue_refused(haishu, staff):
    c = community_in(haishu)
    with pytest.raises(ValidationError, match="exceed"):
        services.revenue_record(
            user=staff, community=c, year=2021, kind="rent", amount=100, expenses=200
        )
    with pytest.raises(ValidationError, match="kind"):
        services.revenue_record(
            user=staff, community=c, year=2021, kind="lottery", amount=100
        )
    assert PublicRevenue.objects.count() == 0


# ----------------------------------------------------------------- 一(二) progress
def test_clause_1_2_progress_counts_renovated_against_annual_plan(haishu, staff):
    """Target: 1 community listed in 海曙's 2022 plan; renovated: 1 accepted of 400 hh."""
    community_in(haishu, stage="accepted", households=400)
    p = to_reserve_pool(staff, _project(staff, community_in(haishu)))
    services.reserve_pool_score(user=staff, district=haishu, year=2022)
    services.annual_plan_add_project(
        user=staff, district=haishu, year=2022, project=p, today=ON_TIME
    )
    frame = services.programme_progress_report(year=2022)
    row = frame.loc["330203"]
    assert row["target_communities"] == 1
    assert row["renovated_communities"] == 1
    assert row["renovated_households"] == 400
    assert row["communities_pct"] == pytest.approx(100.0)
    assert frame.loc["city", "renovated_communities"] == 1


def test_clause_1_2_progress_xlsx(haishu):
    community_in(haishu, stage="accepted")
    book = load_workbook(io.BytesIO(services.programme_progress_xlsx(year=2021)))
    sheet = book.active
    assert sheet["A1"].value == "区县"
    assert sheet["C1"].value == "已改造小区数"
    labels = [r[0].value for r in sheet.iter_rows(min_row=2)]
    assert "330203" in labels and "全市" in labels


def test_clause_1_2_progress_bad_year(haishu):
    community_in(haishu)
    with pytest.raises(ValidationError, match="year"):
        services.programme_progress_report(year=1999)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(extra=st.integers(min_value=1, max_value=10_000))
def test_vote_with_more_participants_than_owners_never_saved(haishu, staff, extra):
    p = Project.objects.first() or _project(staff, community_in(haishu))
    with pytest.raises(ValidationError, match="more participants"):
        passed_vote(staff, p, participants_owners=300 + extra)
    assert Vote.objects.count() == 0
