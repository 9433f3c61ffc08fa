"""Reads for the blocks app: runs, blocks, and the inputs of a bundling run (STYLE §4.2).

The inputs (communities, barriers, gap profile) come out as GeoDataFrames / frames in
the storage SRID, indexed by community ``code``, ready for
:func:`analysis.bundling.bundle_blocks`.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB
from django.db.models import Q, QuerySet

from layers import frames
from layers.models import Community, District, Street, WalkSegment
from lifecircle.models import CoverageResult
from runs.models import AnalysisRun

from .models import Barrier, BlockMembership, RenovationBlock

#: Road classes from the highest down; ``barrier_road_class="secondary"`` makes
#: arterial and secondary segments barriers.
ROAD_CLASSES = ("arterial", "secondary", "local", "alley")


# --------------------------------------------------------------------------- runs, blocks
def run_list() -> QuerySet[AnalysisRun]:
    return AnalysisRun.objects.filter(kind=AnalysisRun.Kind.BUNDLING)


def run_get(*, run_id: int) -> AnalysisRun:
    return run_list().get(pk=run_id)


def run_latest() -> AnalysisRun | None:
    return (
        run_list()
        .filter(status=AnalysisRun.Status.DONE)
        .order_by("-finished_at", "-pk")
        .first()
    )


def block_list(
    *, run: AnalysisRun | None = None, include_inactive: bool = False
) -> QuerySet[RenovationBlock]:
    qs = RenovationBlock.objects.all()
    if run is not None:
        qs = qs.filter(run=run)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("code")


def block_get(*, code: str) -> RenovationBlock:
    return RenovationBlock.objects.select_related("run").get(code=code)


# --------------------------------------------------------------------------- run inputs
def community_frame(
    *,
    district: str | None = None,
    street: str | None = None,
    codes: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Communities (storage SRID) indexed by code, with ``street_name`` and ``district_name``."""
    gdf = frames.communities_gdf(district=district, codes=codes)
    if street:
        wanted = set(
            Street.objects.filter(Q(code=street) | Q(name=street)).values_list(
                "code", flat=True
            )
        )
        gdf = gdf[gdf["street_code"].isin(wanted)]
    streets = dict(Street.objects.values_list("code", "name"))
    districts = dict(District.objects.values_list("code", "name"))
    gdf = gdf.assign(
        street_name=gdf["street_code"].map(streets),
        district_name=gdf["district_code"].map(districts),
    )
    return gdf.set_index("code", drop=False).rename_axis("community")


def _wkb(qs) -> list[bytes]:
    """The rows' geometries as WKB written by PostGIS (no GEOS object per row)."""
    return [
        bytes(b) for b in qs.annotate(_wkb=AsWKB("geom")).values_list("_wkb", flat=True)
    ]


def _geoseries(wkbs: list[bytes]) -> gpd.GeoSeries:
    arr = shapely.from_wkb(np.array(wkbs, dtype=object))
    return gpd.GeoSeries(arr, crs=f"EPSG:{settings.SRID}")


def barrier_series(
    *, road_class: str | None = None, include_layer: bool = True
) -> gpd.GeoSeries:
    """Barrier lines: walk segments flagged ``is_barrier`` or at/above ``road_class``,
    plus the rows of :class:`~blocks.models.Barrier` (``include_layer``)."""
    q = Q(is_barrier=True)
    if road_class:
        if road_class not in ROAD_CLASSES:
            msg = f"road_class must be one of {ROAD_CLASSES}, got {road_class!r}"
            raise ValueError(msg)
        q |= Q(kind__in=ROAD_CLASSES[: ROAD_CLASSES.index(road_class) + 1])
    wkbs = _wkb(WalkSegment.objects.filter(q))
    if include_layer:
        wkbs += _wkb(Barrier.objects.all())
    return _geoseries(wkbs)


def lifecircle_latest() -> AnalysisRun | None:
    return (
        AnalysisRun.objects.filter(
            kind=AnalysisRun.Kind.LIFECIRCLE, status=AnalysisRun.Status.DONE
        )
        .order_by("-finished_at", "-pk")
        .first()
    )


def gap_profile(
    *, run: AnalysisRun | None = None, codes: Sequence[str] | None = None
) -> pd.DataFrame | None:
    """Community code × category, ``True`` where the life-circle run found it missing.

    From ``CoverageResult.missing`` (``{tier: [category codes]}``) of ``run`` or of the
    latest finished life-circle run; ``None`` when there is none.
    """
    run = run or lifecircle_latest()
    if run is None:
        return None
    qs = CoverageResult.objects.filter(run=run)
    if codes is not None:
        qs = qs.filter(community__code__in=list(codes))
    rows: dict[str, set[str]] = {}
    for code, missing in qs.values_list("community__code", "missing"):
        cats: set[str] = set()
        for tier_codes in (missing or {}).values():
            cats.update(tier_codes or ())
        rows[code] = cats
    categories = sorted(set().union(*rows.values())) if rows else []
    if not categories:
        return None
    return pd.DataFrame(
        [[c in cats for c in categories] for cats in rows.values()],
        index=pd.Index(list(rows), name="community"),
        columns=categories,
        dtype=bool,
    )


def block_partners() -> dict[int, set[int]]:
    """Community id → the other members of its active 连片 block."""
    groups: dict[int, set[int]] = {}
    for block, cid in BlockMembership.objects.filter(active=True).values_list(
        "block_id", "community_id"
    ):
        groups.setdefault(block, set()).add(cid)
    return {cid: members - {cid} for members in groups.values() for cid in members}


def active_block_members(block_code: str) -> list[Community] | None:
    """The members of the active block ``block_code`` by code (None: no such block)."""
    block = RenovationBlock.objects.filter(code=block_code, is_active=True).first()
    return None if block is None else list(block.members.order_by("code"))
