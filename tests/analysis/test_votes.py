"""Tests for analysis.votes: owners' votes (四(二), Civil Code art. 278)."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.funding import catalogue_items
from analysis.votes import (
    matter_rule,
    plan_matters,
    tally_vote,
    vote_thresholds_in_force,
)

PROGRAMME = Path(__file__).resolve().parents[2] / "fixtures" / "programme"
DATA = json.loads((PROGRAMME / "vote_thresholds.json").read_text(encoding="utf-8"))
CIVIL = vote_thresholds_in_force(DATA, dt.date(2021, 3, 1))
PROPERTY_LAW = vote_thresholds_in_force(DATA, dt.date(2020, 6, 1))
CATALOGUE = json.loads((PROGRAMME / "works_catalogue.json").read_text(encoding="utf-8"))
ITEMS = catalogue_items(CATALOGUE, dt.date(2021, 3, 1))
#: an ordinary matter (the plan itself, item 9) and a special one (a lift, item 7)
ORDINARY, SPECIAL = "other_major", "rebuild"

# A community of 300 owners holding 20,000 m²; 210 owners / 14,000 m² vote (70 %).
TOTAL = {"total_owners": 300, "total_area_m2": 20_000.0}
TURNOUT = {"participants_owners": 210, "participants_area_m2": 14_000.0}


def vote(consent_owners: int, consent_area: float, matter: str, **kw: Any):  # type: ignore[no-untyped-def]
    args: dict[str, Any] = {**TOTAL, **TURNOUT, "thresholds": CIVIL, **kw}
    return tally_vote(
        consent_owners=consent_owners,
        consent_area_m2=consent_area,
        matter=matter,  # type: ignore[arg-type]
        **args,
    )


def test_clause_4_2_civil_code_278_ordinary_majority_of_participants() -> None:
    # 120/210 = 57 % of owners, 7,500/14,000 = 54 % of area: > 1/2 → passes
    result = vote(120, 7_500.0, ORDINARY)
    assert result.passed
    assert result.law == "民法典第278条"
    assert result.ratios["participation_owners"] == Fraction(210, 300)
    # exactly half is not "过半数"
    assert not vote(105, 7_500.0, ORDINARY).passed


def test_clause_4_2_civil_code_278_items_6_to_8_need_three_quarters() -> None:
    # 158/210 = 75.2 %, 10,600/14,000 = 75.7 % → passes
    assert vote(158, 10_600.0, SPECIAL).passed
    # 157/210 = 74.8 % < 3/4 → fails even though the area is enough
    failed = vote(157, 10_600.0, SPECIAL)
    assert not failed.passed
    assert any("not met" in r.text_en and "owners" in r.text_en for r in failed.reasons)


def test_clause_4_2_participation_two_thirds_is_inclusive() -> None:
    # exactly 200/300 owners and 20,000/30,000 m² take part: quorum reached;
    # 150/200 owners and 15,000/20,000 m² consent: exactly 3/4 → passes
    args = {
        "total_area_m2": 30_000.0,
        "participants_owners": 200,
        "participants_area_m2": 20_000.0,
    }
    assert vote(150, 15_000.0, SPECIAL, **args).passed
    # 199/300 owners: no quorum, the vote fails whatever the consent
    args = {"participants_owners": 199, "participants_area_m2": 14_000.0}
    result = vote(199, 14_000.0, ORDINARY, **args)
    assert not result.passed
    assert "participating owners" in result.reasons[2].text_en.lower()


def test_clause_4_2_property_law_76_before_2021_counts_all_owners() -> None:
    # Property Law: major needs 2/3 of ALL owners and area, no quorum.
    # 158 of 300 owners = 52.7 % → fails under art. 76 but passes under art. 278
    assert not vote(158, 10_600.0, SPECIAL, thresholds=PROPERTY_LAW).passed
    assert vote(158, 10_600.0, ORDINARY, thresholds=PROPERTY_LAW).passed


def test_clause_4_2_majority_follows_the_matter_and_the_law_in_force() -> None:
    """民法典第278条: items 6-8 (raising the fund, rebuilding, common parts) need 3/4;
    using the fund (item 5) more than half. The old votes.py said "第五至八项" and
    sent fund *use* to 3/4; under 物权法第76条 items 5-6 needed 2/3 of all owners."""
    civil = {m: matter_rule(CIVIL, m).majority for m in CIVIL["matters"]}
    assert civil == {
        "rules_of_procedure": "ordinary",
        "management_statute": "ordinary",
        "committee": "ordinary",
        "property_manager": "ordinary",
        "fund_use": "ordinary",
        "fund_raising": "special",
        "rebuild": "special",
        "common_parts_use": "special",
        "other_major": "ordinary",
    }
    assert matter_rule(CIVIL, "fund_use").clause == "民法典第278条第一款第五项"
    assert matter_rule(CIVIL, "rebuild").fraction == Fraction(3, 4)
    old = matter_rule(PROPERTY_LAW, "fund_use")
    assert (old.majority, old.fraction, old.base) == (
        "special",
        Fraction(2, 3),
        "total",
    )
    # 120/210 participants (57 %) may use the fund, not raise it
    assert vote(120, 8_000.0, "fund_use").passed
    assert not vote(120, 8_000.0, "fund_raising").passed


def test_clause_4_2_3_lift_plan_at_70_percent_fails_at_76_passes() -> None:
    """The done-when of issue 16: a plan adding a lift puts 'rebuild' (item 7) to the
    owners; with 70 % consent of the participants it does not pass, with 76 % it does,
    and nobody chooses the rule."""
    assert plan_matters(["road", "lift"], ITEMS) == ["other_major", "rebuild"]
    assert plan_matters(["road", "stairwell"], ITEMS) == ["other_major"]
    assert plan_matters(["parking"], ITEMS) == ["other_major", "common_parts_use"]
    seventy = vote(147, 9_800.0, "rebuild")  # 147/210 = 70 %, 9,800/14,000 = 70 %
    assert not seventy.passed and seventy.majority == "special"
    assert seventy.reasons[-1].text_zh == "表决未通过。"
    assert vote(160, 10_640.0, "rebuild").passed  # 76.2 %, 76 %
    with pytest.raises(ValueError, match="not in the catalogue"):
        plan_matters(["castle"], ITEMS)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        (
            {"participants_owners": 301},
            r"more participants \(301\) than owners \(300\)",
        ),
        ({"participants_area_m2": 20_001.0}, "exceeds the total area"),
        ({"consent_owners": 211}, r"more consenting owners \(211\) than participants"),
        ({"consent_area_m2": 14_000.5}, "exceeds the participating area"),
        ({"total_owners": -1}, "total_owners must not be negative"),
        ({"consent_area_m2": -1.0}, "consent_area_m2 must not be negative"),
        ({"total_owners": 0}, "must be positive"),
        ({"participants_owners": 2.5}, "participants_owners must be an int"),
        ({"participants_area_m2": float("nan")}, "must be finite"),
        ({"matter": "urgent"}, "unknown matter 'urgent'"),
        ({"matter": "major"}, "unknown matter 'major'"),
    ],
)
def test_clause_4_2_impossible_votes_rejected(kw: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {
        **TOTAL,
        **TURNOUT,
        "consent_owners": 150,
        "consent_area_m2": 10_000.0,
        "matter": ORDINARY,
        "thresholds": CIVIL,
    }
    args.update(kw)
    with pytest.raises(ValueError, match=message):
        tally_vote(**args)


@given(
    total=st.integers(min_value=1, max_value=2000),
    data=st.data(),
    matter=st.sampled_from(sorted(CIVIL["matters"])),
)
@settings(max_examples=200, deadline=None)
def test_clause_4_2_more_consent_never_turns_a_pass_into_a_fail(
    total: int, data: st.DataObject, matter: str
) -> None:
    part = data.draw(st.integers(min_value=1, max_value=total))
    consent = data.draw(st.integers(min_value=0, max_value=part - 1))
    # one m² per owner keeps area and owner counts aligned
    kw: dict[str, Any] = {
        "total_owners": total,
        "total_area_m2": float(total),
        "participants_owners": part,
        "participants_area_m2": float(part),
        "matter": matter,
        "thresholds": CIVIL,
    }
    low = tally_vote(consent_owners=consent, consent_area_m2=float(consent), **kw)
    high = tally_vote(
        consent_owners=consent + 1, consent_area_m2=float(consent + 1), **kw
    )
    assert high.passed or not low.passed
