"""From distances to the life circle's tables: covered, walk tier, tiers met, missing, score and the resident-weighted aggregates."""

from __future__ import annotations

from functools import partial
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.rules import RuleSet
from analysis.walkshed.result import CommunityAccess, FacilityPairs, LifeCircleResult
from analysis.walkshed.routing import FloatArray


def _derive(
    distance: pd.DataFrame,
    thresholds: pd.Series,
    ruleset: RuleSet,
    *,
    limit: float,
    mode: str,
    params: dict[str, Any],
    strict: bool,
    speed_m_per_min: float | None,
    unreachable_amenities: pd.DataFrame,
    unreachable_communities: pd.DataFrame,
    islands: gpd.GeoDataFrame,
    state: CommunityAccess,
    pairs: FacilityPairs | None = None,
) -> LifeCircleResult:
    """Coverage, tiers, score and aggregates from the distance table."""
    cats = list(distance.columns)
    d = distance.to_numpy()
    thr = thresholds.reindex(cats).to_numpy(float)
    cov = d <= thr[None, :]
    covered = pd.DataFrame(cov, index=distance.index, columns=distance.columns)

    tiers = ruleset.tier_minutes
    tier_d = np.array(
        [
            ruleset.distance_for(t, strict=strict, speed_m_per_min=speed_m_per_min)
            for t in tiers
        ]
    )
    # Smallest tier whose distance covers d (tier distances increase with minutes).
    k = np.searchsorted(tier_d, d, side="left")
    tier_arr = np.asarray(tiers, dtype=float)
    walk = np.where(k < len(tiers), tier_arr[np.minimum(k, len(tiers) - 1)], np.nan)
    walk_tier = pd.DataFrame(walk, index=distance.index, columns=distance.columns)

    tiers_met, score = coverage_core(covered, ruleset)
    return LifeCircleResult(
        distance_m=distance,
        covered=covered,
        walk_tier=walk_tier,
        tiers_met=tiers_met,
        missing_of=partial(missing_table, covered, ruleset),
        score=score,
        aggregates=partial(
            aggregates, state.community_attrs, tiers_met, covered, score
        ),
        unreachable_amenities=unreachable_amenities.reset_index(drop=True),
        unreachable_communities=unreachable_communities.reset_index(drop=True),
        islands=islands,
        thresholds_m=thresholds.reindex(cats),
        limit_m=float(limit),
        mode=mode,
        parameters=params,
        access=state,
        pairs=pairs,
    )


def coverage_tables(
    covered: pd.DataFrame, ruleset: RuleSet, community_attrs: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.DataFrame, pd.DataFrame]:
    """Tiers met, missing categories, score and aggregates from a coverage table.

    Parameters
    ----------
    covered
        Community × category booleans: the category counts as provided (within
        reach, or for the capacity-aware life circle, enough for the residents).
    ruleset
        Gives each category's tier and whether it is required.
    community_attrs
        ``street_code``, ``district_code`` and ``residents`` per community, in the
        order of ``covered``.

    Returns
    -------
    tuple
        ``(tiers_met, missing, score, by_street, by_district)`` as in
        :class:`LifeCircleResult`.
    """
    tiers_met, score = coverage_core(covered, ruleset)
    missing = missing_table(covered, ruleset)
    by_street, by_district = aggregates(community_attrs, tiers_met, covered, score)
    return tiers_met, missing, score, by_street, by_district


def coverage_core(
    covered: pd.DataFrame, ruleset: RuleSet
) -> tuple[pd.DataFrame, pd.Series]:
    """Tiers met and score of :func:`coverage_tables`, without the missing
    categories and the aggregates (:func:`missing_table`, :func:`aggregates`: a
    what-if reads neither, a result computes them when first read)."""
    cov = covered.to_numpy(bool)
    req, cat_tier, _ = _required(covered, ruleset)
    met_cols: dict[int, npt.NDArray[np.bool_]] = {}
    for t in ruleset.tier_minutes:
        sel = req & (cat_tier <= t)
        met_cols[t] = np.asarray(cov[:, sel].all(axis=1), dtype=bool)
    tiers_met = pd.DataFrame(met_cols, index=covered.index)
    tiers_met.columns.name = "tier_minutes"
    n_req = int(req.sum())
    score_arr = (
        100.0 * cov[:, req].sum(axis=1) / n_req if n_req else np.full(len(cov), np.nan)
    )
    score = pd.Series(score_arr, index=covered.index, name="score")
    return tiers_met, score


