"""services: 四(二) votes.

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
from django.utils import timezone

from programme import services
from programme.models import (
    Vote,
)

from .builders import (
    _project,
    community_in,
    pass_plan,
    passed_vote,
    to_plan_vote,
)

pytestmark = pytest.mark.django_db
D = Decimal


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
