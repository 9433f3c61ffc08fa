"""Reading a siting run: its ranked candidates, as rows or GeoJSON, without the private fields for viewers."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
import shapely
from django.conf import settings

from layers import geojson
from runs.models import AnalysisRun
from siting.models import SitingCandidateResult


# ---------------------------------------------------------------------------
# reads
# ---------------------------------------------------------------------------
def siting_run_get(pk: int) -> AnalysisRun:
    """The siting run ``pk`` (``AnalysisRun.DoesNotExist`` when there is none)."""
    return AnalysisRun.objects.get(pk=pk, kind=AnalysisRun.Kind.SITING)


def siting_run_list(limit: int = 50):
    return AnalysisRun.objects.filter(kind=AnalysisRun.Kind.SITING).order_by(
        "-created_at"
    )[:limit]


def siting_results(
    *,
    run: AnalysisRun,
    category: str | None = None,
    chosen: str | None = None,
    limit: int | None = None,
):
    """Candidate results of a run, best first; ``chosen`` = ``greedy`` / ``exact`` filters."""
    qs = SitingCandidateResult.objects.filter(run=run).order_by("category", "rank")
    if category:
        qs = qs.filter(category=category)
    if chosen == "greedy":
        qs = qs.filter(chosen_greedy=True)
    elif chosen == "exact":
        qs = qs.filter(chosen_exact=True)
    elif chosen not in (None, ""):
        msg = f"chosen must be 'greedy' or 'exact', got {chosen!r}"
        raise ValueError(msg)
    if limit is not None:
        if not (1 <= int(limit) <= 100000):
            msg = "limit must be a positive integer"
            raise ValueError(msg)
        qs = qs[: int(limit)]
    return qs


PROPERTY_FIELDS = (
    "category",
    "rank",
    "candidate_kind",
    "candidate_code",
    "name",
    "kind",
    "owner",
    "consent",
    "area_m2",
    "area_basis",
    "district_code",
    "gain_residents",
    "gain_communities",
    "chosen_greedy",
    "chosen_exact",
    "reachable",
)


#: shown to roles that see private columns only (accounts.permissions)
PRIVATE_FIELDS = ("owner", "consent")


def siting_candidates_geojson(
    *,
    run: AnalysisRun,
    category: str | None = None,
    chosen: str | None = None,
    limit: int | None = None,
    private: bool = True,
) -> str:
    """Ranked candidates as a GeoJSON FeatureCollection text in EPSG:4326 (served lists
    included); ``private=False`` leaves out :data:`PRIVATE_FIELDS` (owner, consent)."""
    fields = _visible(PROPERTY_FIELDS, private)
    qs = siting_results(run=run, category=category, chosen=chosen, limit=limit)
    props = {f: f for f in fields} | {"served": "served", "id": "pk"}
    return geojson.collection(qs, props, id="pk", head={"run": run.pk})


def _visible(fields: Sequence[str], private: bool) -> list[str]:
    return [f for f in fields if private or f not in PRIVATE_FIELDS]


def _frame(run: AnalysisRun, *, private: bool = True) -> gpd.GeoDataFrame:
    fields = _visible(PROPERTY_FIELDS, private)
    rows = list(
        SitingCandidateResult.objects.filter(run=run)
        .order_by("category", "rank")
        .values(*fields, "served", "geom")
    )
    geoms = [shapely.from_wkb(bytes(r.pop("geom").wkb)) for r in rows]
    for r in rows:
        served = r.pop("served")
        r["served"] = "; ".join(
            f"{s['code']} {s['name']} ({s['residents']}人, {s['walk_m']:.0f} m)"
            for s in served
        )
    cols = [*fields, "served"]
    df = pd.DataFrame(rows, columns=cols)
    return gpd.GeoDataFrame(df, geometry=geoms, crs=f"EPSG:{settings.SRID}")
