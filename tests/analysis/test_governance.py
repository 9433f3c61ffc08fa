"""Governance rules (五(一), 五(二)): renovated without professional management, owners'
committees, fees against their service level's range."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from analysis import governance as gov
from analysis.eligibility import select_in_force

FEES = (
    Path(__file__).resolve().parents[2]
    / "fixtures"
    / "programme"
    / "property_fees.json"
)
RANGES = gov.fee_ranges(
    {
        "levels": {
            "3": {"min": "0.80", "max": "1.30"},
            "5": {"min": "0.30", "max": "0.60"},
        }
    }
)


def test_fixture_is_dated_and_every_level_has_an_ordered_range():
    doc = json.loads(FEES.read_text(encoding="utf-8"))
    assert doc["source"]
    version = select_in_force(doc, dt.date(2024, 6, 1))
    ranges = gov.fee_ranges(version)
    assert set(ranges) == set(gov.SERVICE_LEVELS)
    # a higher level (1 is the highest) never has a lower ceiling
    highs = [ranges[level].high for level in gov.SERVICE_LEVELS]
    assert highs == sorted(highs, reverse=True)


@pytest.mark.parametrize(
    ("level", "fee", "status"),
    [
        ("3", "0.80", "in_range"),  # the bounds are inclusive
        ("3", "1.30", "in_range"),
        ("3", "0.79", "below"),
        ("3", 1.31, "above"),
        ("5", "0.45", "in_range"),
        ("", "0.45", "no_level"),
        ("4", "0.45", "no_level"),  # a level the data has no range for
        ("3", None, "no_fee"),
    ],
)
def test_fee_check(level, fee, status):
    check = gov.fee_check(level, fee, RANGES)
    assert check.status == status
    assert check.flagged == (status in ("below", "above"))
    assert check.reason.clause == "五(二)"


def test_fee_reason_names_the_range():
    check = gov.fee_check("3", "0.50", RANGES)
    assert "0.80–1.30" in check.reason.text_zh and "低于三级" in check.reason.text_zh


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ({}, "levels"),
        ({"levels": {"6": {"min": 1, "max": 2}}}, "unknown service level"),
        ({"levels": {"1": {"min": 2}}}, "min' and 'max"),
        ({"levels": {"1": {"min": 3, "max": 2}}}, "above max"),
        ({"levels": {"1": {"min": -1, "max": 2}}}, "≥ 0"),
    ],
)
def test_fee_ranges_refuse_bad_data(bad, match):
    with pytest.raises(ValueError, match=match):
        gov.fee_ranges(bad)


def test_fee_check_refuses_bad_input():
    with pytest.raises(ValueError, match="unknown service level"):
        gov.fee_check("7", "1", RANGES)
    with pytest.raises(ValueError, match="number"):
        gov.fee_check("3", "cheap", RANGES)
    with pytest.raises(ValueError, match="≥ 0"):
        gov.fee_check("3", "-0.1", RANGES)


@pytest.mark.parametrize(
    ("stage", "renovated"),
    [
        ("not_started", False),
        ("under_construction", False),
        ("accepted", True),
        ("handed_over", True),
        ("post_evaluated", True),
    ],
)
def test_renovated_from_completion_acceptance_on(stage, renovated):
    assert gov.is_renovated(stage) is renovated


def test_unknown_stage_is_refused():
    with pytest.raises(ValueError, match="unknown stage"):
        gov.is_renovated("finished")


@pytest.mark.parametrize("management", ["none", "self", "work_unit"])
def test_renovated_without_professional_management_must_bring_it_in(management):
    s = gov.community_governance(
        stage="handed_over",
        property_management=management,
        owners_committee=True,
        ranges=RANGES,
    )
    assert s.renovated and s.bring_in_professional and not s.no_committee
    assert (
        s.reasons[0].clause == "五(二)" and "引入专业化物业管理" in s.reasons[0].text_zh
    )


def test_professional_or_not_yet_renovated_is_not_flagged():
    done = gov.community_governance(
        stage="accepted",
        property_management="professional",
        owners_committee=False,
        service_level="3",
        property_fee=Decimal("0.5"),
        ranges=RANGES,
    )
    assert not done.bring_in_professional and done.professional
    assert done.no_committee and done.fee.status == "below"
    assert [r.clause for r in done.reasons] == ["五(二)", "五(一)", "五(二)"]
    waiting = gov.community_governance(
        stage="under_construction",
        property_management="none",
        owners_committee=True,
        ranges=RANGES,
    )
    assert not waiting.renovated and not waiting.bring_in_professional
    assert waiting.reasons == []


def test_community_governance_refuses_unknown_values():
    with pytest.raises(ValueError, match="property_management"):
        gov.community_governance(
            stage="accepted",
            property_management="mafia",
            owners_committee=True,
            ranges=RANGES,
        )
    with pytest.raises(ValueError, match="bool"):
        gov.community_governance(
            stage="accepted",
            property_management="none",
            owners_committee="yes",
            ranges=RANGES,
        )


def test_professional_share_per_group():
    rows = [
        ("海曙区", "accepted", "professional"),
        ("海曙区", "handed_over", "none"),
        ("海曙区", "not_started", "professional"),  # not renovated: not counted
        ("江北区", "post_evaluated", "self"),
        ("鄞州区", "applied", "none"),
    ]
    out = {r.group: r for r in gov.professional_share(rows)}
    assert (out["海曙区"].renovated, out["海曙区"].professional) == (2, 1)
    assert out["海曙区"].share == 0.5
    assert out["江北区"].share == 0.0
    assert out["鄞州区"].share is None
