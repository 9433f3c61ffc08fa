"""Property management and owners' self-governance after renovation (五(一), 五(二)).

五(一): owners' committees (业主委员会) are formed and work according to the law.

五(二): "改管结合、以改促管" — an old community without property management brings in
professional management (专业化物业管理) together with its renovation; where
management exists, the fee is linked to the service level (物业服务收费与物业服务水平
挂钩), and a fee below the level's minimum is what the subsidy for raising fees to the
lowest standard addresses.

The rules here are plain functions over the stored values of a community:

* :func:`is_renovated` — the renovation is finished: the community's public stage is
  completion acceptance or later (the one stage list, :data:`analysis.stages.PUBLIC_STAGES`);
* :func:`fee_check` — a fee against the range of its service level (dated data,
  ``fixtures/programme/property_fees.json``, read by :func:`fee_ranges`);
* :func:`community_governance` — the three flags of one community with their reasons;
* :func:`professional_share` — per group (a district), how many renovated communities
  have professional management.

Fees are :class:`decimal.Decimal` yuan per m² and month.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from analysis.eligibility import Reason
from analysis.stages import PUBLIC_STAGES

__all__ = [
    "MANAGEMENT_KINDS",
    "RENOVATED_STAGES",
    "SERVICE_LEVELS",
    "FeeCheck",
    "FeeRange",
    "GovernanceStatus",
    "ShareRow",
    "community_governance",
    "fee_check",
    "fee_ranges",
    "is_renovated",
    "professional_share",
]

#: the management kinds (``Community.property_management``); only the first counts as
#: professional management in the sense of 五(二)
MANAGEMENT_KINDS: Final[tuple[str, ...]] = ("professional", "none", "self", "work_unit")
#: 物业服务等级, 一级 (the highest) to 五级
SERVICE_LEVELS: Final[tuple[str, ...]] = ("1", "2", "3", "4", "5")
#: public stages at which the renovation is finished (completion acceptance on)
RENOVATED_STAGES: Final[tuple[str, ...]] = PUBLIC_STAGES[
    PUBLIC_STAGES.index("accepted") :
]
_LEVEL_ZH: Final[dict[str, str]] = dict(zip(SERVICE_LEVELS, "一二三四五", strict=True))


@dataclass(frozen=True)
class FeeRange:
    """The fee range of one service level, yuan/m²·month, both ends inclusive."""

    level: str
    low: Decimal
    high: Decimal


def _fee(value: Any, *, name: str) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{name} must be a finite number ≥ 0, got {value!r}")
    return amount


def fee_ranges(version: Mapping[str, Any]) -> dict[str, FeeRange]:
    """The fee range of each service level in one version of ``property_fees.json``.

    Parameters
    ----------
    version : Mapping
        A version in force (:func:`analysis.eligibility.select_in_force`) with
        ``levels``: ``{"1": {"min": "1.50", "max": "2.50"}, …}``.

    Returns
    -------
    dict
        Level code → :class:`FeeRange`.

    Raises
    ------
    ValueError
        No levels, an unknown level, a missing or negative bound, ``min > max``.
    """
    levels = version.get("levels")
    if not isinstance(levels, Mapping) or not levels:
        raise ValueError("property fee data needs 'levels': {level: {min, max}}")
    out = {}
    for level, bounds in levels.items():
        key = str(level)
        if key not in SERVICE_LEVELS:
            raise ValueError(f"unknown service level {level!r}; levels are 1–5")
        if (
            not isinstance(bounds, Mapping)
            or "min" not in bounds
            or "max" not in bounds
        ):
            raise ValueError(f"service level {key}: needs 'min' and 'max'")
        low = _fee(bounds["min"], name=f"level {key} min")
        high = _fee(bounds["max"], name=f"level {key} max")
        if low > high:
            raise ValueError(f"service level {key}: min {low} is above max {high}")
        out[key] = FeeRange(key, low, high)
    return out


@dataclass(frozen=True)
class FeeCheck:
    """A fee against its level's range.

    ``status`` is ``in_range``, ``below`` (under the level's minimum), ``above`` (over
    its maximum), ``no_level`` (a fee without a service level, or a level the data has
    no range for) or ``no_fee`` (nothing recorded).
    """

    status: str
    fee: Decimal | None = None
    range: FeeRange | None = None

    @property
    def flagged(self) -> bool:
        """The fee is outside its level's range."""
        return self.status in ("below", "above")

    @property
    def reason(self) -> Reason:
        r, fee = self.range, self.fee
        if self.status == "no_fee":
            return Reason("五(二)", "未登记物业服务费。", "No property fee recorded.")
        if self.status == "no_level" or r is None:
            return Reason(
                "五(二)",
                f"物业服务费 {fee} 元/m²·月，未定服务等级（或该等级无收费区间）。",
                f"Fee {fee} yuan/m²·month without a service level with a range.",
            )
        zh = f"{_LEVEL_ZH[r.level]}级服务收费区间 {r.low}–{r.high} 元/m²·月"
        en = f"level {r.level} range {r.low}–{r.high} yuan/m²·month"
        if self.status == "below":
            return Reason(
                "五(二)",
                f"物业服务费 {fee} 元/m²·月，低于{zh}：收费与服务等级不挂钩。",
                f"Fee {fee} is below the {en}: fee and level are not linked.",
            )
        if self.status == "above":
            return Reason(
                "五(二)",
                f"物业服务费 {fee} 元/m²·月，高于{zh}：收费与服务等级不挂钩。",
                f"Fee {fee} is above the {en}: fee and level are not linked.",
            )
        return Reason(
            "五(二)",
            f"物业服务费 {fee} 元/m²·月，在{zh}内。",
            f"Fee {fee} is within the {en}.",
        )


