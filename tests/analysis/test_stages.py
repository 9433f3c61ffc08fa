"""Tests for analysis.stages: project state machine (四(二), 四(三))."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from analysis.stages import (
    PUBLIC_STAGE,
    PUBLIC_STAGES,
    STAGES,
    StageError,
    advance,
    batch_of,
    missing_evidence,
    public_stage,
)

PASSED = {"passed": True}
PLAN = {
    "design": "drawings.pdf",
    "budget": 1_200_000,
    "funding_plan": "gov 70 %, owners 30 %",
    "long_term_management": "professional property management",
}
#: Evidence that satisfies every guard on the way.
EVIDENCE: dict[str, dict[str, Any]] = {
    "will_vote": {},
    "application": {"will_vote": PASSED, "chosen_items": ["road", "stairwell"]},
    "preliminary_plan": {"written_application": "申请书 2021-03-01"},
    "plan_vote": {"plan": PLAN},
    "street_review": {
        "plan_votes": {
            "matters": ["other_major", "rebuild"],
            "votes": {"other_major": PASSED, "rebuild": PASSED},
        }
    },
    "district_review": {"implementation_plan": "街道初步实施方案"},
    "reserve_pool": {"sub_status": "generated"},
    "annual_plan": {
        "reserve_entry": "R-2021-007",
        "annual_plan": {"year": 2022, "fixed": True},
    },
    "construction": {
        "annual_plan": {"year": 2022, "fixed": True},
        "permit": "报建 123",
    },
    "completion_acceptance": {
        "acceptance": {
            "passed": True,
            "parties": ["design", "construction", "supervision", "owners"],
        }
    },
    "handover": {"handed_over_to": ["owners_committee", "utilities"]},
    "warranty": {"warranty_end": dt.date(2024, 6, 30)},
    "post_evaluation": {"evaluation": "后评估报告"},
}


def test_clause_4_2_and_4_3_full_walk_through_all_stages() -> None:
    current = None
    seen_public = []
    for stage in STAGES:
        transition = advance(current, stage, EVIDENCE[stage])
        assert transition.to_stage == stage
        seen_public.append(transition.public_stage)
        current = stage
    assert seen_public[0] == "not_started"
    assert seen_public[-1] == "post_evaluated"
    # public stages appear in DATA_MODEL order, each at least once
    assert list(dict.fromkeys(seen_public)) == list(PUBLIC_STAGES)


def test_public_stage_mapping_covers_every_stage() -> None:
    assert set(PUBLIC_STAGE) == set(STAGES)
    assert set(PUBLIC_STAGE.values()) == set(PUBLIC_STAGES)
    assert public_stage("warranty") == "handed_over"
    with pytest.raises(StageError, match="unknown stage"):
        public_stage("demolition")


def test_clause_4_2_1_application_needs_passed_will_vote_and_items() -> None:
    with pytest.raises(StageError, match="will_vote.*chosen_items"):
        advance("will_vote", "application", {"will_vote": {"passed": False}})
    unmet = missing_evidence("will_vote", "application", {"will_vote": PASSED})
    assert [r.clause for r in unmet] == ["四(二)1"]


def test_clause_4_2_3_plan_vote_needs_complete_plan() -> None:
    partial = {k: v for k, v in PLAN.items() if k != "long_term_management"}
    with pytest.raises(StageError, match="long_term_management"):
        advance("preliminary_plan", "plan_vote", {"plan": partial})
    unmet = missing_evidence("preliminary_plan", "plan_vote", {})
    assert len(unmet) == 4


def test_clause_2_2_1_plan_for_a_community_with_dangerous_buildings_needs_the_item() -> (
    None
):
    """危房清零: a plan for a community with D-grade buildings must include 危房解危
    (the old guard asked for design, budget, funding and management only)."""
    ev = {"plan": PLAN, "dangerous_buildings": {"c": 0, "d": 2}}
    with pytest.raises(StageError, match="二\\(二\\)1: .* 2 D-grade"):
        advance("preliminary_plan", "plan_vote", ev)
    ok = {
        "plan": {**PLAN, "dangerous_item": True},
        "dangerous_buildings": ev["dangerous_buildings"],
    }
    assert advance("preliminary_plan", "plan_vote", ok).to_stage == "plan_vote"
    # no dangerous buildings: no item needed
    advance("preliminary_plan", "plan_vote", {"plan": PLAN, "dangerous_buildings": {}})


def test_clause_2_2_1_acceptance_needs_every_c_d_building_made_safe() -> None:
    """Acceptance used to pass with C/D buildings left standing."""
    base = dict(EVIDENCE["completion_acceptance"])
    ev = {**base, "dangerous_buildings": {"c": 3, "d": 1}}
    with pytest.raises(StageError, match="3 C-grade and 1 D-grade"):
        advance("construction", "completion_acceptance", ev)
    partial = {**ev, "dangerous_cleared": {"c": 3, "d": 0}}
    with pytest.raises(StageError, match="dangerous_cleared"):
        advance("construction", "completion_acceptance", partial)
    done = {**ev, "dangerous_cleared": {"c": 3, "d": 1}}
    assert advance("construction", "completion_acceptance", done).public_stage == (
        "accepted"
    )
    with pytest.raises(StageError, match="non-negative int"):
        advance(
            "construction",
            "completion_acceptance",
            {**ev, "dangerous_cleared": {"c": "3"}},
        )


def test_clause_4_2_3_street_review_needs_passed_plan_vote() -> None:
    with pytest.raises(StageError, match="plan_votes"):
        advance("plan_vote", "street_review", {})


def test_clause_4_2_3_every_matter_of_the_plan_must_pass() -> None:
    """A plan with a lift puts 'rebuild' to the owners as well as the plan itself:
    the plan's ordinary vote alone is not enough (the old guard took one vote)."""
    ev = {
        "plan_votes": {
            "matters": ["other_major", "rebuild"],
            "votes": {"other_major": PASSED, "rebuild": {"passed": False}},
        }
    }
    with pytest.raises(StageError, match="'rebuild'"):
        advance("plan_vote", "street_review", ev)
    del ev["plan_votes"]["votes"]["rebuild"]
    with pytest.raises(StageError, match="'rebuild'"):
        advance("plan_vote", "street_review", ev)


