"""Communities for the public map: features, search, the card with history, photos, works and votes."""

from __future__ import annotations

import math
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import PointOnSurface, Transform
from django.contrib.gis.geos import Polygon
from django.db.models import QuerySet

from layers import geojson
from layers.models import (
    AmenityCategory,
    Community,
    CommunityPhoto,
    Stage,
)
from lifecircle.models import CoverageResult
from public.models import Publication, PublishedCommunity, PublishedDistrict
from public.selectors.allowlists import (
    COMMUNITY_FIELDS,
    COMMUNITY_MAP_FIELDS,
    COVERAGE_FIELDS,
    DISTRICT_FIELDS,
    PHOTO_FIELDS,
    VOTE_MIN_OWNERS,
)
from public.selectors.query import _programme_installed
from runs.models import AnalysisRun


# ---------------------------------------------------------------------------
# Communities
# ---------------------------------------------------------------------------
def public_community_qs() -> QuerySet[PublishedCommunity]:
    """Communities shown to the public: every published community (all stages).

    The published snapshot (:mod:`public.publishing`), not the live layer: imports and
    edits reach the public when a city administrator publishes them.
    """
    return PublishedCommunity.objects.all()


def published_at():
    """When the data the public sees was published (None before the first publication)."""
    return (
        Publication.objects.order_by("-published_at", "-id")
        .values_list("published_at", flat=True)
        .first()
    )


def _published_history(community_id: int):
    """The community's history up to the publication the public sees: a stage recorded
    since is not public until the next publication."""
    rows = Community.history.filter(id=community_id)
    at = published_at()
    return rows.filter(history_date__lte=at) if at is not None else rows.none()


def _bbox_polygon(bbox: tuple[float, float, float, float]) -> Polygon:
    """The bbox in lon/lat; PostGIS transforms it to the storage SRID in the query.

    (Not ``poly.transform()`` here: a GDAL transformation costs ~0.2 s per request.)
    """
    poly = Polygon.from_bbox(bbox)
    poly.srid = settings.API_SRID
    return poly


def simplify_tolerance_m(zoom: int | None) -> float:
    """Half a screen pixel in metres at ``zoom`` (Web Mercator at Ningbo's latitude)."""
    if zoom is None or zoom >= 17:
        return 0.0
    metres_per_px = 156_543.03 * math.cos(math.radians(29.87)) / (2**zoom)
    return round(metres_per_px / 2, 3)


def community_filter(
    qs: QuerySet,
    *,
    district: str | None = None,
    stages: list[str] | None = None,
    year_min: int | None = None,
    year_max: int | None = None,
    q: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    code: str | None = None,
) -> QuerySet:
    if code is not None:
        qs = qs.filter(code=code)
    if district:
        qs = qs.filter(district_code=district)
    if stages:
        qs = qs.filter(stage__in=stages)
    if year_min is not None:
        qs = qs.filter(completion_year__gte=year_min)
    if year_max is not None:
        qs = qs.filter(completion_year__lte=year_max)
    if q:
        qs = qs.filter(name__icontains=q)
    if bbox is not None:
        qs = qs.filter(geom__intersects=_bbox_polygon(bbox))
    return qs


def _features(
    qs: QuerySet, fields: dict[str, str], keys: tuple[str, ...], zoom: int | None
) -> list[str]:
    """Features (text rendered by PostgreSQL, :mod:`layers.geojson`) ordered by code."""
    return _page_features(qs.order_by("code"), fields, keys, zoom)


def _page_features(qs, fields, keys, zoom) -> list[str]:
    return geojson.features(
        qs,
        {k: fields[k] for k in keys},
        id=fields["code"],
        simplify_m=simplify_tolerance_m(zoom),
    )


def community_features(*, zoom: int | None, full: bool = False, **filters) -> list[str]:
    """Features of the filtered communities, allowlisted properties only."""
    keys = tuple(COMMUNITY_FIELDS) if full else COMMUNITY_MAP_FIELDS
    qs = community_filter(public_community_qs(), **filters)
    return _features(qs, COMMUNITY_FIELDS, keys, zoom)


