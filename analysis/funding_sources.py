"""Where a project's money comes from (三, 六(二)) and the utilities' pipeline shares
(四(四)4, 三(二)), as pure functions.

The funding split (:mod:`analysis.funding`) says who *should* pay: the government,
the owners, the utilities and social capital, and how much of the government's outlay
the city subsidises (三(一)). This module takes what was actually *arranged*, money by
source, and reconciles the two:

* **error** — the sources do not add up to the project's total investment (the sum of
  the item bases of the split); the city-subsidy row differs from the split's city
  subsidy (40 % of the eligible government outlay, central districts only: outside them
  any city subsidy is an error); the utilities' row differs from the sum of the
  utilities' pipeline amounts recorded per utility (part 四(四)4);
* **warning** — a payer group (government = central special funds + special bonds +
  district special funds + city subsidy; owners = direct contributions + provident-fund
  withdrawals + maintenance fund; utilities; social = social capital + banks and
  insurers + original work units) differs from the split's share for that payer: the
  split is the standard, a district may arrange otherwise, but the page says so; a city
  subsidy that matches a *provisional* split (budgets, no audited final accounts yet)
  is flagged as an estimate.

All amounts are :class:`decimal.Decimal` yuan (0.01); comparisons are exact to the fen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from analysis.eligibility import Reason
from analysis.funding import CENT, PAYERS, to_yuan

__all__ = [
    "GROUPS",
    "PIPELINE_WORKS",
    "SOURCES",
    "UTILITIES",
    "Check",
    "Reconciliation",
    "UtilityLine",
    "reconcile",
    "source_group",
    "utility_lines",
]

#: source code -> (payer group of :data:`analysis.funding.PAYERS`, clause of the plan)
SOURCES: Final[dict[str, tuple[str, str]]] = {
    "central_special": ("government", "三(一)"),
    "special_bonds": ("government", "三(一)"),
    "district_special": ("government", "三(一)"),
    "city_subsidy": ("government", "三(一)"),
    "utilities": ("utilities", "三(二)"),
    "original_units": ("social_capital", "三(二)"),
    "owners_direct": ("owners", "三(三)"),
    "provident_fund": ("owners", "三(三)"),
    "maintenance_fund": ("owners", "三(三)"),
    "social_capital": ("social_capital", "三(二)"),
    "bank_insurance": ("social_capital", "三(二)"),
}
#: payer group -> its sources, in :data:`SOURCES` order
GROUPS: Final[dict[str, tuple[str, ...]]] = {
    p: tuple(s for s, (g, _c) in SOURCES.items() if g == p) for p in PAYERS
}
#: the utilities of 四(四)4 / 三(二): power, telecom, cable TV, gas, water
UTILITIES: Final[tuple[str, ...]] = ("power", "telecom", "cable_tv", "gas", "water")
#: works-catalogue codes whose base is the project's pipeline cost
PIPELINE_WORKS: Final[tuple[str, ...]] = ("pipelines",)

_GROUP_ZH = {
    "government": "政府资金",
    "owners": "居民出资",
    "utilities": "管线单位",
    "social_capital": "社会资金",
}


def source_group(source: str) -> str:
    """The payer group of a source; ``ValueError`` for an unknown source."""
    try:
        return SOURCES[source][0]
    except KeyError:
        raise ValueError(
            f"unknown funding source {source!r}; expected one of {tuple(SOURCES)}"
        ) from None


@dataclass(frozen=True)
class UtilityLine:
    """One utility's part of the pipeline cost: its share, its amount, the expected
    amount from the share (``None`` without a share or a pipeline base)."""

    utility: str
    share: Decimal | None
    amount_yuan: Decimal
    expected_yuan: Decimal | None


def utility_lines(
    rows: Iterable[tuple[str, Decimal | None, Decimal | None]],
    *,
    pipeline_base_yuan: Decimal,
) -> list[UtilityLine]:
    """Validate the utilities of a project and derive missing amounts.

    ``rows``: ``(utility, share 0–1 or None, amount or None)``. A row needs a share or
    an amount; an amount missing is ``share × pipeline base``. Raises ``ValueError``
    for an unknown or repeated utility, a share outside 0–1, shares above 100 % in
    total, a negative amount, or a share-only row without a pipeline base.
    """
    base = to_yuan(pipeline_base_yuan, name="pipeline base")
    seen: set[str] = set()
    total_share = Decimal(0)
    out = []
    for utility, share, amount in rows:
        if utility not in UTILITIES:
            raise ValueError(
                f"unknown utility {utility!r}; expected one of {UTILITIES}"
            )
        if utility in seen:
            raise ValueError(f"utility {utility} is listed twice")
        seen.add(utility)
        if share is not None:
            share = Decimal(share)
            if not share.is_finite() or not Decimal(0) <= share <= 1:
                raise ValueError(
                    f"{utility}: pipeline cost share must be between 0 and 1, got {share}"
                )
            total_share += share
        if share is None and amount is None:
            raise ValueError(f"{utility}: give a pipeline cost share or an amount")
        expected = (
            (base * share).quantize(CENT, rounding=ROUND_HALF_UP)
            if share is not None and base > 0
            else None
        )
        if amount is None:
            if expected is None:
                raise ValueError(
                    f"{utility}: the project has no pipeline works (配套管线改造) to take "
                    "a share of: give an amount"
                )
            amount = expected
        out.append(
            UtilityLine(
                utility, share, to_yuan(amount, name=f"{utility}: amount"), expected
            )
        )
    if total_share > 1:
        raise ValueError(
            f"the utilities' pipeline cost shares add up to {total_share:.0%}, more "
            "than 100 %"
        )
    return out


@dataclass(frozen=True)
class Check:
    """One reconciliation line: what was recorded against what the split expects."""

    key: str
    label_zh: str
    recorded_yuan: Decimal
    expected_yuan: Decimal
    severity: str  # "ok", "warning", "error"
    clause: str

    @property
    def difference_yuan(self) -> Decimal:
        return self.recorded_yuan - self.expected_yuan


@dataclass(frozen=True)
class Reconciliation:
    """The sources of a project against its funding split.

    ``status`` is the worst severity (``"ok"``, ``"warning"``, ``"error"``), or
    ``"empty"`` when no source is recorded; ``by_source`` and ``by_group`` are the
    recorded sums.
    """

    status: str
    total_yuan: Decimal
    by_source: dict[str, Decimal]
    by_group: dict[str, Decimal]
    checks: list[Check] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)


def _sums(rows: Iterable[tuple[str, Decimal]]) -> tuple[dict[str, Decimal], int]:
    by_source = dict.fromkeys(SOURCES, Decimal("0.00"))
    n = 0
    for source, amount in rows:
        source_group(source)
        by_source[source] += to_yuan(amount, name=f"{source}: amount")
        n += 1
    return by_source, n


def reconcile(
    rows: Iterable[tuple[str, Decimal]],
    *,
    total_yuan: Decimal,
    payer_totals: Mapping[str, Decimal],
    city_subsidy_yuan: Decimal,
    city_subsidy_provisional: bool,
    district_is_central: bool,
    utilities_recorded_yuan: Decimal | None,
) -> Reconciliation:
    """Reconcile the recorded sources with the funding split (see the module doc).

    Parameters
    ----------
    rows : iterable of (source, amount)
        Every source row of the project (several years may repeat a source).
    total_yuan, payer_totals, city_subsidy_yuan, city_subsidy_provisional :
        From :class:`analysis.funding.FundingBreakdown`.
    district_is_central : bool
        Whether the city subsidy applies at all (三(一)).
    utilities_recorded_yuan : Decimal or None
        Sum of the utilities' pipeline amounts (四(四)4); ``None``: no utility is
        recorded, then the utilities' source row is compared with nothing.
    """
    by_source, n = _sums(rows)
    by_group = {p: sum((by_source[s] for s in GROUPS[p]), Decimal(0)) for p in PAYERS}
    recorded = sum(by_source.values(), Decimal(0))
    if not n:
        return Reconciliation(
            "empty",
            recorded,
            by_source,
            by_group,
            reasons=[
                Reason(
                    "三",
                    "尚未录入资金来源。",
                    "No funding source is recorded yet.",
                )
            ],
        )
    checks: list[Check] = []
    reasons: list[Reason] = []

    def check(key, label, got, want, bad, clause, zh, en):
        severity = "ok" if got == want else bad
        checks.append(Check(key, label, got, want, severity, clause))
        if severity != "ok":
            reasons.append(Reason(clause, zh, en))

    total = to_yuan(total_yuan, name="total")
    check(
        "total",
        "资金来源合计 / 项目总投资",
        recorded,
        total,
        "error",
        "三",
        f"资金来源合计 {recorded} 元，与项目总投资 {total} 元不符（差额 {recorded - total} 元）。",
        f"The sources add up to {recorded} yuan, the total investment is {total} "
        f"yuan (difference {recorded - total}).",
    )
    city = by_source["city_subsidy"]
    subsidy = to_yuan(city_subsidy_yuan, name="city subsidy")
    if not district_is_central:
        check(
            "city_subsidy",
            "市级补助",
            city,
            Decimal("0.00"),
            "error",
            "三(一)",
            f"项目不在市中心城区（或在奉化区）：无市级补助，但录入了 {city} 元。",
            f"Not a central-district project: no city subsidy, yet {city} yuan is "
            "recorded.",
        )
    else:
        check(
            "city_subsidy",
            "市级补助（政府出资额的40%）",
            city,
            subsidy,
            "error",
            "三(一)",
            f"市级补助录入 {city} 元，按资金分担应为 {subsidy} 元（政府出资额的40%，"
            "不含加装电梯、危房解危）。",
            f"City subsidy recorded {city} yuan; the funding split gives {subsidy} "
            "yuan (40 % of the eligible government outlay).",
        )
        if city_subsidy_provisional and city == subsidy and subsidy:
            reasons.append(
                Reason(
                    "三(一)",
                    "市级补助按预算暂估：竣工财务决算核定后须重新核对。",
                    "The city subsidy is estimated on budgets: reconcile again once "
                    "the final accounts are audited.",
                )
            )
    if utilities_recorded_yuan is not None:
        utilities = to_yuan(utilities_recorded_yuan, name="utilities")
        got = by_source["utilities"]
        check(
            "utilities_rows",
            "管线单位出资 / 各管线单位分担合计",
            got,
            utilities,
            "error",
            "四(四)4",
            f"管线单位资金来源 {got} 元，与各管线单位分担金额合计 {utilities} 元不符。",
            f"The utilities' source is {got} yuan, their recorded pipeline amounts "
            f"add up to {utilities} yuan.",
        )
    for payer in PAYERS:
        got, want = by_group[payer], to_yuan(payer_totals.get(payer, 0), name=payer)
        check(
            f"group_{payer}",
            f"{_GROUP_ZH[payer]} / 资金分担",
            got,
            want,
            "warning",
            SOURCES[GROUPS[payer][0]][1],
            f"{_GROUP_ZH[payer]} {got} 元，资金分担为 {want} 元（差额 {got - want} 元）。",
            f"{payer}: {got} yuan arranged, the funding split gives {want} yuan.",
        )
    severities = {c.severity for c in checks}
    status = (
        "error"
        if "error" in severities
        else "warning"
        if "warning" in severities
        else "ok"
    )
    return Reconciliation(status, recorded, by_source, by_group, checks, reasons)
