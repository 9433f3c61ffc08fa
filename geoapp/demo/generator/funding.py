"""Demo renovation projects with mixed funding and their utilities (三, 六(二), 四(四)4).

Deterministic for a seed. One project per community that the demo city shows in the
annual plan or later (``stage`` of the communities frame); its works items are sized by
the community (roads by floor area, pipelines by households, stairwells by
buildings…), some add lifts, elderly care or fitness. The money is arranged after the
funding split (``analysis.funding``) by :func:`arrange_sources`: the city subsidy
exactly as the split computes it, the rest of the government's part from central
special funds, special bonds and the district's funds; owners pay directly, from their
housing provident fund and from the maintenance fund; the utilities pay their pipeline
shares; social capital, banks and insurers, and for work-unit housing the original
work unit, pay the rest. A few projects are deliberately off: owners paying more than
the district's standard (a warning on the project page), or a source still missing
(an error), as in a real ledger.

Pure: numpy and Decimal; the loader (``geoapp.demo.load.programme_load``) stores it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from analysis.funding_sources import UTILITIES

CENT = Decimal("0.01")

#: public stage of the community -> (project stage, plan year)
PROJECT_STAGES = {
    "in_annual_plan": ("annual_plan", 2022),
    "under_construction": ("construction", 2021),
    "accepted": ("completion_acceptance", 2021),
    "handed_over": ("handover", 2020),
    "post_evaluated": ("post_evaluation", 2020),
}
#: each utility's usual part of the utilities' half of the pipeline costs
UTILITY_WEIGHTS = {"power": 4, "telecom": 2, "cable_tv": 1, "gas": 2, "water": 1}
#: the utilities' part of the pipeline works in the funding rates (三(二))
UTILITIES_SHARE = Decimal("0.5")


@dataclass(frozen=True)
class UtilityPlan:
    utility: str
    share: Decimal
    handover: bool  # the shared pipelines were handed over (project handed over)


@dataclass(frozen=True)
class ProjectPlan:
    """One demo project: where, when, its works and how its money is arranged."""

    community_code: str
    name: str
    year: int
    stage: str
    items: list[tuple[str, float]]
    utilities: list[UtilityPlan]
    #: fractions that :func:`arrange_sources` uses (drawn once, per project)
    mix: dict[str, float] = field(default_factory=dict)
    #: "" (balanced), "owners_extra" (a warning) or "missing" (an error)
    quirk: str = ""


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def project_plans(communities: pd.DataFrame, *, seed: int) -> list[ProjectPlan]:
    """The demo projects of the communities in the annual plan or later."""
    rng = np.random.default_rng(seed + 1919)
    rows = communities[communities["stage"].isin(list(PROJECT_STAGES))]
    plans = []
    for r in rows.sort_values("code").itertuples():
        stage, year = PROJECT_STAGES[r.stage]
        households = int(r.households or 0) or 200
        buildings = int(getattr(r, "buildings", 0) or 0) or max(1, households // 60)
        area = float(getattr(r, "floor_area_m2", 0) or 0) or households * 65.0
        items: list[tuple[str, float]] = [
            ("road", round(area * float(rng.uniform(0.08, 0.16)))),
            ("pipelines", round(households * float(rng.uniform(2.5, 5.0)))),
            ("facade_hazard", round(area * float(rng.uniform(0.05, 0.12)))),
            ("stairwell", buildings * int(rng.integers(2, 5))),
        ]
        if rng.random() < 0.45:
            items.append(("sanitation", int(rng.integers(1, 4))))
        if rng.random() < 0.3:
            items.append(("lift", int(rng.integers(1, 5))))
        if rng.random() < 0.3:
            items.append(("elderly_service", int(rng.integers(80, 300))))
        if rng.random() < 0.35:
            items.append(("fitness", 1))
        chosen = [
            u for u in UTILITIES if u in ("power", "telecom") or rng.random() < 0.6
        ]
        weights = np.array([UTILITY_WEIGHTS[u] for u in chosen], dtype=float)
        shares = [
            _q_share(UTILITIES_SHARE * Decimal(str(w / weights.sum()))) for w in weights
        ]
        shares[0] += UTILITIES_SHARE - sum(shares, Decimal(0))  # exactly 50 %
        handed = stage in ("handover", "post_evaluation")
        utilities = [
            UtilityPlan(u, s, handed) for u, s in zip(chosen, shares, strict=True)
        ]
        draw = float(rng.random())
        quirk = "missing" if draw < 0.07 else "owners_extra" if draw < 0.17 else ""
        mix = {
            "central": float(rng.uniform(0.08, 0.3)),
            "bonds": float(rng.uniform(0.1, 0.35)) if rng.random() < 0.5 else 0.0,
            "provident": float(rng.uniform(0.1, 0.35)),
            "maintenance": float(rng.uniform(0.0, 0.3)),
            "bank": float(rng.uniform(0.2, 0.5)) if rng.random() < 0.4 else 0.0,
            "original_units": float(rng.uniform(0.1, 0.3))
            if r.housing_type == "work_unit" or rng.random() < 0.1
            else 0.0,
            "split_years": float(stage == "construction" and rng.random() < 0.6),
        }
        plans.append(
            ProjectPlan(
                community_code=str(r.code),
                name=f"{r.name}综合改造",
                year=year,
                stage=stage,
                items=items,
                utilities=utilities,
                mix=mix,
                quirk=quirk,
            )
        )
    return plans


def _q_share(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def arrange_sources(
    plan: ProjectPlan,
    *,
    totals: Mapping[str, Decimal],
    city_subsidy_yuan: Decimal,
    utilities_yuan: Decimal,
) -> list[tuple[str, Decimal, int, str]]:
    """``(source, amount, year, note)`` rows that reconcile with the split (unless the
    plan's quirk says otherwise). ``totals`` are the split's payer totals."""
    m = plan.mix
    year = plan.year
    rows: list[tuple[str, Decimal, int, str]] = []

    def add(source: str, amount: Decimal, y: int = year, note: str = "") -> None:
        if amount > 0:
            rows.append((source, _q(amount), y, note))

    gov = totals.get("government", Decimal(0))
    rest = gov - city_subsidy_yuan
    central = _q(rest * Decimal(str(m["central"])))
    bonds = _q(rest * Decimal(str(m["bonds"])))
    district = rest - central - bonds
    add("city_subsidy", city_subsidy_yuan, note="三(一) 40%")
    add("central_special", central, note="中央城镇老旧小区改造补助")
    add("special_bonds", bonds, note="地方政府专项债券")
    if m["split_years"] and district > 0:
        first = _q(district * Decimal("0.6"))
        add("district_special", first)
        add("district_special", district - first, year + 1, "续建")
    else:
        add("district_special", district, note="整合适老化、雨污分流等专项")
    owners = totals.get("owners", Decimal(0))
    if plan.quirk == "owners_extra":
        # owners pay a fifth more than the district's standard, the district less
        at = next((i for i, r in enumerate(rows) if r[0] == "district_special"), None)
        if at is not None:
            s, a, y, n = rows[at]
            extra = min(a, _q(owners * Decimal("0.2")) or Decimal("10000.00"))
            rows[at] = (s, a - extra, y, n)
            owners += extra
    provident = _q(owners * Decimal(str(m["provident"])))
    maintenance = _q(owners * Decimal(str(m["maintenance"])))
    add("provident_fund", provident, note="个人提取住房公积金")
    add("maintenance_fund", maintenance, note="专项维修资金")
    add("owners_direct", owners - provident - maintenance)
    add("utilities", utilities_yuan, note="供电、通信等专营单位")
    social = totals.get("social_capital", Decimal(0))
    units = _q(social * Decimal(str(m["original_units"])))
    bank = _q(social * Decimal(str(m["bank"])))
    add("original_units", units, note="原产权单位共同参与")
    add("bank_insurance", bank, note="银行贷款")
    add("social_capital", social - units - bank, note="养老、托幼、便民服务运营方")
    if plan.quirk == "missing":
        rows = [r for r in rows if r[0] != "central_special"] or rows[1:]
    return rows


def plans_frame(plans: Sequence[ProjectPlan]) -> pd.DataFrame:
    """One row per plan (for tests and summaries)."""
    out: list[dict[str, Any]] = [
        {
            "community_code": p.community_code,
            "year": p.year,
            "stage": p.stage,
            "items": len(p.items),
            "utilities": len(p.utilities),
            "quirk": p.quirk,
        }
        for p in plans
    ]
    return pd.DataFrame(out)
