"""Long-term management: maintenance fund and public revenue (五(三), 五(四)).

五(三): when the balance of the special maintenance fund (专项维修资金) falls below
30 % of the new-build standard, owners start paying a daily maintenance fee
(日常维修费) from the year it fell short.

五(四): public revenue — parking fees on added spaces, rent of refurbished
premises, advertising on common parts — is published and moved into the
maintenance fund account to top it up.

Money is :class:`decimal.Decimal` yuan rounded to 0.01 (``ROUND_HALF_UP``), the
same convention as :mod:`analysis.funding`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, NamedTuple

from analysis.eligibility import Reason
from analysis.funding import to_yuan

__all__ = [
    "FUND_FLOOR_RATIO",
    "REVENUE_SOURCES",
    "FundStatus",
    "RevenueTransfer",
    "maintenance_fund_status",
    "public_revenue_transfer",
]

#: 五(三): 不足新建项目标准30%.
FUND_FLOOR_RATIO: Final = Decimal("0.30")
#: 五(四): the public revenue sources named in the clause (+ "other").
REVENUE_SOURCES: Final[dict[str, str]] = {
    "parking": "停车费",
    "rent": "经营用房出租",
    "advertising": "广告费",
    "other": "其他公共收益",
}


class FundStatus(NamedTuple):
    """``(ratio, below_30pct, daily_fee_start_year)`` of a maintenance fund.

    ``ratio`` is balance / standard as a Decimal rounded to 4 places;
    ``daily_fee_start_year`` is the year the fee starts (None if not below).
    """

    ratio: Decimal
    below_30pct: bool
    daily_fee_start_year: int | None

    @property
    def reason(self) -> Reason:
        """The clause-cited explanation of this status."""
        pct = f"{self.ratio:.2%}"
        if self.below_30pct:
            return Reason(
                "五(三)",
                f"维修资金余额为新建项目标准的{pct}，不足30%：自"
                f"{self.daily_fee_start_year}年起缴纳日常维修费。",
                f"Fund balance is {pct} of the new-build standard, below 30 %: the "
                f"daily maintenance fee starts in {self.daily_fee_start_year}.",
            )
        return Reason(
            "五(三)",
            f"维修资金余额为新建项目标准的{pct}，不低于30%。",
            f"Fund balance is {pct} of the new-build standard, not below 30 %.",
        )


def maintenance_fund_status(
    balance: Any,
    standard: Any,
    year: int,
    *,
    floor_ratio: Any = FUND_FLOOR_RATIO,
    shortfall_since: int | None = None,
) -> FundStatus:
    """Check the maintenance fund against the 30 % floor (五(三)).

    Parameters
    ----------
    balance : number
        Fund balance in yuan (``fund_balance_yuan`` of DATA_MODEL.md).
    standard : number
        What a new-build project of the same size would hold (yuan,
        ``fund_standard_yuan``); must be positive.
    year : int
        Year of the balance.
    floor_ratio : number, default 0.30
        The floor; from ``fixtures/programme/maintenance.json``.
    shortfall_since : int, optional
        First year the fund was already known to be short; the fee starts
        then (自不足当年开始) rather than in ``year``.

    Returns
    -------
    FundStatus

    Raises
    ------
    ValueError
        Negative balance, non-positive standard, floor outside (0, 1], a
        ``shortfall_since`` after ``year``.
    """
    bal = to_yuan(balance, name="balance")
    std = to_yuan(standard, name="standard")
    if std == 0:
        raise ValueError("standard must be positive (the new-build fund standard)")
    floor = Decimal(str(floor_ratio))
    if not 0 < floor <= 1:
        raise ValueError(f"floor_ratio must be in (0, 1], got {floor_ratio}")
    if isinstance(year, bool) or not isinstance(year, int):
        raise ValueError(f"year must be an int, got {year!r}")
    if shortfall_since is not None and shortfall_since > year:
        raise ValueError("shortfall_since must not be after year")
    exact = bal / std
    below = exact < floor
    start = (shortfall_since or year) if below else None
    ratio = exact.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return FundStatus(ratio, below, start)


@dataclass(frozen=True)
class RevenueTransfer:
    """Public revenue of a year and what moves into the maintenance fund (五(四))."""

    by_source: dict[str, Decimal]
    total_yuan: Decimal
    expenses_yuan: Decimal
    transfer_yuan: Decimal
    fund_balance_after_yuan: Decimal | None
    reasons: list[Reason] = field(default_factory=list)


def public_revenue_transfer(
    revenue: Mapping[str, Any],
    *,
    expenses: Any = 0,
    fund_balance: Any = None,
) -> RevenueTransfer:
    """Move a year's public revenue into the maintenance fund (五(四)).

    Parameters
    ----------
    revenue : Mapping
        ``{source: yuan}`` with sources from :data:`REVENUE_SOURCES`
        (``parking``, ``rent``, ``advertising``, ``other``).
    expenses : number, default 0
        Costs of earning the revenue (collection, management), published with
        it; the net revenue is transferred.
    fund_balance : number, optional
        Fund balance before the transfer, to report the balance after.

    Raises
    ------
    ValueError
        Unknown source, negative amounts, expenses above revenue.
    """
    by_source: dict[str, Decimal] = {}
    for source, amount in revenue.items():
        if source not in REVENUE_SOURCES:
            raise ValueError(
                f"unknown public revenue source {source!r}; expected one of "
                f"{sorted(REVENUE_SOURCES)}"
            )
        by_source[source] = to_yuan(amount, name=f"revenue[{source!r}]")
    total = sum(by_source.values(), Decimal("0.00"))
    cost = to_yuan(expenses, name="expenses")
    if cost > total:
        raise ValueError(f"expenses ({cost}) exceed public revenue ({total})")
    transfer = total - cost
    after = (
        None
        if fund_balance is None
        else to_yuan(fund_balance, name="fund_balance") + transfer
    )
    parts = "、".join(REVENUE_SOURCES[s] for s in by_source) or "无"
    reasons = [
        Reason(
            "五(四)",
            f"公共收益（{parts}）合计{total}元，扣除成本{cost}元，{transfer}元转入"
            "专项维修资金账户，并在物业管理区域内公示。",
            f"Public revenue ({', '.join(by_source) or 'none'}) {total} yuan, "
            f"costs {cost}: {transfer} yuan moved into the maintenance fund and "
            "published.",
        )
    ]
    return RevenueTransfer(by_source, total, cost, transfer, after, reasons)
