"""Storing a run's results: per-community rows and capacity JSON by COPY, facility supply, network islands."""

from __future__ import annotations

import json
import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction

from analysis.capacity import (
    CapacityResult,
)
from layers.dbcopy import copy_rows, copy_supported
from lifecircle.models import (
    CoverageResult,
    FacilitySupply,
    NetworkIsland,
)
from lifecircle.services.context import RunContext
from runs.models import AnalysisRun


def _finite(v: Any, digits: int = 1) -> float | None:
    """``v`` (a number: a pandas or numpy scalar, or None) rounded; None if not finite."""
    return None if v is None or not math.isfinite(v) else round(float(v), digits)


def _json_numbers(values: np.ndarray, digits: int) -> np.ndarray:
    """``json.dumps(_finite(v, digits))`` of each value (an object array of the
    same shape), formatted once per distinct float: a run's demand and shortfall
    tables hold a tenth as many distinct values as cells."""
    v = np.ascontiguousarray(values, dtype=float)
    # distinct bit patterns, so that -0.0 keeps its own text
    bits, inverse = np.unique(v.reshape(-1).view(np.uint64), return_inverse=True)
    isfinite = math.isfinite
    text = [
        repr(round(x, digits)) if isfinite(x) else "null"
        for x in bits.view(np.float64).tolist()
    ]
    return np.asarray(text, dtype=object)[inverse].reshape(v.shape)


def _capacity_json(cap: CapacityResult | None, codes: np.ndarray) -> list[str]:
    """One JSON object per community (CoverageResult.capacity).

    The text ``json.dumps`` gives for ``{"score", "tiers_met", "missing",
    "categories": {code: {"demand", "ratio", "shortfall", "adequate"}}}`` (values
    through :func:`_finite`), assembled column by column from whole arrays.
    """
    if cap is None:
        return ["{}"] * len(codes)
    cats = list(cap.categories)
    tiers = cap.tiers_met.reindex(codes)
    missing = cap.missing.reindex(codes)
    score = _json_numbers(cap.score.reindex(codes).to_numpy(float), 1).tolist()
    tables = {
        k: getattr(cap, k).reindex(codes).to_numpy(float)
        for k in ("demand", "ratio", "shortfall")
    }
    adequate = cap.adequate.reindex(codes).to_numpy(bool)
    t_keys = [json.dumps(str(k)) for k in tiers.columns]
    tiers_json = [
        "{"
        + ", ".join(
            f"{k}: {'true' if v else 'false'}" for k, v in zip(t_keys, row, strict=True)
        )
        + "}"
        for row in tiers.to_numpy(bool).tolist()
    ]
    m_keys = [str(k) for k in missing.columns]
    dumps = json.dumps
    missing_json = [
        dumps({k: list(v) for k, v in zip(m_keys, row, strict=True)})
        for row in missing.to_numpy(object).tolist()
    ]
    demand = _json_numbers(tables["demand"], 2)
    ratio = _json_numbers(tables["ratio"], 4)
    shortfall = _json_numbers(tables["shortfall"], 2)
    per_category = []
    for j, c in enumerate(cats):
        key = dumps(c)
        per_category.append(
            [
                f'{key}: {{"demand": {d}, "ratio": {r}, "shortfall": {s}, '
                f'"adequate": {"true" if a else "false"}}}'
                for d, r, s, a in zip(
                    demand[:, j].tolist(),
                    ratio[:, j].tolist(),
                    shortfall[:, j].tolist(),
                    adequate[:, j].tolist(),
                    strict=True,
                )
            ]
        )
    categories_json = (
        ["{" + ", ".join(parts) + "}" for parts in zip(*per_category, strict=True)]
        if cats
        else ["{}"] * len(codes)
    )
    return [
        f'{{"score": {s}, "tiers_met": {t}, "missing": {m}, "categories": {c}}}'
        for s, t, m, c in zip(
            score, tiers_json, missing_json, categories_json, strict=True
        )
    ]


