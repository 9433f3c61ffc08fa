"""What-if: new facilities added to a finished run, distance-only and capacity-aware."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from django.conf import settings
from pyproj import Transformer

from analysis.capacity import (
    capacity_what_if,
)
from analysis.walkshed import what_if
from layers.models import IdleLand, VacantHousing
from lifecircle.services.context import RunContext, run_context
from lifecircle.services.store import _finite
from runs.models import AnalysisRun

_TO_SRID = Transformer.from_crs(4326, settings.SRID, always_xy=True)


def _added_facilities(
    *,
    facilities: Sequence[dict[str, Any]],
    idle_land: Sequence[str],
    vacant_housing: Sequence[str],
    category: str | None,
) -> gpd.GeoDataFrame:
    cats, geoms, codes, caps, areas = [], [], [], [], []
    for i, f in enumerate(facilities):
        lon, lat = float(f["lon"]), float(f["lat"])
        ex = settings.CITY_EXTENT
        if not (
            math.isfinite(lon)
            and math.isfinite(lat)
            and ex[0] <= lon <= ex[2]
            and ex[1] <= lat <= ex[3]
        ):
            msg = f"facility {i}: ({lon}, {lat}) is outside the city extent {ex}"
            raise ValueError(msg)
        x, y = _TO_SRID.transform(lon, lat)
        cats.append(f["category"])
        geoms.append(shapely.Point(x, y))
        codes.append(f.get("code") or f"new-{i + 1}")
        caps.append(f.get("capacity"))
        areas.append(f.get("floor_area_m2"))
    if (idle_land or vacant_housing) and not category:
        msg = "a category is needed for idle plots and vacant housing"
        raise ValueError(msg)
    for model, wanted, rep in (
        (IdleLand, idle_land, True),
        (VacantHousing, vacant_housing, False),
    ):
        if not wanted:
            continue
        found = {o.code: o for o in model.objects.filter(code__in=list(wanted))}
        unknown = sorted(set(wanted) - set(found))
        if unknown:
            msg = f"unknown {model._meta.verbose_name} codes: {', '.join(unknown[:10])}"
            raise ValueError(msg)
        for code in wanted:
            g = shapely.from_wkb(bytes(found[code].geom.wkb))
            cats.append(category)
            geoms.append(shapely.point_on_surface(g) if rep else g)
            codes.append(code)
            # vacant housing brings its floor area; an idle plot the standard's size
            caps.append(None)
            areas.append(None if rep else found[code].floor_area_m2)
    if not geoms:
        msg = "nothing to add: give facilities, idle_land or vacant_housing"
        raise ValueError(msg)
    return gpd.GeoDataFrame(
        {
            "code": codes,
            "category": cats,
            "capacity": pd.array(caps, dtype="Float64").astype(float),
            "floor_area_m2": pd.array(areas, dtype="Float64").astype(float),
        },
        geometry=geoms,
        crs=f"EPSG:{settings.SRID}",
    )


def lifecircle_what_if(
    *,
    run: AnalysisRun,
    facilities: Sequence[dict[str, Any]] = (),
    idle_land: Sequence[str] = (),
    vacant_housing: Sequence[str] = (),
    category: str | None = None,
) -> dict[str, Any]:
    """Coverage with hypothetical facilities added; nothing is stored.

    Only the categories of the added facilities are recomputed, routing from the new
    facilities alone (:func:`analysis.walkshed.what_if`).
    """
    if run.kind != AnalysisRun.Kind.LIFECIRCLE or run.status != AnalysisRun.Status.DONE:
        msg = f"run {run.pk} is not a finished life-circle run"
        raise ValueError(msg)
    t = time.perf_counter()
    ctx = run_context(run)
    added = _added_facilities(
        facilities=facilities,
        idle_land=idle_land,
        vacant_housing=vacant_housing,
        category=category,
    )
    unknown = sorted(set(added["category"]) - set(ctx.rules.codes))
    if unknown:
        msg = f"unknown categories: {', '.join(unknown)}"
        raise ValueError(msg)
    new = what_if(ctx.result, ctx.network, ctx.communities, added, ctx.rules)
    before, after = ctx.result, new
    cats = sorted(set(added["category"]))
    # looked up by code for the communities that changed only (a dict of the city's
    # 3,000 cost more than the rest of the answer's assembly)
    by_code = ctx.communities.set_index("code")
    names = by_code["name"]
    residents = by_code["residents"].fillna(0).astype(int)
    changed = []
    newly = after.covered[cats] & ~before.covered[cats]
    for code in newly.index[newly.any(axis=1)]:
        changed.append(
            {
                "code": code,
                "name": names[code],
                "residents": int(residents[code]),
                "newly_covered": [c for c in cats if newly.at[code, c]],
                "score_before": _finite(before.score[code]),
                "score_after": _finite(after.score[code]),
                "distance_before_m": {
                    c: _finite(before.distance_m.at[code, c]) for c in cats
                },
                "distance_after_m": {
                    c: _finite(after.distance_m.at[code, c]) for c in cats
                },
            }
        )
    changed.sort(key=lambda r: (-r["residents"], r["code"]))
    capacity = _capacity_what_if(ctx, added, names, residents)
    return {
        "run": run.pk,
        "categories": cats,
        "added": [
            {"code": c, "category": k}
            for c, k in zip(added["code"], added["category"], strict=True)
        ],
        "communities_newly_covered": len(changed),
        "residents_newly_covered": {
            c: int(sum(r["residents"] for r in changed if c in r["newly_covered"]))
            for c in cats
        },
        "mean_score_before": _finite(float(before.score.mean())),
        "mean_score_after": _finite(float(after.score.mean())),
        "changed": changed,
        "capacity": capacity,
        "elapsed_s": round(time.perf_counter() - t, 4),
    }


def _capacity_what_if(
    ctx: RunContext,
    added: gpd.GeoDataFrame,
    names: pd.Series,
    residents: pd.Series,
) -> dict[str, Any] | None:
    """The capacity-aware change: shortfalls and ratios before and after."""
    before = ctx.capacity
    if before is None or ctx.network is None:
        return None
    cats = sorted(set(added["category"]) & set(before.categories))
    if not cats:
        return {"categories": [], "changed": []}
    after = capacity_what_if(
        before, ctx.result, ctx.network, added, ctx.rules, shares=ctx.shares
    )
    drop = before.shortfall[cats] - after.shortfall[cats]
    changed = []
    for code in drop.index[(drop > 1e-9).any(axis=1)]:
        changed.append(
            {
                "code": code,
                "name": names[code],
                "residents": int(residents[code]),
                "shortfall_before": {
                    c: _finite(before.shortfall.at[code, c], 2) for c in cats
                },
                "shortfall_after": {
                    c: _finite(after.shortfall.at[code, c], 2) for c in cats
                },
                "ratio_before": {c: _finite(before.ratio.at[code, c], 4) for c in cats},
                "ratio_after": {c: _finite(after.ratio.at[code, c], 4) for c in cats},
                "newly_adequate": [
                    c
                    for c in cats
                    if after.adequate.at[code, c] and not before.adequate.at[code, c]
                ],
            }
        )
    changed.sort(key=lambda r: (-r["residents"], r["code"]))
    res = ctx.communities.set_index("code")["residents"].fillna(0)
    added_sup = after.supply.iloc[len(before.supply) :]
    return {
        "categories": cats,
        "supply_added": [
            {
                "code": str(r.code),
                "category": str(r.category),
                "supply": _finite(r.supply, 2),
                "unit": str(r.unit),
                "basis": str(r.basis),
                "note": str(r.note),
            }
            for r in added_sup.itertuples()
        ],
        "shortfall_reduced": {c: _finite(float(drop[c].sum()), 2) for c in cats},
        "residents_adequate_before": {
            c: int(res.reindex(before.adequate.index)[before.adequate[c]].sum())
            for c in cats
        },
        "residents_adequate_after": {
            c: int(res.reindex(after.adequate.index)[after.adequate[c]].sum())
            for c in cats
        },
        "mean_score_before": _finite(float(before.score.mean())),
        "mean_score_after": _finite(float(after.score.mean())),
        "changed": changed,
    }
