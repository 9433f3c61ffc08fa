"""Owners' votes on the renovation (四(二)1, 四(二)3; Civil Code art. 278).

The action plan asks owners to vote twice: on their will and the works they want
(意愿表决, 四(二)1) and on the preliminary plan (方案表决, 四(二)3). The thresholds
come from the law in force on the day of the vote, kept as data in
``fixtures/programme/vote_thresholds.json``:

* 《民法典》第二百七十八条 (from 2021-01-01): owners holding at least 2/3 of the
  exclusive area **and** at least 2/3 of the owners take part; an ordinary matter
  needs more than half of the participating area and owners; a major matter
  (rebuilding, changing the use of common parts, using the maintenance fund…)
  needs at least 3/4 of the participating area and owners.
* 《物权法》第七十六条 (2007-10-01 to 2020-12-31): no quorum; more than half of
  all area and owners (ordinary), at least 2/3 of all area and owners (major).

Comparisons use exact fractions (:class:`fractions.Fraction`), so 2/3 of 300
owners is exactly 200. Float areas are read through their decimal ``repr``
(``0.1`` → 1/10), so areas entered with two decimals compare exactly.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Final, Literal

from geoapp.analysis.eligibility import Reason, select_in_force

__all__ = ["MATTERS", "VoteResult", "tally_vote", "vote_thresholds_in_force"]

Matter = Literal["ordinary", "major"]
MATTERS: Final[tuple[str, ...]] = ("ordinary", "major")
_MATTER_ZH: Final = {"ordinary": "一般事项", "major": "重大事项"}


@dataclass(frozen=True)
class VoteResult:
    """Outcome of an owners' vote.

    Attributes
    ----------
    passed : bool
    matter : str
    law : str
        The law whose thresholds were applied.
    ratios : dict
        Exact ratios: ``participation_owners``, ``participation_area``,
        ``consent_owners``, ``consent_area`` (consent over its base).
    reasons : list of Reason
        One line per threshold, citing the law and the clause.
    """

    passed: bool
    matter: str
    law: str
    ratios: dict[str, Fraction] = field(default_factory=dict)
    reasons: list[Reason] = field(default_factory=list)


def vote_thresholds_in_force(data: Mapping[str, Any], on: dt.date) -> Mapping[str, Any]:
    """Return the thresholds of ``vote_thresholds.json`` in force on ``on``."""
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


def tally_vote(
    total_owners: int,
    total_area_m2: float,
    participants_owners: int,
    participants_area_m2: float,
    consent_owners: int,
    consent_area_m2: float,
    matter: Matter,
    thresholds: Mapping[str, Any],
) -> VoteResult:
    """Decide whether an owners' vote passed (四(二); 民法典第278条).

    Parameters
    ----------
    total_owners, total_area_m2 : int, float
        All owners of the community and their exclusive floor area (m²).
    participants_owners, participants_area_m2 : int, float
        Owners who took part in the vote and their area.
    consent_owners, consent_area_m2 : int, float
        Owners who agreed and their area.
    matter : {"ordinary", "major"}
        ``"major"`` for rebuilding, changing the use of common parts, raising
        or using the maintenance fund (民法典第278条第一款第五至八项).
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
    if matter not in MATTERS:
        raise ValueError(f"matter must be one of {MATTERS}, got {matter!r}")
    if matter not in thresholds:
        raise ValueError(f"vote thresholds have no rule for {matter!r} matters")

    law = str(thresholds.get("law", "民法典第278条"))
    reasons: list[Reason] = []
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

    frac, inc = _threshold(thresholds[matter], matter)
    base = thresholds[matter].get("base", "participants")
    if base not in ("participants", "total"):
        raise ValueError(f"vote thresholds: unknown base {base!r}")
    own_base, area_base = (p_own, p_area) if base == "participants" else (t_own, t_area)
    ratios["consent_owners"] = Fraction(c_own, own_base) if own_base else Fraction(0)
    ratios["consent_area"] = c_area / area_base if area_base else Fraction(0)
    base_zh = "参与表决" if base == "participants" else "全体业主"
    base_en = "participating" if base == "participants" else "all"
    for key, zh, en in (
        ("consent_area", "专有部分面积", "area"),
        ("consent_owners", "人数", "owners"),
    ):
        ok = _meets(ratios[key], frac, inc)
        passed &= ok
        reasons.append(
            Reason(
                law,
                f"{_MATTER_ZH[matter]}：同意{zh}占{base_zh}{float(ratios[key]):.2%}，"
                f"要求{_op(inc)}{frac}：{'达到' if ok else '未达到'}。",
                f"{matter.capitalize()} matter: consenting {en} is "
                f"{float(ratios[key]):.2%} of {base_en} {en}, needs {_op(inc)} "
                f"{frac}: {'met' if ok else 'not met'}.",
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
        passed=bool(passed), matter=matter, law=law, ratios=ratios, reasons=reasons
    )
