"""Siting runs (one category or several): validated, recorded by the one run lifecycle, computed."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

from accounts import permissions
from layers import frames
from lifecircle import services as lc
from lifecircle.rulesets import ruleset_load
from runs.lifecycle import run_recorded
from runs.models import AnalysisRun
from runs.registry import kwargs_of
from siting.services.compute import _compute_and_store, _jsonable
from siting.services.inputs import (
    DEFAULT_EMBEDDED_BONUS,
    DEFAULT_TIME_LIMIT_S,
    ENGINE,
    _check_category,
    _check_common,
    _check_embedded,
    _check_gaps,
    _check_k,
    _check_parking_weight,
    _lifecircle_run,
)


def siting_execute(*, run: AnalysisRun, user: Any, **kwargs: Any) -> AnalysisRun:
    """A queued siting run: several categories (``categories``) or one."""
    fn = siting_multi_run if kwargs.get("categories") else siting_run
    return fn(run=run, user=user, **kwargs)


def siting_validate(params: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of :func:`siting_run` (or, with ``categories``,
    :func:`siting_multi_run`) for a queued run, checked before queuing without
    routing: bounds, method, kinds, the life-circle run and that it analysed every
    category asked for."""
    kw = {k: v for k, v in params.items() if v is not None}
    cats = list(kw.get("categories") or ())
    multi = len(cats) > 1 or (bool(cats) and bool(kw.get("embedded")))
    if multi:
        if kw.pop("tier", None) is not None:
            msg = "tier applies to one category; several use their own"
            raise ValueError(msg)
    else:
        kw["category"] = kw.get("category") or (cats[0] if cats else None)
        for key in ("categories", "embedded", "embedded_bonus"):
            kw.pop(key, None)
        cats = [kw["category"]]
    kw = kwargs_of(siting_multi_run if multi else siting_run, kw)
    k = kw.get("k", 5)
    if isinstance(k, Mapping) and multi:
        for c in cats:
            _check_k(k.get(c, 0), f"k[{c}]", low=0)
    else:
        _check_k(k)
    _check_common(
        method=kw.get("method", "both"),
        kinds=kw.get("kinds"),
        districts=kw.get("districts"),
        min_area_m2=kw.get("min_area_m2"),
        time_limit_s=kw.get("time_limit_s", DEFAULT_TIME_LIMIT_S),
        consent_scope=kw.get("consent_scope", "granted"),
    )
    if multi and kw.get("embedded"):
        _check_embedded(cats)
    _check_parking_weight(kw.get("parking_weight", 0.0))
    lc_run = _lifecircle_run(kw.get("lifecircle_run"))
    analysed = set(lc_run.summary.get("thresholds_m") or {})
    for c in cats:
        if not isinstance(c, str) or c not in analysed:
            msg = f"unknown category {c!r}; known: {', '.join(sorted(analysed))}"
            raise ValueError(msg)
    tier = kw.get("tier")
    tiers = ruleset_load(lc_run.ruleset).tier_minutes if lc_run.ruleset else ()
    if tier is not None and (isinstance(tier, bool) or tier not in tiers):
        msg = f"tier must be one of {list(tiers)} minutes, got {tier!r}"
        raise ValueError(msg)
    return kw


