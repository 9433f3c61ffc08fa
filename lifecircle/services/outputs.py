"""A run's results out: one row per community (CSV, GeoJSON, GeoPackage) and the distance GeoTIFF."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from affine import Affine
from django.conf import settings

from analysis.network import (
    NetworkEntry,
)
from analysis.surface import distance_surface, surface_bounds
from analysis.walkshed import nearest_distance
from layers import frames
from layers.io import writers
from lifecircle.models import (
    CoverageResult,
)
from lifecircle.services.context import run_context
from runs.models import AnalysisRun

RESULT_FORMATS = ("csv", "geojson", "gpkg")


def lifecircle_result_records(run: AnalysisRun) -> tuple[list[dict], list]:
    """One record per community of a finished run, and its polygon (shapely, in
    ``settings.SRID``): the one table behind the downloads (:mod:`.exporting`), the
    command line's ``--output`` and ``--json`` (:func:`lifecircle_result_rows`).

    Keys: ``code``, ``name``, ``district``, ``street`` (names), ``residents``,
    ``score``, ``tiers_met`` (the tiers met, a list of minutes), then
    ``district_code``, ``street_code``, ``reachable``, ``tier_<T>min`` (bool per tier),
    ``missing_<T>min`` (the codes of the categories missing up to that tier, a list),
    and per analysed category ``<code>_m`` (the walking distance in metres, NaN when
    none is within reach) and ``<code>_within_reach``; with a capacity-aware result
    also ``capacity_score``, ``missing_<T>min_capacity`` (a list) and, per category with
    a standard, ``<code>_demand``, ``<code>_ratio``, ``<code>_shortfall`` and
    ``<code>_enough``.
    """
    thresholds = run.summary.get("thresholds_m") or {}
    results = list(
        CoverageResult.objects.filter(run=run)
        .select_related("community", "community__district", "community__street")
        .order_by("community__code")
    )
    tiers = sorted({int(t) for r in results for t in (r.tiers_met or {})})
    rows, geoms = [], []
    for r in results:
        c = r.community
        met = {int(k): bool(v) for k, v in (r.tiers_met or {}).items()}
        cap = r.capacity or {}
        row = {
            "code": c.code,
            "name": c.name,
            "district": c.district.name,
            "street": c.street.name if c.street else "",
            "residents": int(r.residents),
            "score": round(float(r.score), 1),
            "tiers_met": [t for t in sorted(met) if met[t]],
            "district_code": c.district.code,
            "street_code": c.street.code if c.street else "",
            "reachable": bool(r.reachable),
            **{f"tier_{t}min": met.get(t, False) for t in tiers},
        }
        for tier, cats in (r.missing or {}).items():
            row[f"missing_{tier}min"] = list(cats)
        if cap:
            row["capacity_score"] = cap.get("score")
        for tier, cats in (cap.get("missing") or {}).items():
            row[f"missing_{tier}min_capacity"] = list(cats)
        figures = cap.get("categories") or {}
        for code, limit in thresholds.items():
            d = (r.distances_m or {}).get(code)
            row[f"{code}_m"] = float(d) if d is not None else math.nan
            row[f"{code}_within_reach"] = (
                d is not None and limit is not None and d <= limit
            )
            if code in figures:
                f = figures[code]
                row[f"{code}_demand"] = f["demand"]
                row[f"{code}_ratio"] = f["ratio"]
                row[f"{code}_shortfall"] = f["shortfall"]
                row[f"{code}_enough"] = f["adequate"]
        rows.append(row)
        geoms.append(shapely.from_wkb(bytes(c.geom.wkb)))
    return rows, geoms


def lifecircle_result_rows(run: AnalysisRun) -> gpd.GeoDataFrame:
    """:func:`lifecircle_result_records` for machines (``manage.py lifecircle
    --output/--json``): codes as column names, lists ``;``-joined (``tiers_met``
    ``"5;10"``), the community polygon in EPSG:4326."""
    records, geoms = lifecircle_result_records(run)
    rows = [
        {
            k: ";".join(str(x) for x in v) if isinstance(v, list) else v
            for k, v in row.items()
        }
        for row in records
    ]
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=f"EPSG:{settings.SRID}").to_crs(
        settings.API_SRID
    )
    return frame


def lifecircle_result_write(run: AnalysisRun, path) -> Path:
    """Write :func:`lifecircle_result_rows` to ``path`` (.csv, .geojson or .gpkg).

    The file appears whole or not at all: it is written beside ``path`` under a
    temporary name and renamed. CSV is UTF-8 with BOM and a ``wkt`` column.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in RESULT_FORMATS:
        msg = f"{path.name}: the output must end in .csv, .geojson or .gpkg"
        raise ValueError(msg)
    if not path.parent.is_dir():
        msg = f"{path.parent}: no such directory"
        raise ValueError(msg)
    frame = lifecircle_result_rows(run)
    tmp = path.with_name(f".{path.stem}.partial{path.suffix}")
    tmp.unlink(missing_ok=True)
    try:
        kw = {"layer": "lifecircle"} if fmt == "gpkg" else {}
        writers.export(frame, tmp, fmt, **kw)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def lifecircle_distance_tiff(
    *, run: AnalysisRun, category: str, path, cell_m: float = 50.0
):
    """Write a GeoTIFF of walking distance (m) to the nearest facility of ``category``.

    Grid of ``cell_m`` over the analysed communities (+ margin), float32, NaN = beyond the
    routing limit or off the network; EPSG = settings.SRID.
    """
    if not (10 <= cell_m <= 1000):
        msg = f"cell_m must be within 10–1000 m, got {cell_m}"
        raise ValueError(msg)
    ctx = run_context(run)
    if ctx.network is None:
        msg = "this run has no walk network (straight-line mode): no distance surface"
        raise ValueError(msg)
    if category not in ctx.rules.codes:
        msg = f"unknown category {category!r}"
        raise ValueError(msg)
    amenities = frames.amenities_gdf(categories=[category])
    net = ctx.network
    limit = float(ctx.result.limit_m)
    if len(amenities):
        xy = shapely.get_coordinates(amenities.geometry.to_numpy())
        snap = net.snap_points(
            xy,
            max_distance_m=ctx.result.parameters["snap_limit_m"],
            min_component_nodes=ctx.result.parameters["min_component_nodes"],
        )
        nodes, costs = NetworkEntry.from_snap(
            net, snap, np.flatnonzero(snap.reachable)
        ).nodes()
        node_d = nearest_distance(net.csr, nodes, limit, offsets_m=costs)
    else:
        node_d = np.full(net.n_nodes, np.inf)
    bounds = surface_bounds(
        shapely.get_coordinates(ctx.communities.geometry.to_numpy())
    )
    grid, gt = distance_surface(net.node_xy, node_d, bounds, cell_m=cell_m)
    profile = {
        "driver": "GTiff",
        "height": grid.shape[0],
        "width": grid.shape[1],
        "count": 1,
        "dtype": "float32",
        "crs": f"EPSG:{settings.SRID}",
        "nodata": np.nan,
        "transform": Affine.from_gdal(*gt),
        "compress": "deflate",
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(grid, 1)
        dst.update_tags(
            category=category,
            run=str(run.pk),
            units="metres",
            description="walking distance to the nearest facility",
        )
    return path