def test_clause_4_2_4_reserve_pool_sub_status() -> None:
    t = advance("district_review", "reserve_pool", {})
    assert t.sub_status == "generated"
    assert t.public_stage == "in_reserve"
    # kept for a later year (储备一批) inside the pool
    t = advance("reserve_pool", "reserve_pool", {"sub_status": "reserved"})
    assert t.sub_status == "reserved"
    assert "储备" in t.reasons[-1].text_zh
    with pytest.raises(StageError, match="sub_status"):
        advance("reserve_pool", "reserve_pool", {"sub_status": "dreaming"})


def test_clause_4_2_4_implementing_batch_is_not_a_pool_sub_status() -> None:
    """实施一批 are the projects being built, not a label of one still in the pool
    (the old machine let a pool project be 'implementing')."""
    with pytest.raises(StageError, match="sub_status"):
        advance("reserve_pool", "reserve_pool", {"sub_status": "implementing"})
    with pytest.raises(StageError, match="sub_status"):
        advance("district_review", "reserve_pool", {"sub_status": "conceived"})
    assert batch_of("preliminary_plan") == "conceived"
    assert batch_of("reserve_pool") == "generated"
    assert batch_of("reserve_pool", "reserved") == "reserved"
    assert batch_of("annual_plan") == batch_of("construction") == "implementing"
    assert batch_of("will_vote") is None and batch_of("handover") is None


def test_clause_4_2_4_annual_plan_needs_reserve_entry() -> None:
    ev = dict(EVIDENCE["annual_plan"])
    del ev["reserve_entry"]
    with pytest.raises(StageError, match="reserve_entry"):
        advance("reserve_pool", "annual_plan", ev)


def test_clause_4_2_4_annual_plan_stage_needs_a_fixed_plan_not_a_date() -> None:
    """The stage follows the plan fixed by 31 October, whatever today is; a draft
    plan is not enough (the old guard compared today with the deadline)."""
    draft = {**EVIDENCE["annual_plan"], "annual_plan": {"year": 2022, "fixed": False}}
    with pytest.raises(StageError, match="fixed"):
        advance("reserve_pool", "annual_plan", draft)
    t = advance("reserve_pool", "annual_plan", EVIDENCE["annual_plan"])
    assert t.public_stage == "in_annual_plan"


def test_clause_4_3_1_construction_needs_a_fixed_annual_plan() -> None:
    with pytest.raises(StageError, match="annual_plan"):
        advance("annual_plan", "construction", {"permit": "x"})
    draft = {"annual_plan": {"year": 2022, "fixed": False}, "permit": "x"}
    with pytest.raises(StageError, match="fixed"):
        advance("annual_plan", "construction", draft)


def test_clause_4_3_3_acceptance_needs_all_parties() -> None:
    ev = {"acceptance": {"passed": True, "parties": ["design", "construction"]}}
    with pytest.raises(StageError, match=r"supervision.*owners"):
        advance("construction", "completion_acceptance", ev)


def test_clause_4_3_4_and_4_3_5_handover_warranty_post_evaluation_guards() -> None:
    with pytest.raises(StageError, match="handed_over_to"):
        advance("completion_acceptance", "handover", {})
    with pytest.raises(StageError, match="warranty_end"):
        advance("handover", "warranty", {"warranty_end": "2024"})
    with pytest.raises(StageError, match="evaluation"):
        advance("warranty", "post_evaluation", {})


def test_stage_skipped_gives_clear_error() -> None:
    with pytest.raises(
        StageError,
        match="cannot skip from 'application' to 'plan_vote': the next stage is "
        "'preliminary_plan'",
    ):
        advance("application", "plan_vote", EVIDENCE["plan_vote"])
    with pytest.raises(StageError, match="next stage is 'will_vote'"):
        advance(None, "application", EVIDENCE["application"])


def test_stage_going_back_or_unknown_rejected() -> None:
    with pytest.raises(StageError, match="cannot go back"):
        advance("construction", "annual_plan", EVIDENCE["annual_plan"])
    with pytest.raises(StageError, match="unknown target stage"):
        advance("construction", "party", {})
    with pytest.raises(StageError, match="unknown current stage"):
        advance("building", "construction", {})
    # StageError is a ValueError, so callers can catch either
    assert issubclass(StageError, ValueError)