def siting_run(
    *,
    category: str,
    tier: int | None = None,
    k: int = 5,
    method: str = "both",
    kinds: Sequence[str] | None = None,
    districts: Sequence[str] | None = None,
    min_area_m2: float | None = None,
    consent_scope: str = "granted",
    lifecircle_run: AnalysisRun | int | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    gaps: str = "distance",
    parking_weight: float = 0.0,
    user=None,
    run: AnalysisRun | None = None,
) -> AnalysisRun:
    """Rank the idle plots / vacant housing for one category and choose up to ``k`` sites.

    ``gaps``: ``distance`` counts residents newly within reach; ``capacity`` counts the
    residents whose shortfall a site within the catchment reduces (the category needs a
    capacity standard and the life-circle run its capacity-aware result).

    ``parking_weight`` (≥ 0) weighs the plots' other use: each candidate also gets the
    parking spaces it could hold and the parking shortage of the communities within a
    walk it would take off (``analysis.parking``), and is marked better used for
    parking when ``weight × that reduction`` exceeds the residents it would newly
    serve; the summary's ``parking`` sets the chosen sites' residents against the
    shortage the same plots could remove. The weight does not change which sites the
    coverage model chooses.

    ``tier`` (minutes) sets the walking distance (default: the category's own threshold in
    the life-circle run); ``method`` is ``greedy``, ``exact`` (HiGHS) or ``both``;
    ``kinds`` / ``districts`` (codes) / ``min_area_m2`` narrow the candidates on top of
    the rule's minimum site area (plots) or floor area (housing). ``consent_scope``: plots
    whose owners agreed (``granted``, with vacant public housing, the default), the
    ones still to ask (``pending``, ranked on their own) or ``all`` (each marked). Builds on a finished
    life-circle run (default: the latest). Returns the stored ``AnalysisRun``
    (``kind=siting``); raises ``ValueError`` on bad input.
    """
    permissions.check_analysis(user, districts, "运行闲置用地选址")
    k = _check_k(k)
    _check_common(
        method=method,
        kinds=kinds,
        districts=districts,
        min_area_m2=min_area_m2,
        time_limit_s=time_limit_s,
        consent_scope=consent_scope,
    )
    lc_run = _lifecircle_run(lifecircle_run)
    t0 = time.perf_counter()
    ctx = lc.run_context(lc_run)
    _check_category(ctx, category)
    rule = ctx.rules.rule(category)
    if tier is None:
        tier_min = int(rule.tier_minutes)
        distance = float(ctx.result.thresholds_m[category])
    else:
        if isinstance(tier, bool) or tier not in ctx.rules.tier_minutes:
            msg = f"tier must be one of {list(ctx.rules.tier_minutes)} minutes, got {tier!r}"
            raise ValueError(msg)
        tier_min = int(tier)
        p = ctx.result.parameters
        distance = float(
            ctx.rules.distance_for(
                tier_min,
                strict=bool(p.get("strict", False)),
                speed_m_per_min=p.get("speed_m_per_min"),
            )
        )
    params = {
        "category": category,
        "categories": [category],
        "tier_minutes": tier_min,
        "distance_m": distance,
        "k": k,
        "method": method,
        "kinds": list(kinds) if kinds else None,
        "districts": list(districts) if districts else None,
        "min_area_m2": min_area_m2,
        "consent_scope": consent_scope,
        "time_limit_s": float(time_limit_s),
        "multi": False,
        "gaps": _check_gaps(ctx, [category], gaps),
        "parking_weight": _check_parking_weight(parking_weight),
    }
    return _execute(
        params=params,
        ctx=ctx,
        lc_run=lc_run,
        rules={category: rule},
        distances={category: distance},
        k=k,
        user=user,
        t_context=time.perf_counter() - t0,
        run=run,
    )


