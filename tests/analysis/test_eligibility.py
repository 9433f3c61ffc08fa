"""Tests for analysis.eligibility: scope rules of clause 二(一)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from analysis.eligibility import (
    DEFAULT_SCOPE_RULES,
    STATUSES,
    assess_eligibility,
    eligibility_table,
    select_in_force,
)

TODAY = dt.date(2020, 6, 1)
PROGRAMME = Path(__file__).resolve().parents[2] / "fixtures" / "programme"


def community(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "code": "C001",
        "completion_year": 1995,
        "land_tenure": "state",
        "housing_type": "work_unit",
        "in_shanty_plan": False,
        "in_expropriation_plan": False,
    }
    base.update(overrides)
    return base


def test_clause_2_1_priority_pre_2000_state_land() -> None:
    decision = assess_eligibility(community(), today=TODAY)
    assert decision.status == "priority"
    assert decision.eligible
    assert all(r.clause == "二(一)" for r in decision.reasons)
    # one line per check: plans, tenure, repairable, villa, year
    assert len(decision.reasons) == 5
    assert "2000" in decision.reasons[-1].text_zh


def test_clause_2_1_completed_in_2000_is_still_priority() -> None:
    # "2000年底前建成交付": 2000 itself is inside the cut-off.
    assert assess_eligibility(community(completion_year=2000), today=TODAY).status == (
        "priority"
    )


def post_2000(**overrides: Any) -> dict[str, Any]:
    """Completed 2005; 10 of 26 required categories missing, 2 of them local."""
    row = community(
        completion_year=2005,
        missing_categories=10,
        required_categories=26,
        missing_local=2,
        residents_will="strong",
    )
    row.update(overrides)
    return row


def test_clause_2_1_post_2000_with_gaps_and_strong_will_on_application() -> None:
    decision = assess_eligibility(post_2000(), today=TODAY)
    assert decision.status == "on_application"
    assert decision.eligible and decision.basis == "rule"
    assert decision.reasons[-1].clause == "四(二)1"
    assert decision.reasons[-1].text_en.startswith("The owners' will vote passed")


def test_clause_2_1_post_2000_unknown_will_is_not_eligible() -> None:
    """ "居民改造意愿强烈" is a condition: before the will vote it is not met (the old
    rule answered on_application)."""
    decision = assess_eligibility(post_2000(residents_will=None), today=TODAY)
    assert decision.status == "not_eligible"
    assert not decision.eligible
    assert decision.needs == ("will_vote",)
    assert decision.reasons[-1].clause == "四(二)1"


def test_clause_2_1_post_2000_three_of_26_missing_is_not_many_gaps() -> None:
    """ "缺项较多": 3 of 26 required categories (12 %) is below the 1/3 share in force;
    the old rule (>= 3 categories) let nearly every community in."""
    decision = assess_eligibility(post_2000(missing_categories=3), today=TODAY)
    assert decision.status == "not_eligible"
    assert "12%" in decision.reasons[-1].text_zh


def test_clause_2_1_post_2000_needs_a_gap_among_its_own_facilities() -> None:
    """ "配套设施不完备": many city-level gaps but none in the block / 5-minute tiers."""
    decision = assess_eligibility(post_2000(missing_local=0), today=TODAY)
    assert decision.status == "not_eligible"
    assert "配套设施不完备" in decision.reasons[-1].text_zh


@pytest.mark.parametrize(
    ("overrides", "needs"),
    [
        ({"residents_will": "weak"}, ()),
        ({"missing_categories": None}, ("lifecircle",)),
        ({"required_categories": None}, ("lifecircle",)),
    ],
)
def test_clause_2_1_post_2000_without_gaps_or_will_not_eligible(
    overrides: dict[str, Any], needs: tuple[str, ...]
) -> None:
    decision = assess_eligibility(post_2000(**overrides), today=TODAY)
    assert decision.status == "not_eligible"
    assert decision.needs == needs


def test_clause_2_1_gap_share_is_data() -> None:
    rules = {
        "post_2000": {
            "min_missing_share": "1/10",
            "min_local_missing": 0,
            "local_max_tier_minutes": 5,
        }
    }
    row = post_2000(missing_categories=3, missing_local=0)
    assert assess_eligibility(row, today=TODAY, rules=rules).status == "on_application"


@pytest.mark.parametrize("housing", ["resettlement", "affordable"])
def test_clause_2_1_resettlement_and_affordable_left_to_the_district(
    housing: str,
) -> None:
    """各地自主确定: not eligible until the district records its decision (the old
    bundling mask treated them as priority)."""
    decision = assess_eligibility(community(housing_type=housing), today=TODAY)
    assert decision.status == "district_decides"
    assert not decision.eligible and decision.needs == ("district",)
    assert "自主确定" in decision.reasons[-1].text_zh
    decided = assess_eligibility(
        community(housing_type=housing),
        today=TODAY,
        recorded={"kind": "district", "reason": "区政府2021年计划", "by": "hs"},
    )
    assert decided.eligible and decided.basis == "district"
    assert "区政府2021年计划" in decided.reasons[-1].text_zh


def test_clause_2_1_pure_villa_not_listed_on_its_own_but_joins_a_block() -> None:
    """纯别墅小区不 *单独* 列入: alone it is out, in a 片区 with others it is in (the old
    rule excluded it outright)."""
    alone = assess_eligibility(community(housing_type="villa"), today=TODAY)
    assert alone.status == "with_others_only"
    assert not alone.eligible and alone.needs == ("block",)
    assert "不单独列入" in alone.reasons[-1].text_zh
    joined = assess_eligibility(
        community(housing_type="villa"), today=TODAY, in_block_with_others=True
    )
    assert joined.eligible and joined.basis == "block"


def test_clause_2_1_villa_in_an_expropriation_plan_stays_out_even_in_a_block() -> None:
    row = community(housing_type="villa", in_expropriation_plan=True)
    decision = assess_eligibility(row, today=TODAY, in_block_with_others=True)
    assert decision.status == "excluded" and not decision.eligible


@pytest.mark.parametrize(
    ("shanty", "expro", "word"),
    [(True, False, "棚改"), (False, True, "征收"), (True, True, "棚改计划、征收")],
)
def test_clause_2_1_shanty_or_expropriation_plan_excluded(
    shanty: bool, expro: bool, word: str
) -> None:
    row = community(in_shanty_plan=shanty, in_expropriation_plan=expro)
    decision = assess_eligibility(row, today=TODAY)
    assert decision.status == "excluded"
    assert word in decision.reasons[-1].text_zh
    assert decision.reasons[-1].clause == "二(一)"


def test_clause_2_1_collective_land_not_eligible() -> None:
    decision = assess_eligibility(community(land_tenure="collective"), today=TODAY)
    assert decision.status == "not_eligible"
    assert "集体土地" in decision.reasons[-1].text_zh


def test_clause_2_1_unrepairable_buildings_not_eligible() -> None:
    decision = assess_eligibility(community(repairable=False), today=TODAY)
    assert decision.status == "not_eligible"
    assert "可维修加固" in decision.reasons[-1].text_zh


def test_clause_2_1_city_exception_admits_any_status_with_its_reason() -> None:
    exception = {
        "kind": "exception",
        "reason": "征收计划已撤销，待更新数据",
        "by": "admin",
        "on": dt.date(2021, 3, 1),
    }
    row = community(in_expropriation_plan=True)
    decision = assess_eligibility(row, today=TODAY, recorded=exception)
    assert decision.status == "excluded"  # what the rule says stays visible
    assert decision.eligible and decision.basis == "exception"
    assert "征收计划已撤销" in decision.reasons[-1].text_zh
    assert "2021-03-01" in decision.reasons[-1].text_zh
    # a district decision does not admit anything but 安置房/保障房
    district = {**exception, "kind": "district"}
    assert not assess_eligibility(row, today=TODAY, recorded=district).eligible
    with pytest.raises(ValueError, match="reason"):
        assess_eligibility(row, today=TODAY, recorded={**exception, "reason": " "})


def test_clause_2_1_every_status_is_reachable() -> None:
    rows = [
        community(),
        post_2000(),
        community(housing_type="affordable"),
        community(housing_type="villa"),
        community(in_shanty_plan=True),
        community(land_tenure="collective"),
    ]
    got = {assess_eligibility(r, today=TODAY).status for r in rows}
    assert got == set(STATUSES)


def test_eligibility_table_applies_the_same_rule_to_every_row() -> None:
    rows = [
        community(code="A"),
        community(code="V", housing_type="villa"),
        post_2000(code="N", residents_will=None),
    ]
    table = eligibility_table(rows, today=TODAY, in_block_with_others={"V": True})
    assert table.loc["A", "status"] == "priority"
    assert table.loc["V", "basis"] == "block" and bool(table.loc["V", "eligible"])
    assert table.loc["N", "needs"] == ("will_vote",)
    for code, rec in zip(table.index, rows, strict=True):
        ctx = code == "V"
        single = assess_eligibility(rec, today=TODAY, in_block_with_others=ctx)
        assert table.loc[code, "decision"] == single


def test_scope_rules_fixture_matches_the_defaults() -> None:
    data = json.loads((PROGRAMME / "scope_rules.json").read_text(encoding="utf-8"))
    version = select_in_force(data, dt.date(2021, 6, 1))
    for key, value in DEFAULT_SCOPE_RULES.items():
        assert version[key] == value


def test_clause_2_1_future_completion_year_rejected() -> None:
    with pytest.raises(ValueError, match="completion_year 2031 is in the future"):
        assess_eligibility(community(completion_year=2031), today=TODAY)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"land_tenure": "leasehold"}, "unknown land_tenure 'leasehold'"),
        ({"housing_type": "castle"}, "unknown housing_type"),
        ({"completion_year": "1990"}, "completion_year must be an int"),
        ({"completion_year": 1800}, "before 1900"),
        ({"in_shanty_plan": "no"}, "in_shanty_plan must be a bool"),
        ({"missing_categories": -1}, "missing_categories"),
        ({"missing_categories": 30, "required_categories": 26}, "exceeds"),
        ({"repairable": "yes"}, "repairable must be a bool"),
        ({"residents_will": "maybe"}, "residents_will"),
    ],
)
def test_clause_2_1_bad_input_clear_errors(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        assess_eligibility(community(**overrides), today=TODAY)


def test_clause_2_1_missing_column_named() -> None:
    row = community()
    del row["land_tenure"]
    with pytest.raises(ValueError, match="missing required column 'land_tenure'"):
        assess_eligibility(row, today=TODAY)


def test_select_in_force_picks_version_by_date() -> None:
    data = {
        "versions": [
            {"id": "a", "effective_from": "2007-10-01", "effective_to": "2020-12-31"},
            {"id": "b", "effective_from": "2021-01-01", "effective_to": None},
        ]
    }
    assert select_in_force(data, dt.date(2020, 12, 31))["id"] == "a"
    assert select_in_force(data, dt.date(2021, 1, 1))["id"] == "b"
    with pytest.raises(ValueError, match="no rule version is in force on 2000-01-01"):
        select_in_force(data, dt.date(2000, 1, 1))


def test_every_programme_fixture_has_versions_with_dates() -> None:
    files = sorted(PROGRAMME.glob("*.json"))
    assert len(files) >= 5
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["versions"], path.name
        for version in data["versions"]:
            dt.date.fromisoformat(version["effective_from"])
        select_in_force(data, dt.date(2021, 6, 1))
