"""services: 四(三) stages.

programme.services on real PostGIS: each clause named in its test, bad input refused.

Cases (二(一) scope: tests/programme/test_scope.py):
三(一) 40 % central / none for Fenghua / lifts and dangerous buildings excluded;
三(二)/三(三) shares; 四(二) art. 278 thresholds; 四(二)4 ranking, 31 October lock
and recorded reopening; 四(三) stage order; 五(三) 30 % floor; 五(四) revenue
moved to the fund; 一(二) progress. Bad input changes nothing (row counts checked).
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programme import services
from programme.models import (
    StageTransition,
)

from .builders import (
    _project,
    community_in,
    passed_vote,
    to_acceptance,
    to_annual_plan,
    to_reserve_pool,
)

pytestmark = pytest.mark.django_db
D = Decimal


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
