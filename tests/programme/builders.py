"""Builders for programme tests: communities, passed votes, a project walked to the pool."""

import datetime as dt

from programme import services
from tests import factories

VOTE_DAY = dt.date(2021, 3, 1)  # 民法典 in force (from 2021-01-01)


def community_in(district, **kw):
    street = factories.street(district=district)
    return factories.community(street=street, **kw)


def passed_vote(user, project, kind="will", **kw):
    """300 owners / 30 000 m²; 250 took part, 240 agreed: passes any matter."""
    args = {
        "total_owners": 300,
        "total_area_m2": 30000,
        "participants_owners": 250,
        "participants_area_m2": 25000,
        "consent_owners": 240,
        "consent_area_m2": 24000,
        "matter": "ordinary",
        "held_on": VOTE_DAY,
    }
    args.update(kw)
    return services.vote_record(user=user, project=project, kind=kind, **args)


def to_reserve_pool(user, project, *, item="road", quantity=100):
    """Walk a project from will_vote to reserve_pool with all the evidence."""
    passed_vote(user, project, "will")
    services.project_item_add(
        user=user, project=project, works_item=item, quantity=quantity
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
    services.project_advance(user=user, project=project, to_stage="plan_vote")
    passed_vote(user, project, "plan", matter="major")
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
