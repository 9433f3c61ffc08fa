"""Tests for analysis.reserve: reserve pool, annual plan (四(二)4), progress (一(二))."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analysis.reserve import (
    PlanLockedError,
    annual_plan_deadline,
    check_plan_editable,
    programme_progress,
    score_projects,
)

PROGRAMME = Path(__file__).resolve().parents[2] / "fixtures" / "programme"
RULES = json.loads((PROGRAMME / "scoring_rules.json").read_text(encoding="utf-8"))
AS_OF = dt.date(2021, 6, 1)
YEARS = (2020, 2021, 2022)  # programme_period.json: 一(二) from 2020, three years


def project(code: str, district: str, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "code": code,
        "district_code": district,
        "completion_year": 1990,
        "dangerous_c": 0,
        "dangerous_d": 0,
        "will_consent_ratio": 0.8,
        "missing_categories": 0,
        "cofunding_share": 0.0,
        "property_management": "none",
        "in_block": False,
    }
    row.update(kw)
    return row


ROWS = [
    # A: age 41→20, C1×3+D1×5=8, will .92→15, 4 gaps×2=8, co-fund .25→10,
    #    professional→10, block→10: total 81
    project(
        "A",
        "330203",
        completion_year=1980,
        dangerous_c=1,
        dangerous_d=1,
        will_consent_ratio=0.92,
        missing_categories=4,
        cofunding_share=0.25,
        property_management="professional",
        in_block=True,
    ),
    # B: age 26→8, 0, will .70→5, 10 gaps→20 capped 15, .05→0, none→0: total 28
    project(
        "B",
        "330203",
        completion_year=1995,
        will_consent_ratio=0.70,
        missing_categories=10,
        cofunding_share=0.05,
    ),
    # C: age 31→15, C5×3+D2×5=25 capped 20, will .8→10, .3→15, self→5: total 65
    project(
        "C",
        "330213",
        dangerous_c=5,
        dangerous_d=2,
        cofunding_share=0.3,
        property_management="self",
    ),
    # D: age 36→15, D4×5=20, will .95→15, .1→5, professional→10: total 65 (tie),
    #    older than C so ranked first
    project(
        "D",
        "330213",
        completion_year=1985,
        dangerous_d=4,
        will_consent_ratio=0.95,
        cofunding_share=0.1,
        property_management="professional",
    ),
]


def test_clause_4_2_4_score_projects_ranked_per_district() -> None:
    scored = score_projects(ROWS, RULES, as_of=AS_OF)
    assert list(scored["code"]) == ["A", "B", "D", "C"]
    assert list(scored["rank"]) == [1, 2, 1, 2]
    totals = dict(zip(scored["code"], scored["total"]))
    assert totals == {"A": 81, "B": 28, "C": 65, "D": 65}
    a = scored.iloc[0]
    assert a["pts_building_age"] == 20
    assert a["pts_dangerous_buildings"] == 8
    assert a["pts_life_circle_gaps"] == 8
    assert a["pts_block_membership"] == 10
    assert scored.iloc[1]["pts_life_circle_gaps"] == 15  # capped
    assert scored.attrs["clauses"]["block_membership"] == "四(四)1"
    assert scored.attrs["rules_version"] == "scoring-2020"


def test_clause_4_2_4_score_projects_does_not_mutate_input() -> None:
    frame = pd.DataFrame(ROWS)
    before = frame.copy()
    score_projects(frame, RULES, as_of=AS_OF)
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"will_consent_ratio": 1.5}, "will_consent_ratio must be between 0 and 1"),
        ({"dangerous_c": -1}, "dangerous_c must not be negative"),
        ({"property_management": "mafia"}, "property_management='mafia'"),
        ({"completion_year": 2030}, "after the scoring year"),
    ],
)
def test_clause_4_2_4_score_projects_bad_rows(
    change: dict[str, Any], message: str
) -> None:
    rows = [project("X", "330203", **change)]
    with pytest.raises(ValueError, match=message):
        score_projects(rows, RULES, as_of=AS_OF)


def test_clause_4_2_4_score_projects_missing_column_and_duplicates() -> None:
    row = project("X", "330203")
    del row["in_block"]
    with pytest.raises(ValueError, match=r"missing column\(s\) \['in_block'\]"):
        score_projects([row], RULES, as_of=AS_OF)
    with pytest.raises(ValueError, match="duplicate project code"):
        score_projects([project("X", "1"), project("X", "2")], RULES, as_of=AS_OF)
    with pytest.raises(ValueError, match="no rows"):
        score_projects([], RULES, as_of=AS_OF)


def test_clause_4_2_4_plan_of_a_year_is_fixed_by_31_october_before_it() -> None:
    """每年10月底前确定年度…计划: the 2022 plan by 31 October 2021 (the old deadline was
    31 October of the plan's own year)."""
    assert annual_plan_deadline(2022) == dt.date(2021, 10, 31)
    with pytest.raises(ValueError, match="year must be an int"):
        annual_plan_deadline("2021")  # type: ignore[arg-type]


def test_clause_4_2_4_plan_editable_until_deadline() -> None:
    assert check_plan_editable(2022, dt.date(2021, 10, 31), reopened=False) is None
    assert check_plan_editable(2022, dt.date(2021, 11, 1), reopened=True) is None


def test_clause_4_2_4_edit_to_locked_annual_plan_rejected() -> None:
    with pytest.raises(
        PlanLockedError, match="2022 annual plan .* locked on 2021-11-01"
    ):
        check_plan_editable(2022, dt.date(2021, 11, 1), reopened=False)
    assert issubclass(PlanLockedError, ValueError)


COMMUNITIES = [
    {
        "district_code": "330203",
        "stage": "accepted",
        "households": 400,
        "renovated_year": 2020,
        "dangerous_cleared": 2,
        "lifts_installed": 3,
        "facilities_added": 2,
    },
    {
        "district_code": "330203",
        "stage": "post_evaluated",
        "households": 600,
        "renovated_year": 2021,
        "dangerous_cleared": 1,
        "lifts_installed": 0,
        "facilities_added": 1,
    },
    # renovated before the programme: not counted
    {
        "district_code": "330203",
        "stage": "handed_over",
        "households": 999,
        "renovated_year": 2018,
    },
    {
        "district_code": "330203",
        "stage": "under_construction",
        "households": 300,
        "renovated_year": None,
        "dangerous_c": 1,
    },
    {
        "district_code": "330213",
        "stage": "in_reserve",
        "households": 200,
        "renovated_year": None,
        "dangerous_d": 2,
    },
]
TARGETS = {
    "330203": {2020: 1, 2021: 2, 2022: {"communities": 1, "households": 500}},
    "330213": {2020: 0, 2021: 1, 2022: 1},
}


def test_clause_1_2_programme_progress_per_district_and_city() -> None:
    progress = programme_progress(COMMUNITIES, TARGETS, through_year=2021, years=YEARS)
    hs = progress.loc["330203"]
    assert hs["target_communities"] == 3  # 1 (2020) + 2 (2021)
    assert hs["renovated_communities"] == 2
    assert hs["renovated_households"] == 1000
    assert hs["communities_pct"] == pytest.approx(200 / 3)
    assert hs["dangerous_cleared"] == 3
    assert hs["dangerous_remaining"] == 1
    assert hs["lifts_installed"] == 3
    assert hs["facilities_added"] == 2 + 1
    fh = progress.loc["330213"]
    assert fh["renovated_communities"] == 0
    assert fh["communities_pct"] == 0
    city = progress.loc["city"]
    assert city["target_communities"] == 4
    assert city["renovated_communities"] == 2
    assert city["dangerous_remaining"] == 3
    assert progress.attrs["clause"] == "一(二)"


def test_clause_1_2_programme_progress_full_three_years() -> None:
    progress = programme_progress(COMMUNITIES, TARGETS, through_year=2022, years=YEARS)
    assert progress.loc["330203", "target_communities"] == 4
    assert progress.loc["330203", "target_households"] == 500
    assert math.isnan(progress.loc["330213", "target_households"])


def test_clause_1_2_programme_progress_bad_input() -> None:
    with pytest.raises(ValueError, match="unknown stage"):
        programme_progress(
            [{"district_code": "1", "stage": "done", "households": 1}],
            {},
            through_year=2022,
            years=YEARS,
        )
    with pytest.raises(ValueError, match="households must not be negative"):
        programme_progress(
            [{"district_code": "1", "stage": "accepted", "households": -1}],
            {},
            through_year=2022,
            years=YEARS,
        )
    with pytest.raises(ValueError, match="communities must be a non-negative int"):
        programme_progress(
            COMMUNITIES, {"330203": {2020: -1}}, through_year=2022, years=YEARS
        )
