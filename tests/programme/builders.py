"""Builders for programme tests: communities, passed votes, a project walked to the pool."""

import datetime as dt

from django.contrib.gis.geos import MultiPolygon
from django.utils import timezone

from blocks.models import BlockMembership, RenovationBlock
from lifecircle.models import CoverageResult, FacilityRule, RuleSet
from programme import services
from runs.models import AnalysisRun
from tests import factories

VOTE_DAY = dt.date(2021, 3, 1)  # 民法典 in force (from 2021-01-01)


def community_in(district, **kw):
    street = factories.street(district=district)
    return factories.community(street=street, **kw)


def passed_vote(user, project, kind="will", **kw):
    """300 owners / 30 000 m²; 250 took part, 240 agreed (96 %): passes any matter."""
    args = {
        "total_owners": 300,
        "total_area_m2": 30000,
        "participants_owners": 250,
        "participants_area_m2": 25000,
        "consent_owners": 240,
        "consent_area_m2": 24000,
        "held_on": VOTE_DAY,
    }
    if kind == "plan":  # on the day the plan was made (the steps run on today's date)
        args["held_on"] = max(
            VOTE_DAY, services.plan_made_on(project=project) or VOTE_DAY
        )
    args.update(kw)
    return services.vote_record(user=user, project=project, kind=kind, **args)


def pass_plan(user, project, **kw):
    """A passed owners' vote on every matter the plan puts to them (四(二)3)."""
    return [
        passed_vote(user, project, "plan", matter=m, **kw)
        for m in services.project_plan_matters(project=project)
    ]


def to_preliminary_plan(user, project, *, items=(("road", 100),), danger_item=True):
    """Walk a project from will_vote to preliminary_plan and write its plan parts.

    A community with C/D-grade buildings also gets the 危房解危 item its plan needs
    (二(二)1), unless ``danger_item=False``."""
    passed_vote(user, project, "will")
    for code, quantity in items:
        services.project_item_add(
            user=user, project=project, works_item=code, quantity=quantity
        )
    c = project.community
    if danger_item and c is not None and (c.dangerous_c or c.dangerous_d):
        services.project_item_add(
            user=user, project=project, works_item="dangerous_building", quantity=100
        )
    services.project_advance(user=user, project=project, to_stage="application")
    services.project_advance(
        user=user,
        project=project,
        to_stage="preliminary_plan",
        evidence={"written_application": "街道收文2021-01"},
    )
    services.project_update(
        user=user,
        project=project,
        plan_design="设计图",
        funding_plan="资金筹集方案",
        long_term_management="物业管理",
    )
    project.refresh_from_db()
    return project


def to_plan_vote(user, project, *, items=(("road", 100),)):
    """Walk a project from will_vote to plan_vote with all the evidence."""
    to_preliminary_plan(user, project, items=items)
    services.project_advance(user=user, project=project, to_stage="plan_vote")
    project.refresh_from_db()
    return project


def to_reserve_pool(user, project, *, item="road", quantity=100):
    """Walk a project from will_vote to reserve_pool with all the evidence."""
    to_plan_vote(user, project, items=((item, quantity),))
    pass_plan(user, project)
    services.project_advance(user=user, project=project, to_stage="street_review")
    services.project_advance(
        user=user,
        project=project,
        to_stage="district_review",
        evidence={"implementation_plan": "初步实施方案"},
    )
    services.project_advance(user=user, project=project, to_stage="reserve_pool")
    project.refresh_from_db()
    return project


def gaps(community, missing):
    """A finished life-circle run of the default rule set that found ``missing``
    (``{tier: [category codes]}``) for ``community``."""
    ruleset = RuleSet.objects.get(is_default=True)
    run = AnalysisRun.objects.create(
        kind="lifecircle", status="done", finished_at=timezone.now(), ruleset=ruleset
    )
    return CoverageResult.objects.create(
        run=run, community=community, score=0.4, missing=missing
    )


def many_gaps(community):
    """Half of the default rule set's required categories missing (more than the 1/3
    of scope_rules.json), 2 of them at 5 minutes or less (its own facilities)."""
    required = list(
        FacilityRule.objects.filter(ruleset__is_default=True, required=True)
        .order_by("tier_minutes", "category__code")
        .values_list("category__code", "tier_minutes")
    )
    five = [c for c, t in required if t <= 5][:2]
    rest = [c for c, t in required if t > 5][: len(required) // 2 - 2]
    return gaps(community, {"5": five, "15": five + rest})


def block_of(code, members):
    """An active 连片 block of ``members`` (the bundling run is a stub)."""
    run = AnalysisRun.objects.create(kind="bundling", status="done")
    geom = members[0].geom
    for m in members[1:]:
        geom = geom.union(m.geom)
    if geom.geom_type == "Polygon":
        geom = MultiPolygon(geom, srid=geom.srid)
    block = RenovationBlock.objects.create(
        code=code,
        name=f"片区{code}",
        run=run,
        geom=geom,
        member_codes=[m.code for m in members],
        n_communities=len(members),
        households=sum(m.households for m in members),
        status="accepted",
    )
    for m in members:
        BlockMembership.objects.create(block=block, community=m)
    return block


PLAN_YEAR = 2022
ON_TIME = dt.date(2021, 10, 20)  # before 31 October 2021, the deadline of the 2022 plan
ACCEPTED = {
    "passed": True,
    "parties": ["design", "construction", "supervision", "owners"],
}


def to_annual_plan(user, project, *, year=PLAN_YEAR, today=ON_TIME):
    """Score the pool, list the project in the plan of ``year``, fix the plan on time
    and move the project to the annual-plan stage."""
    services.reserve_pool_score(user=user, district=project.district, year=year)
    services.annual_plan_add_project(
        user=user, district=project.district, year=year, project=project, today=today
    )
    services.annual_plan_fix(
        user=user, district=project.district, year=year, today=today
    )
    services.project_advance(
        user=user, project=project, to_stage="annual_plan", today=today
    )
    project.refresh_from_db()
    return project


def to_acceptance(user, project, **evidence):
    """From the annual plan through construction to completion acceptance."""
    services.project_advance(
        user=user,
        project=project,
        to_stage="construction",
        evidence={"permit": "报建1"},
    )
    services.project_advance(
        user=user,
        project=project,
        to_stage="completion_acceptance",
        evidence={"acceptance": ACCEPTED, **evidence},
    )
    project.refresh_from_db()
    return project


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