def _coverage_rows(run_id: int, ctx: RunContext) -> list[tuple]:
    """One tuple per community (the CoverageResult columns), from whole arrays.

    Same values as building model instances row by row with ``.loc``: distances rounded
    to 0.1 m (``None`` when beyond the routing limit), tiers met, missing categories per
    tier, score and reachability.
    """
    res = ctx.result
    codes = res.distance_m.index.to_numpy()
    comm = ctx.communities
    pos = pd.Index(comm["code"]).get_indexer(codes)
    if (pos < 0).any():
        msg = "result communities do not match the loaded communities"
        raise ValueError(msg)
    pks = comm["pk"].to_numpy()[pos].astype(np.int64).tolist()
    residents = comm["residents"].fillna(0).astype(int).to_numpy()[pos].tolist()
    score = res.score.reindex(codes).to_numpy(float).tolist()
    unreachable = (
        set(res.unreachable_communities["code"])
        if len(res.unreachable_communities)
        else set()
    )
    reachable = [code not in unreachable for code in codes]
    # distances: a JSON object per row (json.dumps of _finite values, as JSONField does)
    cats = [str(c) for c in res.distance_m.columns]
    k = len(cats)
    flat = [
        round(v, 1) if math.isfinite(v) else None
        for v in res.distance_m.reindex(codes).to_numpy(float).ravel().tolist()
    ]
    dumps = json.dumps
    dist_json = (
        [dumps(dict(zip(cats, flat[i : i + k]))) for i in range(0, len(flat), k)]
        if k
        else ["{}"] * len(codes)
    )
    tiers = res.tiers_met.reindex(codes)
    t_keys = [json.dumps(str(k)) for k in tiers.columns]
    t_vals = tiers.to_numpy(bool).tolist()
    tiers_json = [
        "{"
        + ", ".join(
            f"{k}: {'true' if v else 'false'}" for k, v in zip(t_keys, row, strict=True)
        )
        + "}"
        for row in t_vals
    ]
    missing = res.missing.reindex(codes)
    m_keys = [str(k) for k in missing.columns]
    missing_json = [
        json.dumps({k: list(v) for k, v in zip(m_keys, row, strict=True)})
        for row in missing.to_numpy(object).tolist()
    ]
    return list(
        zip(
            [run_id] * len(codes),
            pks,
            residents,
            score,
            tiers_json,
            missing_json,
            dist_json,
            reachable,
            _capacity_json(ctx.capacity, codes),
            strict=True,
        )
    )


_COVERAGE_COLUMNS = (
    "run_id",
    "community_id",
    "residents",
    "score",
    "tiers_met",
    "missing",
    "distances_m",
    "reachable",
    "capacity",
)


_SUPPLY_COLUMNS = (
    "run_id",
    "amenity_code",
    "category",
    "supply",
    "unit",
    "basis",
    "note",
    "ratio",
)


@transaction.atomic
def _store(run: AnalysisRun, ctx: RunContext) -> None:
    """Write one CoverageResult per community with a single ``COPY … FROM STDIN``.

    The rows are built from whole arrays (:func:`_coverage_rows`); the table's
    constraints (unique run+community, foreign keys, residents >= 0) apply to COPY as
    to INSERT. Falls back to ``bulk_create`` on a database without COPY.
    """
    _store_islands(run, ctx.result.islands)
    rows = _coverage_rows(run.pk, ctx)
    if not rows:
        return
    supply = _supply_rows(run.pk, ctx.capacity)
    if copy_supported():
        copy_rows(FacilitySupply._meta.db_table, _SUPPLY_COLUMNS, supply)
        copy_rows(CoverageResult._meta.db_table, _COVERAGE_COLUMNS, rows)
        return
    CoverageResult.objects.bulk_create(
        [
            CoverageResult(
                run_id=r[0],
                community_id=r[1],
                residents=r[2],
                score=r[3],
                tiers_met=json.loads(r[4]),
                missing=json.loads(r[5]),
                distances_m=json.loads(r[6]),
                reachable=r[7],
                capacity=json.loads(r[8]),
            )
            for r in rows
        ],
        batch_size=2000,
    )
    FacilitySupply.objects.bulk_create(
        [FacilitySupply(**dict(zip(_SUPPLY_COLUMNS, r, strict=True))) for r in supply],
        batch_size=2000,
    )


def _supply_rows(run_id: int, cap: CapacityResult | None) -> list[tuple]:
    if cap is None or not len(cap.supply):
        return []
    sup = cap.supply
    return list(
        zip(
            [run_id] * len(sup),
            sup["code"].astype(str).tolist(),
            sup["category"].astype(str).tolist(),
            sup["supply"].fillna(0).astype(float).tolist(),
            sup["unit"].astype(str).tolist(),
            sup["basis"].astype(str).tolist(),
            sup["note"].astype(str).tolist(),
            sup["ratio"].astype(float).tolist(),
            strict=True,
        )
    )


def _store_islands(run: AnalysisRun, islands: gpd.GeoDataFrame) -> None:
    """One NetworkIsland row per component the run left out (caller's transaction)."""
    if islands.empty:
        return
    NetworkIsland.objects.bulk_create(
        [
            NetworkIsland(
                run=run,
                component=int(r.component),
                nodes=int(r.nodes),
                edges=int(r.edges),
                length_m=float(r.length_m),
                amenities_nearest=int(r.amenities_nearest),
                access_points_nearest=int(r.access_points_nearest),
                geom=GEOSGeometry(memoryview(r.geometry.wkb), srid=settings.SRID),
            )
            for r in islands.itertuples()
        ],
        batch_size=1000,
    )
