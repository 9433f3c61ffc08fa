"""Tests for geoapp.analysis.votes: owners' votes (四(二), Civil Code art. 278)."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geoapp.analysis.votes import tally_vote, vote_thresholds_in_force

PROGRAMME = Path(__file__).resolve().parents[3] / "fixtures" / "programme"
DATA = json.loads((PROGRAMME / "vote_thresholds.json").read_text(encoding="utf-8"))
CIVIL = vote_thresholds_in_force(DATA, dt.date(2021, 3, 1))
PROPERTY_LAW = vote_thresholds_in_force(DATA, dt.date(2020, 6, 1))

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
    result = vote(120, 7_500.0, "ordinary")
    assert result.passed
    assert result.law == "民法典第278条"
    assert result.ratios["participation_owners"] == Fraction(210, 300)
    # exactly half is not "过半数"
    assert not vote(105, 7_500.0, "ordinary").passed


def test_clause_4_2_civil_code_278_major_needs_three_quarters() -> None:
    # 158/210 = 75.2 %, 10,600/14,000 = 75.7 % → passes
    assert vote(158, 10_600.0, "major").passed
    # 157/210 = 74.8 % < 3/4 → fails even though the area is enough
    failed = vote(157, 10_600.0, "major")
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
    assert vote(150, 15_000.0, "major", **args).passed
    # 199/300 owners: no quorum, the vote fails whatever the consent
    args = {"participants_owners": 199, "participants_area_m2": 14_000.0}
    result = vote(199, 14_000.0, "ordinary", **args)
    assert not result.passed
    assert "participating owners" in result.reasons[1].text_en.lower()


def test_clause_4_2_property_law_76_before_2021_counts_all_owners() -> None:
    # Property Law: major needs 2/3 of ALL owners and area, no quorum.
    # 158 of 300 owners = 52.7 % → fails under art. 76 but passes under art. 278
    assert not vote(158, 10_600.0, "major", thresholds=PROPERTY_LAW).passed
    assert vote(158, 10_600.0, "ordinary", thresholds=PROPERTY_LAW).passed


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
        ({"matter": "urgent"}, "matter must be one of"),
    ],
)
def test_clause_4_2_impossible_votes_rejected(kw: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {
        **TOTAL,
        **TURNOUT,
        "consent_owners": 150,
        "consent_area_m2": 10_000.0,
        "matter": "ordinary",
        "thresholds": CIVIL,
    }
    args.update(kw)
    with pytest.raises(ValueError, match=message):
        tally_vote(**args)


@given(
    total=st.integers(min_value=1, max_value=2000),
    data=st.data(),
    matter=st.sampled_from(["ordinary", "major"]),
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
