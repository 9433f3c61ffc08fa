"""Storing a run's results: per-community rows and capacity JSON by COPY, facility supply, network islands."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
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
from layers.dbcopy import copy_field_columns, copy_rows, copy_supported
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


def _template_key(key: str) -> str:
    """A JSON object key (``json.dumps`` of it) as a literal of a ``%`` template."""
    return json.dumps(key).replace("%", "%%")


def _bool_json(values: np.ndarray) -> np.ndarray:
    """``true`` / ``false`` per value (an object array of the same shape)."""
    return np.where(np.asarray(values, dtype=bool), "true", "false").astype(object)


def _tiers_missing_json(
    tiers: pd.DataFrame, missing: pd.DataFrame
) -> tuple[str, str, list[np.ndarray]]:
    """The ``tiers_met`` and ``missing`` objects of each row as ``%`` templates and
    their value columns: ``json.dumps`` of ``{tier: bool}`` and of ``{tier: list}``
    (each distinct tuple of missing categories dumped once)."""
    t_tpl = "{" + ", ".join(f"{_template_key(str(k))}: %s" for k in tiers.columns) + "}"
    m_tpl = (
        "{" + ", ".join(f"{_template_key(str(k))}: %s" for k in missing.columns) + "}"
    )
    columns = list(_bool_json(tiers.to_numpy(bool)).T)
    dumped: dict[tuple, str] = {}
    dumps = json.dumps
    for j in range(missing.shape[1]):
        cells = missing.iloc[:, j].tolist()
        out = np.empty(len(cells), dtype=object)
        for i, v in enumerate(cells):
            key = tuple(v)
            text = dumped.get(key)
            if text is None:
                text = dumped[key] = dumps(list(v))
            out[i] = text
        columns.append(out)
    return t_tpl, m_tpl, columns


def _rows_from_template(
    template: str, columns: list[np.ndarray], n: int
) -> Iterator[str]:
    """``template % row`` for each row of the (text) value columns, built as the
    iterator is read."""
    if not columns:
        return itertools.repeat(template % (), n)
    table = np.empty((n, len(columns)), dtype=object)
    for j, col in enumerate(columns):
        table[:, j] = col
    return (template % tuple(row) for row in table.tolist())


def _capacity_json(cap: CapacityResult | None, codes: np.ndarray) -> list[str]:
    """One JSON object per community (CoverageResult.capacity): the texts of
    :func:`_capacity_json_rows`."""
    return list(_capacity_json_rows(cap, codes))


def _capacity_json_rows(cap: CapacityResult | None, codes: np.ndarray) -> Iterator[str]:
    """One JSON object per community (CoverageResult.capacity), each built as the
    iterator is read (the whole-column work is done at the call).

    The text ``json.dumps`` gives for ``{"score", "tiers_met", "missing",
    "categories": {code: {"demand", "ratio", "shortfall", "adequate"}}}`` (values
    through :func:`_finite`), assembled from whole columns: every number formatted
    once per distinct float (:func:`_json_numbers`), every distinct tuple of missing
    categories dumped once, then one ``%`` of a template per row.
    """
    if cap is None:
        return itertools.repeat("{}", len(codes))
    cats = list(cap.categories)
    t_tpl, m_tpl, tm_cols = _tiers_missing_json(
        cap.tiers_met.reindex(codes), cap.missing.reindex(codes)
    )
    c_tpl = (
        "{"
        + ", ".join(
            f"{_template_key(c)}: "
            '{"demand": %s, "ratio": %s, "shortfall": %s, "adequate": %s}'
            for c in cats
        )
        + "}"
    )
    template = (
        f'{{"score": %s, "tiers_met": {t_tpl}, "missing": {m_tpl}, '
        f'"categories": {c_tpl}}}'
    )
    score = _json_numbers(cap.score.reindex(codes).to_numpy(float), 1)
    demand, ratio, shortfall = (
        _json_numbers(getattr(cap, k).reindex(codes).to_numpy(float), digits)
        for k, digits in (("demand", 2), ("ratio", 4), ("shortfall", 2))
    )
    adequate = _bool_json(cap.adequate.reindex(codes).to_numpy(bool))
    per_category = []
    for j in range(len(cats)):
        per_category += [demand[:, j], ratio[:, j], shortfall[:, j], adequate[:, j]]
    return _rows_from_template(template, [score, *tm_cols, *per_category], len(codes))


def _coverage_rows(run_id: int, ctx: RunContext) -> Iterator[tuple]:
    """One tuple per community (the CoverageResult columns), from whole arrays.

    Same values as building model instances row by row with ``.loc``: distances rounded
    to 0.1 m (``None`` when beyond the routing limit), tiers met, missing categories per
    tier, score and reachability. The whole-column work is done at the call (and a
    mismatch of result and communities raised there); each row's JSON texts are
    assembled as the iterator is read, so that COPY sends the first rows while the
    later ones are built (:func:`layers.dbcopy.copy_rows`).
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
    dumps = json.dumps
    isfinite = math.isfinite

    def distances() -> Iterator[str]:
        for row in res.distance_m.reindex(codes).to_numpy(float).tolist():
            yield dumps(
                dict(
                    zip(
                        cats,
                        [round(v, 1) if isfinite(v) else None for v in row],
                        strict=True,
                    )
                )
            )

    t_tpl, m_tpl, tm_cols = _tiers_missing_json(
        res.tiers_met.reindex(codes), res.missing.reindex(codes)
    )
    n_t = len(res.tiers_met.columns)
    return zip(
        [run_id] * len(codes),
        pks,
        residents,
        score,
        _rows_from_template(t_tpl, tm_cols[:n_t], len(codes)),
        _rows_from_template(m_tpl, tm_cols[n_t:], len(codes)),
        distances() if cats else itertools.repeat("{}", len(codes)),
        reachable,
        _capacity_json_rows(ctx.capacity, codes),
        strict=True,
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
    if not len(ctx.result.distance_m.index):
        return
    rows = _coverage_rows(run.pk, ctx)
    if copy_supported():
        _copy_supply(run.pk, ctx.capacity)
        # rows built as COPY reads them: PostgreSQL parses while the rest is built
        copy_rows(CoverageResult._meta.db_table, _COVERAGE_COLUMNS, rows)
        return
    supply = _supply_rows(run.pk, ctx.capacity)
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


def _supply_columns(run_id: int, cap: CapacityResult) -> dict[str, list]:
    """The FacilitySupply columns of ``cap``'s facilities (field name → values)."""
    sup = cap.supply
    return {
        "run": [run_id] * len(sup),
        "amenity_code": sup["code"].astype(str).tolist(),
        "category": sup["category"].astype(str).tolist(),
        "supply": sup["supply"].fillna(0).astype(float).tolist(),
        "unit": sup["unit"].astype(str).tolist(),
        "basis": sup["basis"].astype(str).tolist(),
        "note": sup["note"].astype(str).tolist(),
        "ratio": sup["ratio"].astype(float).tolist(),
    }


_SUPPLY_FIELDS = (
    "run",
    "amenity_code",
    "category",
    "supply",
    "unit",
    "basis",
    "note",
    "ratio",
)


def _copy_supply(run_id: int, cap: CapacityResult | None) -> int:
    """One COPY of the run's FacilitySupply rows, formatted a column at a time
    (:func:`layers.dbcopy.copy_field_columns`: the text of :func:`_supply_rows`
    through ``copy_rows``)."""
    if cap is None or not len(cap.supply):
        return 0
    meta = FacilitySupply._meta
    return copy_field_columns(
        meta.db_table,
        [meta.get_field(name) for name in _SUPPLY_FIELDS],
        _supply_columns(run_id, cap),
    )


def _supply_rows(run_id: int, cap: CapacityResult | None) -> list[tuple]:
    """The FacilitySupply rows of ``cap`` as tuples in ``_SUPPLY_COLUMNS`` order."""
    if cap is None or not len(cap.supply):
        return []
    cols = _supply_columns(run_id, cap)
    return list(zip(*(cols[name] for name in _SUPPLY_FIELDS), strict=True))


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