def community_feature_page(
    *, limit: int, offset: int, **filters
) -> tuple[list[str], int]:
    """One page of full communities (OGC items), with the number matched."""
    qs = community_filter(public_community_qs(), **filters)
    matched = qs.count()
    page = qs.order_by("code")[offset : offset + limit]
    return _page_features(
        page, COMMUNITY_FIELDS, tuple(COMMUNITY_FIELDS), None
    ), matched


def district_features(*, zoom: int | None, **filters) -> list[str]:
    qs = PublishedDistrict.objects.all()
    if filters.get("code") is not None:
        qs = qs.filter(code=filters["code"])
    if filters.get("bbox") is not None:
        qs = qs.filter(geom__intersects=_bbox_polygon(filters["bbox"]))
    return _features(qs, DISTRICT_FIELDS, tuple(DISTRICT_FIELDS), zoom)


def district_list() -> list[dict[str, Any]]:
    return list(
        PublishedDistrict.objects.order_by("code").values(*DISTRICT_FIELDS.values())
    )


def district_extent() -> list[float] | None:
    """[west, south, east, north] (lon/lat) of the districts: the map's first view."""
    e = PublishedDistrict.objects.aggregate(
        e=Extent(Transform("geom", settings.API_SRID))
    )["e"]
    return [round(v, 6) for v in e] if e else None