def siting_multi_run(
    *,
    categories: Sequence[str],
    k: int | Mapping[str, int],
    embedded: bool = False,
    embedded_bonus: float | None = None,
    method: str = "both",
    kinds: Sequence[str] | None = None,
    districts: Sequence[str] | None = None,
    min_area_m2: float | None = None,
    consent_scope: str = "granted",
    lifecircle_run: AnalysisRun | int | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    gaps: str = "distance",
    parking_weight: float = 0.0,
    user=None,
    run: AnalysisRun | None = None,
) -> AnalysisRun:
    """Site several categories at once on one inventory of idle plots and vacant housing.

    ``k`` is a total number of new facilities or a number per category. A candidate hosts
    one facility unless its area fits more (capacity = area // the smallest minimum of the
    categories it fits); plots are measured by site area (the rule's minimum site area,
    else its minimum floor area: a single-storey new building), housing by floor area.
    ``embedded=True`` rewards each 社区嵌入式服务综合体 (≥ 600 m², ≥ 3 functions, ≥ 2 of
    elderly_daycare / nursery / after_school_care / community_canteen) with
    ``embedded_bonus`` residents (default 500); complexes are reported either way.
    Each category uses its own threshold from the life-circle run.
    """
    permissions.check_analysis(user, districts, "运行闲置用地选址")
    if isinstance(categories, str) or not categories:
        msg = "categories must be a non-empty list of category codes"
        raise ValueError(msg)
    cats = list(dict.fromkeys(categories))
    if isinstance(k, Mapping):
        unknown = sorted(set(k) - set(cats))
        if unknown:
            msg = f"k names categories not in the run: {unknown}"
            raise ValueError(msg)
        per_category = {c: _check_k(k.get(c, 0), f"k[{c}]", low=0) for c in cats}
        if sum(per_category.values()) < 1:
            msg = "k must allow at least one new facility"
            raise ValueError(msg)
        k_val: int | dict[str, int] = per_category
    else:
        k_val = _check_k(k)
    _check_common(
        method=method,
        kinds=kinds,
        districts=districts,
        min_area_m2=min_area_m2,
        time_limit_s=time_limit_s,
        consent_scope=consent_scope,
    )
    if embedded:
        _check_embedded(cats)
    bonus = 0.0
    if embedded:
        bonus = DEFAULT_EMBEDDED_BONUS if embedded_bonus is None else embedded_bonus
        if not (math.isfinite(float(bonus)) and float(bonus) >= 0):
            msg = f"embedded_bonus must be a non-negative number, got {bonus!r}"
            raise ValueError(msg)
    lc_run = _lifecircle_run(lifecircle_run)
    t0 = time.perf_counter()
    ctx = lc.run_context(lc_run)
    for c in cats:
        _check_category(ctx, c)
    rules = {c: ctx.rules.rule(c) for c in cats}
    distances = {c: float(ctx.result.thresholds_m[c]) for c in cats}
    params = {
        "category": None,
        "categories": cats,
        "tier_minutes": {c: int(rules[c].tier_minutes) for c in cats},
        "distance_m": distances,
        "k": k_val,
        "method": method,
        "embedded": bool(embedded),
        "embedded_bonus": float(bonus),
        "kinds": list(kinds) if kinds else None,
        "districts": list(districts) if districts else None,
        "min_area_m2": min_area_m2,
        "consent_scope": consent_scope,
        "time_limit_s": float(time_limit_s),
        "multi": True,
        "gaps": _check_gaps(ctx, cats, gaps),
        "parking_weight": _check_parking_weight(parking_weight),
    }
    return _execute(
        params=params,
        ctx=ctx,
        lc_run=lc_run,
        rules=rules,
        distances=distances,
        k=k_val,
        user=user,
        run=run,
        t_context=time.perf_counter() - t0,
    )


def _execute(
    *,
    params: dict,
    ctx: lc.RunContext,
    lc_run: AnalysisRun,
    rules: dict[str, Any],
    distances: dict[str, float],
    k: int | dict[str, int],
    user,
    t_context: float,
    run: AnalysisRun | None = None,
) -> AnalysisRun:
    with (
        run_recorded(
            run=run,
            kind=AnalysisRun.Kind.SITING,
            parameters=_jsonable({**params, "lifecircle_run": lc_run.pk}),
            ruleset=lc_run.ruleset,
            ruleset_version=lc_run.ruleset_version,
            data_time=frames.data_time(),
            engine=ENGINE,
            created_by=permissions.user_of(user),
            offset_s=t_context,
        ) as rec,
        rec.finishing() as run,
    ):
        summary = _compute_and_store(
            run=run,
            params=params,
            ctx=ctx,
            rules=rules,
            distances=distances,
            k=k,
        )
        timings = summary["timings"]
        timings["context_s"] = round(t_context, 4)
        timings["total_s"] = round(rec.elapsed(), 4)
        run.summary = _jsonable(summary)
    return run
