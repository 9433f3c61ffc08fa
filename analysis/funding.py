"""Who pays for a renovation project (三 资金筹措), as pure functions.

Clause 三 of the action plan: basic works (基础类) are strongly supported by the
government, improvement works (完善类) moderately, enhancement works (提升类) are
left to social capital. 三(一): the city pays 40 % of the government outlay of the
central urban districts (Fenghua excluded), on the audited final accounts
(核定的竣工财务决算数), excluding lift installation and dangerous-building works,
which keep their own policies. 三(二): utilities invest in pipeline works.
三(三): owners co-pay the items they use exclusively.

All rates, the list of special items and the central-district list are data
(``fixtures/programme/funding_rates.json``, ``districts.json``,
``works_catalogue.json``) with effective dates; the caller loads them and passes
the parsed mappings, and :func:`funding_split` uses the version in force on ``on``.

Money
-----
All amounts are :class:`decimal.Decimal` yuan, rounded to 0.01 yuan with
``ROUND_HALF_UP``. Inputs may be ``int``, ``str`` or ``Decimal`` (floats are
converted through ``str`` so ``0.1`` stays ``0.10``). Each item's payer shares
are rounded separately and the rounding residue (at most a few fen) goes to the
payer with the largest share, so shares always add up to the item base exactly.
The city subsidy is computed once on the summed eligible base, then rounded.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

from analysis.eligibility import Reason, select_in_force

__all__ = [
    "CATEGORIES",
    "PAYERS",
    "Figure",
    "FundingBreakdown",
    "ItemSplit",
    "catalogue_items",
    "cofunding_share",
    "funding_split",
    "is_central_district",
    "to_yuan",
]

PAYERS: Final[tuple[str, ...]] = ("government", "owners", "utilities", "social_capital")
CATEGORIES: Final[tuple[str, ...]] = ("basic", "improvement", "enhancement")
SPECIAL_ITEMS: Final[tuple[str | None, ...]] = ("lift", "dangerous_building", None)
CENT: Final = Decimal("0.01")


def to_yuan(value: Any, *, name: str = "amount") -> Decimal:
    """Convert ``value`` to a non-negative Decimal rounded to 0.01 yuan.

    Raises
    ------
    ValueError
        If ``value`` is not a finite number or is negative.
    """
    return _decimal(value, name=name).quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value: Any, *, name: str) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    try:
        result = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number, got {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"{name} must be finite, got {value!r}")
    if result < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return result


@dataclass(frozen=True)
class Figure:
    """One money figure and the rule that produced it.

    Parameters
    ----------
    label : str
        What the figure is (``"owners share"``, ``"city subsidy"``…).
    amount_yuan : Decimal
        Rounded to 0.01 yuan.
    clause : str
        Clause of the action plan (``"三(一)"``…).
    rule : str
        Id of the rule in the rates data, or a short description.
    """

    label: str
    amount_yuan: Decimal
    clause: str
    rule: str


@dataclass(frozen=True)
class ItemSplit:
    """How one works item is paid for."""

    code: str
    name_zh: str
    category: str
    special_item: str | None
    basis: str  # "final_account" (audited) or "budget"
    base_yuan: Decimal
    shares: dict[str, Decimal]
    rule_id: str
    city_subsidy_eligible: bool
    figures: list[Figure] = field(default_factory=list)


@dataclass(frozen=True)
class FundingBreakdown:
    """The funding split of one project.

    Attributes
    ----------
    items : list of ItemSplit
    totals : dict
        Payer → total yuan (keys: :data:`PAYERS`).
    total_yuan : Decimal
        Sum of the item bases.
    city_subsidy_base_yuan : Decimal
        Government outlay on items eligible for the city subsidy (三(一)).
    city_subsidy_yuan : Decimal
        City subsidy (0 outside the central districts).
    city_subsidy_provisional : bool
        True if part of the base is a budget, not an audited final account:
        the subsidy is then an estimate until the accounts are audited.
    district_net_yuan : Decimal
        Government outlay minus the city subsidy (what the district carries,
        before central and other special funds).
    rates_version : str
    figures : list of Figure
        Project-level figures (totals, subsidy), each with its clause.
    reasons : list of Reason
    """

    items: list[ItemSplit]
    totals: dict[str, Decimal]
    total_yuan: Decimal
    city_subsidy_base_yuan: Decimal
    city_subsidy_yuan: Decimal
    city_subsidy_provisional: bool
    district_net_yuan: Decimal
    rates_version: str
    figures: list[Figure] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)


def catalogue_items(
    catalogue: Mapping[str, Any], on: dt.date
) -> dict[str, Mapping[str, Any]]:
    """Return ``{code: item}`` of the works catalogue version in force on ``on``.

    ``catalogue`` is the parsed ``works_catalogue.json`` (or one of its
    versions).
    """
    version = select_in_force(catalogue, on)
    items = version.get("items")
    if not isinstance(items, list):
        raise ValueError("works catalogue version has no 'items' list")
    out: dict[str, Mapping[str, Any]] = {}
    for item in items:
        code = item.get("code")
        if not code or code in out:
            raise ValueError(f"works catalogue: missing or duplicate code {code!r}")
        if item.get("category") not in CATEGORIES:
            raise ValueError(
                f"works catalogue item {code}: category must be one of {CATEGORIES}"
            )
        out[code] = item
    return out


def is_central_district(
    district: str, districts: Mapping[str, Any], *, on: dt.date
) -> bool:
    """Whether a district belongs to the central urban area on ``on`` (三(一)).

    Parameters
    ----------
    district : str
        District code (``"330213"``) or Chinese / English name
        (``"奉化区"``, ``"Fenghua"``).
    districts : Mapping
        Parsed ``districts.json``.
    on : datetime.date

    Raises
    ------
    ValueError
        If the district is unknown in the version in force.
    """
    version = select_in_force(districts, on)
    for row in version["districts"]:
        names = {row["code"], row["name_zh"], row["name_en"], row["name_zh"][:-1]}
        if district in names:
            return bool(row["is_central"])
    raise ValueError(f"unknown district {district!r} on {on.isoformat()}")


def _fraction(value: Any, *, name: str) -> Decimal:
    share = _decimal(value, name=name)
    if share > 1:
        raise ValueError(f"{name} must be between 0 and 1, got {value}")
    return share


def _matches(match: Mapping[str, Any], item: Mapping[str, Any]) -> bool:
    if "codes" in match and item["code"] not in match["codes"]:
        return False
    for key in ("category", "special_item", "owners_copay"):
        if key in match and item.get(key) != match[key]:
            return False
    return True


def _resolve_item(
    raw: Mapping[str, Any],
    index: int,
    known: Mapping[str, Mapping[str, Any]],
    area_project: bool,
) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise TypeError(f"project item #{index} must be a mapping")
    code = raw.get("code")
    if not code:
        raise ValueError(f"project item #{index} has no 'code'")
    merged: dict[str, Any] = dict(known.get(code, {}))
    merged.update(raw)
    if "category" not in merged:
        raise ValueError(
            f"project item {code}: not in the works catalogue and no 'category' given"
        )
    if merged["category"] not in CATEGORIES:
        raise ValueError(
            f"project item {code}: unknown category {merged['category']!r}; "
            f"expected one of {CATEGORIES}"
        )
    if merged.get("special_item") not in SPECIAL_ITEMS:
        raise ValueError(
            f"project item {code}: unknown special_item {merged['special_item']!r}"
        )
    if merged.get("area_project_only") and not area_project:
        raise ValueError(
            f"project item {code} is only for area-wide (片区) projects (二(二)1); "
            "pass area_project=True"
        )
    return merged


def _base(item: Mapping[str, Any]) -> tuple[Decimal, str, Decimal | None]:
    """Return (base, basis, budget) for one item; validate amounts."""
    code = item["code"]
    budget: Decimal | None = None
    if item.get("budget_yuan") is not None:
        budget = to_yuan(item["budget_yuan"], name=f"item {code}: budget_yuan")
    elif item.get("quantity") is not None:
        quantity = _decimal(item["quantity"], name=f"item {code}: quantity")
        unit_cost = item.get("unit_cost_yuan", item.get("typical_unit_cost_yuan"))
        if unit_cost is None:
            raise ValueError(f"item {code}: quantity given but no unit cost known")
        budget = to_yuan(
            quantity * _decimal(unit_cost, name=f"item {code}: unit cost"),
            name=f"item {code}: budget",
        )
    if item.get("final_account_yuan") is not None:
        final = to_yuan(
            item["final_account_yuan"], name=f"item {code}: final_account_yuan"
        )
        return final, "final_account", budget
    if budget is None:
        raise ValueError(
            f"item {code}: give budget_yuan, quantity (with a unit cost) or "
            "final_account_yuan"
        )
    return budget, "budget", budget


def _split(base: Decimal, shares: Mapping[str, Decimal]) -> dict[str, Decimal]:
    amounts = {
        p: (base * shares.get(p, Decimal(0))).quantize(CENT, rounding=ROUND_HALF_UP)
        for p in PAYERS
    }
    residue = base - sum(amounts.values(), Decimal(0))
    if residue:
        largest = max(
            PAYERS, key=lambda p: (shares.get(p, Decimal(0)), -PAYERS.index(p))
        )
        amounts[largest] += residue
    return amounts


def _rule_shares(rule: Mapping[str, Any]) -> dict[str, Decimal]:
    shares = {}
    for payer, value in rule["shares"].items():
        if payer not in PAYERS:
            raise ValueError(f"rate rule {rule['id']}: unknown payer {payer!r}")
        shares[payer] = _fraction(value, name=f"rate rule {rule['id']}: {payer}")
    if sum(shares.values(), Decimal(0)) != 1:
        raise ValueError(f"rate rule {rule['id']}: shares must add up to 1")
    return shares


def _override(
    shares: dict[str, Decimal], payer: str, share: Decimal, otherwise: str
) -> dict[str, Decimal]:
    """Give ``payer`` the fixed ``share``; the rule's other payers share the rest in
    their proportions (all of it to ``otherwise`` when the rule had only ``payer``).

    A district's owners' co-pay standard (三(三): ``owners``) or the government's part
    of an enhancement item it co-funds (三: ``government``, the rest social capital).
    """
    rest = 1 - shares.get(payer, Decimal(0))
    if rest == 0:
        return {payer: share, otherwise: 1 - share}
    scale = (1 - share) / rest
    out = {p: s * scale for p, s in shares.items() if p != payer}
    out[payer] = share
    return out


def cofunding_share(breakdown: FundingBreakdown) -> Decimal:
    """Share of the basic and improvement works paid by others than the government.

    The reserve pool's co-funding criterion (三: owners' and social funds for the
    works the government supports). Enhancement works are left out: they are social
    capital by default, so counting them would let a project raise its score by
    adding such items alone. Returns 0 for a project without such works.
    """
    supported = [s for s in breakdown.items if s.category != "enhancement"]
    total = sum((s.base_yuan for s in supported), Decimal(0))
    if not total:
        return Decimal(0)
    government = sum((s.shares["government"] for s in supported), Decimal(0))
    return (total - government) / total


def funding_split(
    project_items: Iterable[Mapping[str, Any]],
    *,
    district_is_central: bool,
    rates: Mapping[str, Any],
    on: dt.date,
    catalogue: Mapping[str, Any] | None = None,
    area_project: bool = False,
) -> FundingBreakdown:
    """Split the cost of a project between payers, with the city subsidy (三).

    Parameters
    ----------
    project_items : iterable of Mapping
        One mapping per works item: ``code`` (works catalogue code), and
        either ``budget_yuan`` or ``quantity`` (× ``unit_cost_yuan``, default
        the catalogue's typical cost); optional ``final_account_yuan`` (the
        audited final account, 核定的竣工财务决算数, used instead of the budget
        when given); optional ``owners_share`` (0–1, the district's owners'
        co-pay standard for an ``owners_copay`` item, 三(三)); optional
        ``government_share`` (0–1, the government's part of an enhancement item:
        elderly care, childcare, medical facilities the district funds, 三 "政府…
        给予政策支持"; it enters the city subsidy base). Items not in the
        catalogue must carry ``category`` (and may carry ``special_item``,
        ``owners_copay``, ``name_zh``).
    district_is_central : bool
        Project lies in a central urban district (not Fenghua); see
        :func:`is_central_district`.
    rates : Mapping
        Parsed ``funding_rates.json``.
    on : datetime.date
        Day whose rules apply (e.g. the annual-plan or final-account date).
    catalogue : Mapping, optional
        Parsed ``works_catalogue.json``.
    area_project : bool, default False
        Area-wide (片区) project: allows ``area_project_only`` items
        (municipal infrastructure, 二(二)1).

    Returns
    -------
    FundingBreakdown

    Raises
    ------
    ValueError
        Negative or non-numeric budget, quantity or final account; unknown
        item, category or payer; rates not in force on ``on``; shares not
        adding up to 1; co-pay override on an item without co-pay; an empty
        project.
    """
    if not isinstance(district_is_central, bool):
        raise TypeError("district_is_central must be a bool")
    version = select_in_force(rates, on)
    known = catalogue_items(catalogue, on) if catalogue is not None else {}
    subsidy_cfg = version["city_subsidy"]
    subsidy_rate = _fraction(subsidy_cfg["rate"], name="city subsidy rate")
    excluded = set(subsidy_cfg.get("excluded_special_items", []))
    rules = version["rules"]

    splits: list[ItemSplit] = []
    subsidy_base = Decimal(0)
    provisional = False
    for index, raw in enumerate(project_items):
        item = _resolve_item(raw, index, known, area_project)
        code = item["code"]
        base, basis, budget = _base(item)
        rule = next((r for r in rules if _matches(r["match"], item)), None)
        if rule is None:
            raise ValueError(f"item {code}: no funding rule matches it")
        shares = _rule_shares(rule)
        figures: list[Figure] = []
        if budget is not None:
            figures.append(Figure("budget", budget, "三", "item budget"))
        if basis == "final_account":
            figures.append(
                Figure("audited final account", base, "三(一)", "final account")
            )
        if item.get("owners_share") is not None:
            if not item.get("owners_copay"):
                raise ValueError(
                    f"item {code}: owners_share given but the item has no owners' "
                    "co-pay (三(三))"
                )
            owners = _fraction(item["owners_share"], name=f"item {code}: owners_share")
            shares = _override(shares, "owners", owners, "government")
            figures.append(
                Figure("owners share (district standard)", owners, "三(三)", "override")
            )
        if item.get("government_share") is not None:
            if item["category"] != "enhancement":
                raise ValueError(
                    f"item {code}: government_share is for enhancement works (提升类) "
                    "only; basic and improvement works follow the rates"
                )
            gov = _fraction(
                item["government_share"], name=f"item {code}: government_share"
            )
            shares = _override(shares, "government", gov, "social_capital")
            figures.append(
                Figure("government share (district decision)", gov, "三", "override")
            )
        amounts = _split(base, shares)
        for payer in PAYERS:
            if amounts[payer]:
                figures.append(
                    Figure(f"{payer} share", amounts[payer], rule["clause"], rule["id"])
                )
        eligible = item.get("special_item") not in excluded
        if eligible:
            subsidy_base += amounts["government"]
            provisional = provisional or (
                basis != "final_account" and amounts["government"] > 0
            )
        splits.append(
            ItemSplit(
                code=code,
                name_zh=str(item.get("name_zh", code)),
                category=item["category"],
                special_item=item.get("special_item"),
                basis=basis,
                base_yuan=base,
                shares=amounts,
                rule_id=str(rule["id"]),
                city_subsidy_eligible=eligible,
                figures=figures,
            )
        )
    if not splits:
        raise ValueError("project has no works items")

    totals = {p: sum((s.shares[p] for s in splits), Decimal(0)) for p in PAYERS}
    total = sum((s.base_yuan for s in splits), Decimal(0))
    reasons: list[Reason] = []
    if district_is_central:
        subsidy = (subsidy_base * subsidy_rate).quantize(CENT, rounding=ROUND_HALF_UP)
        reasons.append(
            Reason(
                "三(一)",
                f"市中心城区（不含奉化区）项目：市级财政补助政府出资额的{subsidy_rate:.0%}，"
                "基数按核定的竣工财务决算数，不含加装电梯、危房解危等专项。",
                f"Central-district project: the city pays {subsidy_rate:.0%} of the "
                "government outlay on audited final accounts, lifts and "
                "dangerous-building works excluded.",
            )
        )
        if provisional:
            reasons.append(
                Reason(
                    "三(一)",
                    "部分项目尚无核定的竣工财务决算数，按预算估算，补助为暂估数。",
                    "Some items have no audited final account yet: the subsidy is "
                    "estimated on the budget and provisional.",
                )
            )
    else:
        subsidy = Decimal("0.00")
        provisional = False
        reasons.append(
            Reason(
                "三(一)",
                "非市中心城区（含奉化区及各县（市））项目：无市级40%补助。",
                "Not in a central district (Fenghua and the counties): no city 40 % "
                "subsidy.",
            )
        )
    specials = sorted({s.code for s in splits if not s.city_subsidy_eligible})
    if specials:
        reasons.append(
            Reason(
                "三(一)",
                f"专项（{'、'.join(specials)}）继续按原政策执行，不计入市级补助基数。",
                f"Special items ({', '.join(specials)}) keep their own policies and "
                "are outside the city subsidy base.",
            )
        )
    figures = [Figure("project total", total, "三", "sum of item bases")]
    figures += [
        Figure(f"{p} total", totals[p], "三", "sum of item shares") for p in PAYERS
    ]
    figures.append(
        Figure("city subsidy base", subsidy_base, "三(一)", "government outlay")
    )
    figures.append(
        Figure("city subsidy", subsidy, "三(一)", str(version.get("id", "rates")))
    )
    return FundingBreakdown(
        items=splits,
        totals=totals,
        total_yuan=total,
        city_subsidy_base_yuan=subsidy_base,
        city_subsidy_yuan=subsidy,
        city_subsidy_provisional=provisional,
        district_net_yuan=totals["government"] - subsidy,
        rates_version=str(version.get("id", "")),
        figures=figures,
        reasons=reasons,
    )