def community_search(q: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Communities whose name contains ``q``: code, name, district and a lon/lat point."""
    rows = (
        public_community_qs()
        .filter(name__icontains=q)
        .annotate(pt=Transform(PointOnSurface("geom"), settings.API_SRID))
        .values("code", "name", "district_name", "stage", "pt")
        .order_by("name")[:limit]
    )
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "district_name": r["district_name"],
            "stage": r["stage"],
            "lon": round(r["pt"].x, 6),
            "lat": round(r["pt"].y, 6),
        }
        for r in rows
    ]


def _values_one(qs: QuerySet, fields: dict[str, str]) -> dict[str, Any] | None:
    row = qs.values(*fields.values()).first()
    if row is None:
        return None
    return {k: row[v] for k, v in fields.items()}


def stage_history(community_id: int) -> list[dict[str, str]]:
    """Date and stage of each stage change (only these two; never who or why)."""
    rows = (
        _published_history(community_id)
        .order_by("history_date", "history_id")
        .values_list("history_date", "stage")
    )
    out: list[dict[str, str]] = []
    for when, stage in rows:
        if out and out[-1]["stage"] == stage:
            continue
        out.append({"date": when.date().isoformat(), "stage": stage})
    return out


#: the public stages from the start of works on: the renovation has started
STARTED_STAGES = (
    Stage.UNDER_CONSTRUCTION,
    Stage.ACCEPTED,
    Stage.HANDED_OVER,
    Stage.POST_EVALUATED,
)


def renovation_started(community_id: int):
    """When the community's works started (its first change to 施工中 or later), or
    None if they have not."""
    return (
        _published_history(community_id)
        .filter(stage__in=STARTED_STAGES)
        .order_by("history_date", "history_id")
        .values_list("history_date", flat=True)
        .first()
    )


def coverage_before_after(community_id: int) -> dict[str, Any]:
    """Score and missing categories "before" (the last finished life-circle run before
    the renovation started; None if it has not started or no run came before) and
    "after" (the latest finished run), each dated; ``started`` is the date works
    started."""
    runs = AnalysisRun.objects.filter(
        kind=AnalysisRun.Kind.LIFECIRCLE, status=AnalysisRun.Status.DONE
    )
    res = CoverageResult.objects.filter(community_id=community_id, run__in=runs)
    started = renovation_started(community_id)
    first = (
        res.filter(run__finished_at__lt=started)
        .order_by("-run__finished_at", "-run_id")
        .values("run__finished_at", *COVERAGE_FIELDS)[:1]
        if started is not None
        else []
    )
    last = res.order_by("-run__finished_at", "-run_id").values(
        "run__finished_at", *COVERAGE_FIELDS
    )[:1]
    # no ordering (the model's default sorts by tier_minutes, which the role cannot read)
    names = dict(AmenityCategory.objects.order_by().values_list("code", "name"))

    def clean(rows):
        if not rows:
            return None
        r = rows[0]
        missing = r["missing"] or {}
        # ``missing`` maps a tier to category codes (or a flat list); keep codes → names
        if isinstance(missing, dict):
            codes = [c for v in missing.values() for c in (v or [])]
        else:
            codes = list(missing)
        return {
            "date": r["run__finished_at"].date().isoformat()
            if r["run__finished_at"]
            else None,
            "score": round(float(r["score"]), 1),
            # tiers are cumulative (a 5-min gap is also a 10/15-min gap): list once
            "missing": list(dict.fromkeys(names.get(str(c), str(c)) for c in codes)),
            "tiers_met": r["tiers_met"],
        }

    before, after = clean(list(first)), clean(list(last))
    return {
        "before": before,
        "after": after,
        "started": started.date().isoformat() if started else None,
    }


def photo_list(community_id: int) -> list[dict[str, Any]]:
    rows = (
        CommunityPhoto.objects.filter(community_id=community_id)
        .order_by("kind", "taken_on", "id")
        .values(*PHOTO_FIELDS.values())
    )
    return [{k: r[v] for k, v in PHOTO_FIELDS.items()} for r in rows]


def photo_get(*, code: str, photo_id: int) -> CommunityPhoto | None:
    """The photo, only if it belongs to the public community ``code``."""
    return (
        CommunityPhoto.objects.filter(
            id=photo_id,
            community_id__in=public_community_qs()
            .filter(code=code)
            .values("source_id"),
        )
        .only("id", "image")
        .first()
    )


def works_and_votes(community_id: int) -> dict[str, Any]:
    """Works items by category and vote aggregates, if the ``programme`` app exists."""
    if not _programme_installed():
        return {}
    try:
        ProjectItem = apps.get_model("programme", "ProjectItem")
        Vote = apps.get_model("programme", "Vote")
    except LookupError:
        return {}
    works: dict[str, list[str]] = {}
    items = (
        ProjectItem.objects.filter(project__community_id=community_id)
        .order_by("works_item__category", "works_item__code")
        .values_list("works_item__category", "works_item__name_zh")
        .distinct()
    )
    for cat, name in items:
        works.setdefault(cat, [])
        if name not in works[cat]:
            works[cat].append(name)
    votes = []
    for v in (
        Vote.objects.filter(project__community_id=community_id)
        .order_by("held_on", "id")
        .values(
            "kind",
            "held_on",
            "passed",
            "total_owners",
            "participants_owners",
            "consent_owners",
        )
    ):
        entry = {"kind": v["kind"], "held_on": v["held_on"].isoformat()}
        entry["passed"] = v["passed"]
        if v["total_owners"] >= VOTE_MIN_OWNERS and v["participants_owners"]:
            entry["participation_ratio"] = round(
                v["participants_owners"] / v["total_owners"], 2
            )
            entry["consent_ratio"] = round(
                v["consent_owners"] / v["participants_owners"], 2
            )
        votes.append(entry)
    return {"works": works, "votes": votes}


def community_card(code: str) -> dict[str, Any] | None:
    """Everything the public card shows, built from allowlisted values only."""
    qs = public_community_qs().filter(code=code)
    # the live community's id: photos, history, results and works are joined by it
    ident = qs.values_list("source_id", flat=True).first()
    if ident is None:
        return None
    card = _values_one(qs, COMMUNITY_FIELDS) or {}
    card["history"] = stage_history(ident)
    card["photos"] = [
        {
            **p,
            "taken_on": p["taken_on"].isoformat() if p["taken_on"] else None,
            "url": f"/public/photos/{code}/{p['id']}/",
        }
        for p in photo_list(ident)
    ]
    card["coverage"] = coverage_before_after(ident)
    card.update(works_and_votes(ident))
    return card
