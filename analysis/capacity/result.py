"""The capacity-aware result: ratios, shortfalls and adequacy per community and category."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import scipy.sparse as sp

from analysis.capacity.e2sfca import FloatArray
from analysis.rules import CapacityStandard
from analysis.walkshed.result import LazyTables


# ------------------------------------------------------------------------ result
@dataclass(frozen=True)
class _CategoryState:
    """What a what-if needs for one category (the cost matrix and its inputs)."""

    cost: sp.csr_array
    supply: FloatArray
    demand: FloatArray
    catchment_m: float
    standard: CapacityStandard


@dataclass(frozen=True, eq=False)
class CapacityResult(LazyTables):
    """Result of :func:`capacity_circle` / :func:`capacity_what_if`.

    Attributes
    ----------
    categories
        The categories with a capacity standard that were analysed.
    supply
        One row per analysed facility: ``code``, ``category``, ``supply``,
        ``unit``, ``basis``, ``note``, ``ratio`` (``R_j``) and ``idle`` (no
        demand in reach).
    demand
        Community × category: persons of the demand group.
    accessibility
        Community × category: ``A_i``, supply per person of demand.
    ratio
        Community × category: ``A_i / s*`` (1 = exactly the standard).
    shortfall
        Community × category: units missing to reach the standard.
    adequate
        Community × category: ratio >= 1 (or no demand).
    served
        Community × every analysed category: *enough* where the category has a
        standard, *within reach* otherwise; drives ``tiers_met``, ``missing``
        and ``score`` (the capacity-aware gaps).
    tiers_met, missing, score, by_street, by_district
        As in :class:`~analysis.walkshed.LifeCircleResult`, from
        ``served``; ``by_district`` adds ``residents_adequate_<code>``,
        ``share_adequate_<code>`` and ``shortfall_<code>`` per category.
    parameters
        JSON-friendly parameters (decay, standards, shares version).
    """

    categories: tuple[str, ...]
    supply: pd.DataFrame
    demand: pd.DataFrame
    accessibility: pd.DataFrame
    ratio: pd.DataFrame
    shortfall: pd.DataFrame
    adequate: pd.DataFrame
    served: pd.DataFrame
    tiers_met: pd.DataFrame
    #: computes ``missing`` when it is first read
    missing_of: Callable[[], pd.DataFrame] = field(repr=False)
    score: pd.Series
    #: computes ``(by_street, by_district)`` when either is first read
    aggregates: Callable[[], tuple[pd.DataFrame, pd.DataFrame]] = field(repr=False)
    parameters: dict[str, Any]
    _state: dict[str, _CategoryState] = field(repr=False)