def fee_check(level: str, fee: Any, ranges: Mapping[str, FeeRange]) -> FeeCheck:
    """Is ``fee`` within the range of service ``level``?

    Parameters
    ----------
    level : str
        ``"1"``–``"5"``, or ``""`` when none is set.
    fee : number or None
        yuan/m²·month; None when not recorded.
    ranges : Mapping
        From :func:`fee_ranges`.

    Returns
    -------
    FeeCheck

    Raises
    ------
    ValueError
        An unknown level or a negative or non-numeric fee.
    """
    if level and level not in SERVICE_LEVELS:
        raise ValueError(f"unknown service level {level!r}; levels are 1–5")
    if fee is None:
        return FeeCheck("no_fee", None, ranges.get(level) if level else None)
    amount = _fee(fee, name="fee")
    r = ranges.get(level) if level else None
    if r is None:
        return FeeCheck("no_level", amount)
    if amount < r.low:
        return FeeCheck("below", amount, r)
    if amount > r.high:
        return FeeCheck("above", amount, r)
    return FeeCheck("in_range", amount, r)


def is_renovated(stage: str) -> bool:
    """Renovation finished: completion acceptance (竣工验收) or a later public stage."""
    if stage not in PUBLIC_STAGES:
        raise ValueError(f"unknown stage {stage!r}; expected one of {PUBLIC_STAGES}")
    return stage in RENOVATED_STAGES


@dataclass(frozen=True)
class GovernanceStatus:
    """What 五(一), 五(二) ask of one community, with the reasons.

    Attributes
    ----------
    renovated : bool
        Renovation finished (:func:`is_renovated`).
    professional : bool
        Managed by a professional property company.
    bring_in_professional : bool
        Renovated without professional management: the plan asks to bring it in
        (结合小区改造引入专业化物业管理).
    no_committee : bool
        No owners' committee formed (五(一)).
    fee : FeeCheck
        The fee against its level's range.
    reasons : list of Reason
    """

    renovated: bool
    professional: bool
    bring_in_professional: bool
    no_committee: bool
    fee: FeeCheck
    reasons: list[Reason] = field(default_factory=list)


def community_governance(
    *,
    stage: str,
    property_management: str,
    owners_committee: bool,
    service_level: str = "",
    property_fee: Any = None,
    ranges: Mapping[str, FeeRange],
) -> GovernanceStatus:
    """The governance flags of one community (五(一), 五(二)).

    Parameters
    ----------
    stage : str
        Public stage (``Community.stage``).
    property_management : str
        One of :data:`MANAGEMENT_KINDS`.
    owners_committee : bool
        An owners' committee is formed.
    service_level, property_fee
        As :func:`fee_check` takes them.
    ranges : Mapping
        From :func:`fee_ranges`.

    Returns
    -------
    GovernanceStatus

    Raises
    ------
    ValueError
        An unknown stage, management kind or level, a bad fee.
    """
    if property_management not in MANAGEMENT_KINDS:
        raise ValueError(
            f"property_management={property_management!r}; expected one of "
            f"{MANAGEMENT_KINDS}"
        )
    if not isinstance(owners_committee, bool):
        raise ValueError(f"owners_committee must be a bool, got {owners_committee!r}")
    renovated = is_renovated(stage)
    professional = property_management == "professional"
    bring_in = renovated and not professional
    fee = fee_check(service_level, property_fee, ranges)
    reasons = []
    if bring_in:
        reasons.append(
            Reason(
                "五(二)",
                "已完成改造（竣工验收后）但未实行专业化物业管理：应结合改造引入专业化物业管理。",
                "Renovated (accepted or later) without professional property "
                "management: the plan asks to bring it in.",
            )
        )
    elif renovated:
        reasons.append(
            Reason(
                "五(二)",
                "已完成改造，已实行专业化物业管理。",
                "Renovated, with professional property management.",
            )
        )
    if not owners_committee:
        reasons.append(
            Reason(
                "五(一)",
                "尚未成立业主委员会：推进业主委员会依法依规成立。",
                "No owners' committee yet: the plan asks for one to be formed.",
            )
        )
    if fee.status != "no_fee":
        reasons.append(fee.reason)
    return GovernanceStatus(
        renovated, professional, bring_in, not owners_committee, fee, reasons
    )


@dataclass(frozen=True)
class ShareRow:
    """Renovated communities of one group and how many have professional management."""

    group: str
    renovated: int
    professional: int

    @property
    def share(self) -> float | None:
        """professional / renovated (None without renovated communities)."""
        return self.professional / self.renovated if self.renovated else None


def professional_share(rows: Iterable[tuple[str, str, str]]) -> list[ShareRow]:
    """Per group, the renovated communities and those with professional management.

    Parameters
    ----------
    rows : iterable of (group, stage, property_management)
        One per community; ``group`` is typically the district.

    Returns
    -------
    list of ShareRow
        One per group that has a community, in the order the groups first appear.
    """
    counts: dict[str, list[int]] = {}
    for group, stage, management in rows:
        if management not in MANAGEMENT_KINDS:
            raise ValueError(f"property_management={management!r} for group {group!r}")
        c = counts.setdefault(group, [0, 0])
        if is_renovated(stage):
            c[0] += 1
            c[1] += management == "professional"
    return [ShareRow(g, r, p) for g, (r, p) in counts.items()]
