"""Owners' votes on the renovation (四(二)1, 四(二)3; Civil Code art. 278).

The action plan asks owners to vote twice: on their will and the works they want
(意愿表决, 四(二)1) and on the preliminary plan (方案表决, 四(二)3). Each vote is a
joint decision of the owners on one *matter* of the law, and the matter decides the
majority, under the law in force on the day of the vote (kept as data in
``fixtures/programme/vote_thresholds.json``):

* 《民法典》第二百七十八条 (from 2021-01-01): owners holding at least 2/3 of the
  exclusive area **and** at least 2/3 of the owners take part. Items 6–8 of its
  first paragraph (raising the maintenance fund, rebuilding or altering the
  buildings and their facilities, changing the use of common parts or running
  business on them) need at least 3/4 of the participating area and owners; every
  other item, the *use* of the maintenance fund (item 5) included, needs more than
  half of them.
* 《物权法》第七十六条 (2007-10-01 to 2020-12-31): no quorum; items 5 (raising and
  using the fund) and 6 (rebuilding) need at least 2/3 of all area and owners, the
  others more than half of all area and owners.

Which matters a plan involves follows from its works (``vote_matters`` of the works
catalogue: a lift alters the building, a park or a parking lot changes the use of
common parts) plus the plan itself (item 9 / item 7, ordinary): see
:func:`plan_matters`. Nobody chooses the majority.

Comparisons use exact fractions (:class:`fractions.Fraction`), so 2/3 of 300
owners is exactly 200. Float areas are read through their decimal ``repr``
(``0.1`` → 1/10), so areas entered with two decimals compare exactly.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Final

from analysis.eligibility import Reason, select_in_force

__all__ = [
    "MAJORITIES",
    "PLAN_MATTER",
    "WILL_MATTER",
    "MatterRule",
    "VoteResult",
    "matter_rule",
    "plan_matters",
    "tally_vote",
    "vote_thresholds_in_force",
]

#: The two majorities of the law: "ordinary" (过半数) and "special" (3/4 or 2/3).
MAJORITIES: Final[tuple[str, ...]] = ("ordinary", "special")
#: The will vote decides whether to renovate and what (四(二)1): a major matter of
#: common ownership and management (民法典第278条第一款第九项), ordinary majority.
WILL_MATTER: Final = "other_major"
#: Every plan vote covers the plan itself (the same item); works add their matters.
PLAN_MATTER: Final = "other_major"
_MAJORITY_ZH: Final = {"ordinary": "过半数", "special": "特别多数"}


@dataclass(frozen=True)
class MatterRule:
    """What the law in force says about one matter.

    Attributes
    ----------
    matter : str
        The matter's code (``rebuild``, ``fund_use``…).
    majority : str
        ``ordinary`` or ``special``.
    clause : str
        Law and item, e.g. ``"民法典第278条第一款第七项"``.
    name_zh : str
        The matter in the law's words.
    fraction : Fraction
        The share of consent needed.
    inclusive : bool
        ``>=`` (以上) rather than ``>`` (过半数).
    base : str
        ``participants`` or ``total``.
    """

    matter: str
    majority: str
    clause: str
    name_zh: str
    fraction: Fraction
    inclusive: bool
    base: str

    @property
    def requirement_zh(self) -> str:
        """ "参与表决…四分之三以上" in words, for forms and refusals."""
        base = "参与表决" if self.base == "participants" else "全体业主"
        op = "以上" if self.inclusive else "（过半数）"
        return f"须经{base}专有部分面积及人数{self.fraction}{op}同意"


@dataclass(frozen=True)
class VoteResult:
    """Outcome of an owners' vote.

    Attributes
    ----------
    passed : bool
    matter : str
    majority : str
        ``ordinary`` or ``special``, derived from the matter and the law.
    law : str
        The law whose thresholds were applied.
    clause : str
        Law and item of the matter.
    ratios : dict
        Exact ratios: ``participation_owners``, ``participation_area``,
        ``consent_owners``, ``consent_area`` (consent over its base).
    reasons : list of Reason
        One line per threshold, citing the law and the item.
    """

    passed: bool
    matter: str
    majority: str
    law: str
    clause: str
    ratios: dict[str, Fraction] = field(default_factory=dict)
    reasons: list[Reason] = field(default_factory=list)


def vote_thresholds_in_force(data: Mapping[str, Any], on: dt.date) -> Mapping[str, Any]:
    """Return the version of ``vote_thresholds.json`` in force on ``on``."""
    return select_in_force(data, on)


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def _area(value: Any, name: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def _threshold(spec: Mapping[str, Any], name: str) -> tuple[Fraction, bool]:
    try:
        frac = Fraction(str(spec["fraction"]))
    except (KeyError, ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"vote thresholds: {name} needs a 'fraction'") from exc
    if not 0 <= frac <= 1:
        raise ValueError(f"vote thresholds: {name} fraction must be in [0, 1]")
    return frac, bool(spec.get("inclusive", True))


def _meets(ratio: Fraction, frac: Fraction, inclusive: bool) -> bool:
    return ratio >= frac if inclusive else ratio > frac


def _op(inclusive: bool) -> str:
    return "≥" if inclusive else ">"


def matter_rule(thresholds: Mapping[str, Any], matter: str) -> MatterRule:
    """The majority of ``matter`` under one version of ``vote_thresholds.json``.

    Parameters
    ----------
    thresholds : Mapping
        The version in force (:func:`vote_thresholds_in_force`).
    matter : str
        A matter code of that version's ``matters`` (each with ``item``,
        ``majority``, ``name_zh``).

    Raises
    ------
    ValueError
        Unknown matter, or a malformed version.
    """
    matters = thresholds.get("matters") or {}
    if matter not in matters:
        raise ValueError(
            f"unknown matter {matter!r}; the law in force "
            f"({thresholds.get('law', '?')}) knows {sorted(matters)}"
        )
    spec = matters[matter]
    majority = spec.get("majority")
    if majority not in MAJORITIES:
        raise ValueError(f"vote thresholds: matter {matter!r} has no valid majority")
    rule = (thresholds.get("majorities") or {}).get(majority)
    if not rule:
        raise ValueError(f"vote thresholds: no rule for the {majority!r} majority")
    frac, inc = _threshold(rule, majority)
    base = rule.get("base", "participants")
    if base not in ("participants", "total"):
        raise ValueError(f"vote thresholds: unknown base {base!r}")
    law = str(thresholds.get("law", ""))
    return MatterRule(
        matter=matter,
        majority=majority,
        clause=f"{law}{spec.get('item', '')}",
        name_zh=str(spec.get("name_zh", matter)),
        fraction=frac,
        inclusive=inc,
        base=base,
    )


def plan_matters(
    item_codes: Iterable[str], catalogue: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """The matters a renovation plan puts to the owners (四(二)3).

    The plan itself (:data:`PLAN_MATTER`) and every ``vote_matters`` of its works
    items (``catalogue``: code → item of the works catalogue in force), in a stable
    order: the plan first, then by code.

    Raises
    ------
    ValueError
        An item that is not in the catalogue.
    """
    extra: set[str] = set()
    for code in item_codes:
        if code not in catalogue:
            raise ValueError(f"works item {code!r} is not in the catalogue in force")
        extra.update(catalogue[code].get("vote_matters") or ())
    extra.discard(PLAN_MATTER)
    return [PLAN_MATTER, *sorted(extra)]


def tally_vote(
    total_owners: int,
    total_area_m2: float | Fraction,
    participants_owners: int,
    participants_area_m2: float | Fraction,
    consent_owners: int,
    consent_area_m2: float | Fraction,
    matter: str,
    thresholds: Mapping[str, Any],
) -> VoteResult:
    """Decide whether an owners' vote on one matter passed (四(二); 民法典第278条).

    Parameters
    ----------
    total_owners, total_area_m2 : int, float or Fraction
        All owners of the community and their exclusive floor area (m²).
    participants_owners, participants_area_m2 : int, float or Fraction
        Owners who took part in the vote and their area.
    consent_owners, consent_area_m2 : int, float or Fraction
        Owners who agreed and their area.
    matter : str
        What was decided (a code of the version's ``matters``); it gives the
        majority, see :func:`matter_rule`.
    thresholds : Mapping
        One version of ``vote_thresholds.json`` (see
        :func:`vote_thresholds_in_force`).

    Returns
    -------
    VoteResult

    Raises
    ------
    ValueError
        Negative counts or areas, no owners, more participants than owners (or
        area), more consents than participants, participants without area (or
        the reverse), unknown matter, malformed thresholds.
    """
    t_own = _count(total_owners, "total_owners")
    p_own = _count(participants_owners, "participants_owners")
    c_own = _count(consent_owners, "consent_owners")
    t_area = _area(total_area_m2, "total_area_m2")
    p_area = _area(participants_area_m2, "participants_area_m2")
    c_area = _area(consent_area_m2, "consent_area_m2")
    if t_own == 0 or t_area == 0:
        raise ValueError("total_owners and total_area_m2 must be positive")
    if p_own > t_own:
        raise ValueError(
            f"more participants ({p_own}) than owners ({t_own}): check the count"
        )
    if p_area > t_area:
        raise ValueError(
            f"participating area ({float(p_area)} m2) exceeds the total area "
            f"({float(t_area)} m2)"
        )
    if c_own > p_own:
        raise ValueError(
            f"more consenting owners ({c_own}) than participants ({p_own})"
        )
    if c_area > p_area:
        raise ValueError(
            f"consenting area ({float(c_area)} m2) exceeds the participating area "
            f"({float(p_area)} m2)"
        )
    if (p_own == 0) != (p_area == 0) or (c_own == 0) != (c_area == 0):
        raise ValueError("an owner count of 0 needs an area of 0, and vice versa")
    rule = matter_rule(thresholds, matter)

    law = str(thresholds.get("law", "民法典第278条"))
    reasons: list[Reason] = [
        Reason(
            rule.clause,
            f"表决事项：{rule.name_zh}（{rule.clause}），"
            f"{_MAJORITY_ZH[rule.majority]}：{rule.requirement_zh}。",
            f"Matter: {matter} ({rule.clause}), {rule.majority} majority.",
        )
    ]
    ratios: dict[str, Fraction] = {}
    passed = True

    quorum = thresholds.get("participation")
    ratios["participation_owners"] = Fraction(p_own, t_own)
    ratios["participation_area"] = p_area / t_area
    if quorum:
        frac, inc = _threshold(quorum, "participation")
        for key, zh, en in (
            ("participation_area", "参与表决专有部分面积", "participating area"),
            ("participation_owners", "参与表决人数", "participating owners"),
        ):
            ok = _meets(ratios[key], frac, inc)
            passed &= ok
            reasons.append(
                Reason(
                    law,
                    f"{zh}占比{float(ratios[key]):.2%}，要求{_op(inc)}{frac}："
                    f"{'达到' if ok else '未达到'}。",
                    f"{en.capitalize()} {float(ratios[key]):.2%}, needs "
                    f"{_op(inc)} {frac}: {'met' if ok else 'not met'}.",
                )
            )

    if rule.base == "participants":
        own_base, area_base = p_own, p_area
    else:
        own_base, area_base = t_own, t_area
    ratios["consent_owners"] = Fraction(c_own, own_base) if own_base else Fraction(0)
    ratios["consent_area"] = c_area / area_base if area_base else Fraction(0)
    base_zh = "参与表决" if rule.base == "participants" else "全体业主"
    base_en = "participating" if rule.base == "participants" else "all"
    for key, zh, en in (
        ("consent_area", "专有部分面积", "area"),
        ("consent_owners", "人数", "owners"),
    ):
        ok = _meets(ratios[key], rule.fraction, rule.inclusive)
        passed &= ok
        reasons.append(
            Reason(
                rule.clause,
                f"同意{zh}占{base_zh}{float(ratios[key]):.2%}，"
                f"要求{_op(rule.inclusive)}{rule.fraction}：{'达到' if ok else '未达到'}。",
                f"Consenting {en} is {float(ratios[key]):.2%} of {base_en} {en}, "
                f"needs {_op(rule.inclusive)} {rule.fraction}: "
                f"{'met' if ok else 'not met'}.",
            )
        )
    reasons.append(
        Reason(
            "四(二)",
            "表决通过。" if passed else "表决未通过。",
            "The vote passed." if passed else "The vote failed.",
        )
    )
    return VoteResult(
        passed=bool(passed),
        matter=matter,
        majority=rule.majority,
        law=law,
        clause=rule.clause,
        ratios=ratios,
        reasons=reasons,
    )
