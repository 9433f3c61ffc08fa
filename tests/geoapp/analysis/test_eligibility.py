"""Tests for geoapp.analysis.eligibility: scope rules of clause 二(一)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from geoapp.analysis.eligibility import (
    STATUSES,
    Reason,
    assess_eligibility,
    select_in_force,
)

TODAY = dt.date(2020, 6, 1)
PROGRAMME = Path(__file__).resolve().parents[3] / "fixtures" / "programme"


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
    # one line per check: villa, plans, tenure, year
    assert len(decision.reasons) == 4
    assert "2000" in decision.reasons[-1].text_zh


def test_clause_2_1_completed_in_2000_is_still_priority() -> None:
    # "2000年底前建成交付": 2000 itself is inside the cut-off.
    assert assess_eligibility(community(completion_year=2000), today=TODAY).status == (
        "priority"
    )


def test_clause_2_1_post_2000_with_gaps_and_strong_will_on_application() -> None:
    row = community(completion_year=2005, missing_categories=4, residents_will="strong")
    decision = assess_eligibility(row, today=TODAY)
    assert decision.status == "on_application"
    assert decision.reasons[-1].text_en.startswith("Residents strongly")


def test_clause_2_1_post_2000_will_unknown_needs_vote() -> None:
    row = community(completion_year=2005, missing_categories=3)
    decision = assess_eligibility(row, today=TODAY)
    assert decision.status == "on_application"
    assert decision.reasons[-1].clause == "四(二)1"


@pytest.mark.parametrize(
    ("missing", "will"), [(2, "strong"), (5, "weak"), (None, "strong")]
)
def test_clause_2_1_post_2000_without_gaps_or_will_not_eligible(
    missing: int | None, will: str
) -> None:
    row = community(
        completion_year=2008, missing_categories=missing, residents_will=will
    )
    assert assess_eligibility(row, today=TODAY).status == "not_eligible"


def test_clause_2_1_gap_threshold_is_a_parameter() -> None:
    row = community(completion_year=2008, missing_categories=2, residents_will="strong")
    decision = assess_eligibility(row, today=TODAY, min_missing_categories=2)
    assert decision.status == "on_application"


@pytest.mark.parametrize("housing", ["resettlement", "affordable"])
def test_clause_2_1_resettlement_and_affordable_district_decides(housing: str) -> None:
    decision = assess_eligibility(community(housing_type=housing), today=TODAY)
    assert decision.status == "district_decides"
    assert "自主确定" in decision.reasons[-1].text_zh


def test_clause_2_1_pure_villa_excluded() -> None:
    decision = assess_eligibility(community(housing_type="villa"), today=TODAY)
    assert decision.status == "excluded"
    assert decision.reasons == [
        Reason(
            "二(一)",
            "纯别墅小区不单独列入城镇老旧小区改造范围。",
            "Pure villa communities are not listed on their own in the programme.",
        )
    ]


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


def test_clause_2_1_every_status_is_reachable() -> None:
    rows = [
        community(),
        community(completion_year=2005, missing_categories=5, residents_will="strong"),
        community(housing_type="affordable"),
        community(housing_type="villa"),
        community(land_tenure="collective"),
    ]
    got = {assess_eligibility(r, today=TODAY).status for r in rows}
    assert got == set(STATUSES)


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
