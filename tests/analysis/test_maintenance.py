"""Tests for analysis.maintenance: maintenance fund and public revenue (五)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from analysis.maintenance import (
    FUND_FLOOR_RATIO,
    maintenance_fund_status,
    public_revenue_transfer,
)

PROGRAMME = Path(__file__).resolve().parents[2] / "fixtures" / "programme"
D = Decimal


def test_clause_5_3_fund_below_30pct_starts_daily_fee_that_year() -> None:
    # 250,000 / 1,000,000 = 25 % < 30 % → daily fee from 2021
    ratio, below, start = maintenance_fund_status(250_000, 1_000_000, 2021)
    assert ratio == D("0.2500")
    assert below
    assert start == 2021
    status = maintenance_fund_status(250_000, 1_000_000, 2021)
    assert status.reason.clause == "五(三)"
    assert "2021" in status.reason.text_zh


def test_clause_5_3_fund_at_exactly_30pct_is_not_below() -> None:
    ratio, below, start = maintenance_fund_status("300000.00", 1_000_000, 2021)
    assert ratio == D("0.3000")
    assert not below
    assert start is None


def test_clause_5_3_fee_starts_in_first_short_year() -> None:
    status = maintenance_fund_status(100, 1000, 2022, shortfall_since=2020)
    assert status.daily_fee_start_year == 2020


def test_clause_5_3_floor_matches_fixture() -> None:
    data = json.loads((PROGRAMME / "maintenance.json").read_text(encoding="utf-8"))
    assert D(data["versions"][0]["fund_floor_ratio"]) == FUND_FLOOR_RATIO


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, 1000, 2021), "balance must not be negative"),
        ((100, 0, 2021), "standard must be positive"),
        ((100, -5, 2021), "standard must not be negative"),
        ((100, 1000, "2021"), "year must be an int"),
    ],
)
def test_clause_5_3_bad_input(
    args: tuple[object, object, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        maintenance_fund_status(*args)  # type: ignore[arg-type]


def test_clause_5_4_public_revenue_moves_into_fund() -> None:
    # parking 36,000 + rent 24,000 + advertising 5,000.50 = 65,000.50;
    # minus 5,000.50 collection costs → 60,000 into the fund (200,000 → 260,000)
    result = public_revenue_transfer(
        {"parking": 36_000, "rent": 24_000, "advertising": "5000.50"},
        expenses="5000.50",
        fund_balance=200_000,
    )
    assert result.total_yuan == D("65000.50")
    assert result.transfer_yuan == D("60000.00")
    assert result.fund_balance_after_yuan == D("260000.00")
    assert result.reasons[0].clause == "五(四)"
    # the transfer can lift the fund back above the 30 % floor
    assert not maintenance_fund_status(
        result.fund_balance_after_yuan, 800_000, 2022
    ).below_30pct  # 260,000 / 800,000 = 32.5 %


def test_clause_5_4_bad_revenue() -> None:
    with pytest.raises(ValueError, match="unknown public revenue source 'lottery'"):
        public_revenue_transfer({"lottery": 1})
    with pytest.raises(ValueError, match="must not be negative"):
        public_revenue_transfer({"parking": -1})
    with pytest.raises(ValueError, match="exceed public revenue"):
        public_revenue_transfer({"parking": 10}, expenses=11)
