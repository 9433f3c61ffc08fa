"""Tests for geoapp.analysis.stages: project state machine (四(二), 四(三))."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from geoapp.analysis.stages import (
    PUBLIC_STAGE,
    PUBLIC_STAGES,
    STAGES,
    StageError,
    advance,
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
    "street_review": {"plan_vote": PASSED},
    "district_review": {"implementation_plan": "街道初步实施方案"},
    "reserve_pool": {"sub_status": "generated"},
    "annual_plan": {
        "reserve_entry": "R-2021-007",
        "plan_year": 2021,
        "today": dt.date(2021, 10, 15),
    },
    "construction": {"annual_plan": "2021 plan", "permit": "报建 123"},
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


def test_clause_4_2_3_street_review_needs_passed_plan_vote() -> None:
    with pytest.raises(StageError, match="plan_vote"):
        advance("plan_vote", "street_review", {"plan_vote": {"passed": False}})


def test_clause_4_2_4_reserve_pool_sub_status() -> None:
    t = advance("district_review", "reserve_pool", {})
    assert t.sub_status == "conceived"
    assert t.public_stage == "in_reserve"
    # moving inside the pool (谋划 → 实施) is allowed
    t = advance("reserve_pool", "reserve_pool", {"sub_status": "implementing"})
    assert t.sub_status == "implementing"
    assert "实施" in t.reasons[-1].text_zh
    with pytest.raises(StageError, match="sub_status"):
        advance("reserve_pool", "reserve_pool", {"sub_status": "dreaming"})


def test_clause_4_2_4_annual_plan_needs_reserve_entry() -> None:
    ev = dict(EVIDENCE["annual_plan"])
    del ev["reserve_entry"]
    with pytest.raises(StageError, match="reserve_entry"):
        advance("reserve_pool", "annual_plan", ev)


def test_clause_4_2_4_locked_annual_plan_rejects_new_project() -> None:
    ev = {**EVIDENCE["annual_plan"], "today": dt.date(2021, 11, 1)}
    with pytest.raises(StageError, match="locked"):
        advance("reserve_pool", "annual_plan", ev)
    # explicitly reopened by the district government: allowed
    t = advance("reserve_pool", "annual_plan", {**ev, "reopened": True})
    assert t.public_stage == "in_annual_plan"


def test_clause_4_3_1_construction_needs_annual_plan() -> None:
    with pytest.raises(StageError, match="annual_plan"):
        advance("annual_plan", "construction", {"permit": "x"})


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
