"""From E2SFCA ratios to the capacity-aware tables: shortfall against the standard, tiers met, missing, score, districts."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from analysis.capacity.e2sfca import FloatArray, IntArray, e2sfca
from analysis.capacity.result import CapacityResult, _CategoryState
from analysis.capacity.supply import community_demand
from analysis.rules import RuleSet
from analysis.walkshed import (
    LifeCircleResult,
    aggregates,
    coverage_core,
    missing_table,
)

# a community whose ratio is within this of 1 counts as served (float sums)
_ADEQUATE_TOL = 1e-9


def _evaluate(
    base: LifeCircleResult,
    ruleset: RuleSet,
    cats: list[str],
    facility: Mapping[str, npt.NDArray[Any]],
    pairs: tuple[IntArray, IntArray, FloatArray],
    shares: Mapping[str, Any] | None,
    *,
    extra: dict[str, Any],
    reuse: CapacityResult | None = None,
    changed: frozenset[str] = frozenset(),
) -> CapacityResult:
    """The capacity-aware result of ``facility`` and its ``pairs``.

    With ``reuse`` (a result of the same communities, rules and shares whose
    facilities are the first of ``facility``, in the same order), the categories
    not in ``changed`` are taken from it as they are (the same cost matrix, supply
    and demand give the same floats), and ``pairs`` need only hold those of the
    ``changed`` categories: a what-if recomputes the categories it adds to.
    """
    attrs = base.access.community_attrs
    index = base.distance_m.index
    n_comm = len(index)
    fac_cat = np.asarray(facility["category"], dtype=object)
    supply = np.nan_to_num(np.asarray(facility["supply"], dtype=float), nan=0.0)
    fac_ratio = np.zeros(fac_cat.size)
    fac_idle = np.zeros(fac_cat.size, dtype=bool)
    s_idx, c_idx, dist = pairs
    # every pair in one facility x community csr (rows in pair order, as a coo to
    # csr conversion keeps them); each category's cost matrix is a row slice of it
    by_fac = np.argsort(s_idx, kind="stable")
    all_cost = sp.csr_array(
        (
            np.asarray(dist, dtype=float)[by_fac],
            np.asarray(c_idx, dtype=np.int64)[by_fac],
            np.concatenate(
                [[0], np.cumsum(np.bincount(s_idx, minlength=fac_cat.size))]
            ),
        ),
        shape=(fac_cat.size, n_comm),
    )
    cols: dict[str, dict[str, FloatArray]] = {
        k: {} for k in ("demand", "accessibility", "ratio", "shortfall")
    }
    adequate: dict[str, npt.NDArray[np.bool_]] = {}
    state: dict[str, _CategoryState] = {}
    residents = attrs["residents"].to_numpy(float)
    districts = attrs["district_code"].to_numpy()
    standards: dict[str, Any] = {}
    for code in cats:
        std = ruleset.rule(code).capacity
        if std is None:  # the callers keep only categories with a standard
            continue
        rows = np.flatnonzero(fac_cat == code)
        if reuse is not None and code not in changed:
            for k in cols:
                cols[k][code] = getattr(reuse, k)[code].to_numpy(float)
            adequate[code] = reuse.adequate[code].to_numpy(bool)
            fac_ratio[rows] = reuse.supply["ratio"].to_numpy(float)[rows]
            fac_idle[rows] = reuse.supply["idle"].to_numpy(bool)[rows]
            state[code] = reuse._state[code]
            standards[code] = reuse.parameters["standards"][code]
            continue
        cost = all_cost[rows]
        demand, share = community_demand(residents, districts, std, shares)
        d0 = float(base.thresholds_m[code])
        res = e2sfca(cost, supply[rows], demand, d0, ruleset.distance_decay)
        fac_ratio[rows] = res.facility_ratio
        fac_idle[rows] = res.weighted_demand <= 0
        need = std.per_person
        ratio = res.accessibility / need
        short = np.maximum(0.0, need * demand - res.accessibility * demand)
        cols["demand"][code] = demand
        cols["accessibility"][code] = res.accessibility
        cols["ratio"][code] = ratio
        cols["shortfall"][code] = short
        adequate[code] = (ratio >= 1.0 - _ADEQUATE_TOL) | (demand <= 0)
        state[code] = _CategoryState(cost, supply[rows], demand, d0, std)
        standards[code] = {
            "unit": std.unit,
            "per_1000": std.per_1000,
            "target_group": std.target_group,
            "m2_per_unit": std.m2_per_unit,
            "service_population": std.service_population,
            "source_clause": std.source_clause,
            "verified": std.verified,
            "catchment_m": d0,
            "mean_share": float(np.mean(share)) if share.size else None,
        }

    def frame(values: dict[str, Any]) -> pd.DataFrame:
        out = pd.DataFrame(values, index=index)
        out.columns.name = "category"
        return out.reindex(columns=cats)

    adequate_df = frame(adequate).astype(bool) if cats else pd.DataFrame(index=index)
    # enough implies within reach (A_i > 0 needs a facility inside the catchment);
    # a community without demand is served as far as distance goes
    served = base.covered.copy()
    for code in cats:
        served[code] = served[code].to_numpy() & adequate_df[code].to_numpy()
    tiers_met, score = coverage_core(served, ruleset)
    shortfall_df = frame(cols["shortfall"])
    supply_df = pd.DataFrame(
        {
            **{k: np.asarray(v) for k, v in facility.items()},
            "ratio": fac_ratio,
            "idle": fac_idle,
        }
    )
    decay = ruleset.distance_decay
    params: dict[str, Any] = {
        "method": "E2SFCA",
        "categories": cats,
        "distance_decay": {
            "kind": decay.kind,
            "steps": [list(s) for s in decay.steps],
            "sigma": decay.sigma,
            "source": decay.source,
        },
        "standards": standards,
        "shares_version": (shares or {}).get("id"),
        "facilities": int(fac_cat.size),
        "supply_basis": {
            code: {
                b: int(n)
                for b, n in zip(
                    *np.unique(
                        np.asarray(facility["basis"], dtype=object)[
                            fac_cat == code
                        ].astype(str),
                        return_counts=True,
                    ),
                    strict=True,
                )
            }
            for code in cats
        },
        **extra,
    }
    return CapacityResult(
        categories=tuple(cats),
        supply=supply_df,
        demand=frame(cols["demand"]),
        accessibility=frame(cols["accessibility"]),
        ratio=frame(cols["ratio"]),
        shortfall=shortfall_df,
        adequate=adequate_df,
        served=served,
        tiers_met=tiers_met,
        missing_of=partial(missing_table, served, ruleset),
        score=score,
        aggregates=partial(
            _aggregates, attrs, tiers_met, served, score, adequate_df, shortfall_df
        ),
        parameters=params,
        _state=state,
    )


def _aggregates(
    attrs: pd.DataFrame,
    tiers_met: pd.DataFrame,
    served: pd.DataFrame,
    score: pd.Series,
    adequate: pd.DataFrame,
    shortfall: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(by_street, by_district)`` of a capacity result: the life circle's, from
    ``served``, the districts' with their adequacy and shortfall columns."""
    by_street, by_district = aggregates(attrs, tiers_met, served, score)
    return by_street, _district_adequacy(by_district, attrs, adequate, shortfall)


def _district_adequacy(
    by_district: pd.DataFrame,
    attrs: pd.DataFrame,
    adequate: pd.DataFrame,
    shortfall: pd.DataFrame,
) -> pd.DataFrame:
    res = attrs["residents"].to_numpy(float)
    key = attrs["district_code"].to_numpy()
    cols: dict[str, Any] = {"district_code": key}
    for code in adequate.columns:
        cols[f"residents_adequate_{code}"] = res * adequate[code].to_numpy()
        cols[f"shortfall_{code}"] = shortfall[code].to_numpy(float)
    sums = pd.DataFrame(cols).groupby("district_code", sort=True).sum()
    out = by_district.join(sums)
    total = out["residents"].to_numpy(float)
    for code in adequate.columns:
        share = np.full(len(out), np.nan)
        np.divide(
            out[f"residents_adequate_{code}"].to_numpy(float),
            total,
            out=share,
            where=total > 0,
        )
        out[f"share_adequate_{code}"] = share
    return out