def missing_table(covered: pd.DataFrame, ruleset: RuleSet) -> pd.DataFrame:
    """Community × tier minutes: the required categories of tier ``<= T`` not
    covered, as a tuple (the ``missing`` of :func:`coverage_tables`)."""
    cov = covered.to_numpy(bool)
    req, cat_tier, cats_arr = _required(covered, ruleset)
    miss_cols: dict[int, list[tuple[str, ...]]] = {}
    for t in ruleset.tier_minutes:
        sel = req & (cat_tier <= t)
        miss_cols[t] = _lacking_names(~cov[:, sel], cats_arr[sel])
    missing = pd.DataFrame(miss_cols, index=covered.index)
    missing.columns.name = "tier_minutes"
    return missing


def _required(
    covered: pd.DataFrame, ruleset: RuleSet
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[Any], npt.NDArray[np.object_]]:
    """Per category of ``covered``: required, its tier, and the codes."""
    cats = list(covered.columns)
    rules = [ruleset.rule(c) for c in cats]
    req = np.array([r.required for r in rules], dtype=bool)
    cat_tier = np.array([r.tier_minutes for r in rules])
    return req, cat_tier, np.asarray(cats, dtype=object)


def aggregates(
    attrs: pd.DataFrame,
    tiers_met: pd.DataFrame,
    covered: pd.DataFrame,
    score: pd.Series,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The residents-weighted aggregates ``(by_street, by_district)`` of
    :func:`coverage_tables`. A result computes them when first read
    (:attr:`LifeCircleResult.by_street`)."""
    return (
        _aggregate(attrs, "street_code", tiers_met, covered, score),
        _aggregate(attrs, "district_code", tiers_met, covered, score),
    )


def _lacking_names(
    lacking: npt.NDArray[np.bool_], names: npt.NDArray[np.object_]
) -> list[tuple[str, ...]]:
    """Per row, the ``names`` of its ``True`` columns, as a tuple: one tuple per
    distinct row (a city's communities lack a few hundred combinations)."""
    n = lacking.shape[0]
    if n == 0 or names.size == 0:
        return [()] * n
    # each row's pattern as one key: its bits packed into bytes, compared as one
    # fixed-width value (np.unique(axis=0) sorts the rows column by column, ~10×
    # slower at a city's 3,000 rows)
    packed = np.ascontiguousarray(np.packbits(lacking, axis=1))
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).reshape(-1)
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    tuples = np.empty(first.size, dtype=object)
    for k, i in enumerate(first.tolist()):
        tuples[k] = tuple(names[lacking[i]])
    # one object per distinct pattern, shared by its rows (as the list of tuples was)
    return tuples[inverse.reshape(-1)].tolist()


def _aggregate(
    attrs: pd.DataFrame,
    key: str,
    tiers_met: pd.DataFrame,
    covered: pd.DataFrame,
    score: pd.Series,
) -> pd.DataFrame:
    res = attrs["residents"].to_numpy(float)
    cols: dict[str, Any] = {
        key: attrs[key].to_numpy(),
        "communities": np.ones(len(attrs), dtype=np.int64),
        "residents": res,
    }
    for t in tiers_met.columns:
        cols[f"residents_tier_{t}min"] = res * tiers_met[t].to_numpy()
    for c in covered.columns:
        cols[f"residents_lacking_{c}"] = res * ~covered[c].to_numpy()
    s = score.to_numpy(float)
    cols["_score_w"] = np.where(np.isnan(s), 0.0, s) * res
    frame = pd.DataFrame(cols)
    out = frame.groupby(key, sort=True).sum()
    for t in tiers_met.columns:
        out[f"share_tier_{t}min"] = _safe_div(
            out[f"residents_tier_{t}min"].to_numpy(float),
            out["residents"].to_numpy(float),
        )
    out["mean_score"] = _safe_div(
        out.pop("_score_w").to_numpy(float), out["residents"].to_numpy(float)
    )
    return out


def _safe_div(a: FloatArray, b: FloatArray) -> FloatArray:
    out = np.full(a.shape, np.nan)
    np.divide(a, b, out=out, where=b > 0)
    return out
