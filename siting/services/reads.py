"""Reading a siting run: its ranked candidates, as rows or GeoJSON, without the private fields for viewers."""

from __future__ import annotations

from collections.abc import Sequence

import shapely

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
    "parking_spaces",
    "parking_gap_reduced",
    "prefer_parking",
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


def siting_result_records(
    run: AnalysisRun, *, private: bool = True
) -> tuple[list[str], list[dict], list]:
    """The run's candidates as records (:data:`PROPERTY_FIELDS` without the private
    ones unless ``private``, and ``served``, the list of communities each would newly
    serve), best first per category, and their geometries (shapely, ``settings.SRID``):
    ``(fields, records, geometries)``."""
    fields = [*_visible(PROPERTY_FIELDS, private), "served"]
    rows = list(
        SitingCandidateResult.objects.filter(run=run)
        .order_by("category", "rank")
        .values(*fields, "geom")
    )
    geoms = [shapely.from_wkb(bytes(r.pop("geom").wkb)) for r in rows]
    return fields, rows, geoms
