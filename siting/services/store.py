"""The stored rows of one siting computation: every candidate ranked per category, with
the communities it would serve, written with one COPY (:func:`layers.dbcopy.copy_rows`)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
from django.db import transaction

from analysis import siting as core
from layers.dbcopy import copy_rows, ewkb_hex
from runs.models import AnalysisRun
from siting.models import SitingCandidateResult

if TYPE_CHECKING:  # annotations only: compute calls _store
    from siting.services.compute import _Parking, _Problem, _Sites


#: the columns of a stored candidate row, in the order ``_store`` builds them
_RESULT_COLUMNS = (
    "run_id",
    "category",
    "candidate_kind",
    "candidate_code",
    "name",
    "kind",
    "owner",
    "consent",
    "area_m2",
    "area_basis",
    "district_code",
    "rank",
    "gain_residents",
    "gain_communities",
    "chosen_greedy",
    "chosen_exact",
    "reachable",
    "parking_spaces",
    "parking_gap_reduced",
    "prefer_parking",
    "served",
    "geom",
)


@transaction.atomic
def _store(
    run: AnalysisRun,
    cand: gpd.GeoDataFrame,
    problems: dict[str, _Problem],
    chosen: dict[str, dict[str, np.ndarray]],
    sites: _Sites,
    codes: np.ndarray,
    names: Mapping[str, str],
    residents: np.ndarray,
    lonlat: np.ndarray,
    park: _Parking | None = None,
    prefer: np.ndarray | None = None,
) -> dict[str, list]:
    n = len(cand)
    # one COPY of plain rows (bulk_create's per-field preparation of ~1,800 model
    # objects took most of the store): geometries as hex EWKB, ``served`` as JSON text
    geoms = ewkb_hex(cand.geometry.to_numpy()) if n else []
    rows: list[tuple] = []
    top: dict[str, list] = {}
    # plain per-column lists: a GeoDataFrame row lookup per candidate is slow
    attrs = {
        col: cand[col].tolist() if n else []
        for col in (
            "source",
            "code",
            "name",
            "kind",
            "owner",
            "consent",
            "area_m2",
            "area_basis",
            "district_code",
        )
    }
    for c, p in problems.items():
        w = p.weights
        gain = core.coverage_gain(p.cover, w) if n else np.zeros(0)
        order = core.rank_order(gain, p.eligible)
        g_set = set(chosen["greedy"].get(c, np.zeros(0)).tolist())
        e_set = set(chosen["exact"].get(c, np.zeros(0)).tolist())
        top[c] = []
        for rank, j in enumerate(order, start=1):
            lo, hi = p.cover.indptr[j], p.cover.indptr[j + 1]
            cols = p.cover.indices[lo:hi]
            dd = p.dist.data[lo:hi]
            served = sorted(
                (
                    {
                        "code": str(codes[i]),
                        "name": names.get(codes[i], ""),
                        "residents": int(residents[i]),
                        "walk_m": round(float(d), 1),
                        "lon": round(float(lonlat[i, 0]), 6),
                        "lat": round(float(lonlat[i, 1]), 6),
                    }
                    for i, d in zip(cols, dd, strict=True)
                    if w[i] > 0
                ),
                key=lambda s: (s["walk_m"], s["code"]),
            )
            rec = {col: vals[j] for col, vals in attrs.items()}
            area = rec["area_m2"]
            rows.append(
                (
                    run.pk,
                    c,
                    rec["source"],
                    str(rec["code"]),
                    str(rec["name"] or "")[:128],
                    str(rec["kind"] or ""),
                    str(rec["owner"] or "")[:128],
                    str(rec["consent"] or ""),
                    None if area is None or not math.isfinite(area) else float(area),
                    str(rec["area_basis"] or ""),
                    str(rec["district_code"] or ""),
                    rank,
                    int(round(gain[j])),
                    len(served),
                    int(j) in g_set,
                    int(j) in e_set,
                    bool(sites.reachable[j]),
                    0 if park is None else int(park.spaces[j]),
                    0 if park is None else int(park.reduced[j]),
                    bool(prefer[j]) if prefer is not None else False,
                    json.dumps(served, ensure_ascii=False),
                    geoms[int(j)],
                )
            )
            if rank <= 10:
                top[c].append(
                    {
                        "rank": rank,
                        "candidate_kind": rec["source"],
                        "candidate_code": str(rec["code"]),
                        "gain_residents": int(round(gain[j])),
                        "gain_communities": len(served),
                    }
                )
    copy_rows(SitingCandidateResult._meta.db_table, _RESULT_COLUMNS, rows)
    return top
