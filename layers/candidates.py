"""Community candidates from OpenStreetMap: stored for review, confirmed by a planner.

``import_osm`` turns every ``landuse=residential`` area into a
:class:`~layers.models.CommunityCandidate` with the district containing it and a
household estimate from the building footprints inside it
(:func:`analysis.households.estimate_households`). Nothing enters the analyses
until a planner confirms a candidate with its completion year and household count
(the estimate may be accepted, and the community then says so:
``households_estimated``); :func:`candidate_confirm` then creates the
:class:`~layers.models.Community`. A re-import refreshes the pending candidates and
leaves confirmed or dismissed ones alone.

Who: city administrators everywhere, district planners for candidates of their
district (:func:`accounts.permissions.check_geometry`: the candidate's point on surface);
nobody else. The page's URLs are in ``accounts/policy.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import check_geometry, user_of
from analysis.households import estimate_households

from .models import Community, CommunityCandidate, District


@dataclass
class CandidateCounts:
    created: int = 0
    updated: int = 0
    kept: int = 0  # confirmed or dismissed before: left alone

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "kept": self.kept}


def _geos(geom) -> GEOSGeometry:
    g = GEOSGeometry(memoryview(geom.wkb), srid=settings.SRID)
    if g.geom_type == "Polygon":
        g = MultiPolygon(g, srid=settings.SRID)
    return g


def candidate_rows(areas, basemap, district_at) -> list[dict]:
    """The candidate fields of each residential area (a GeoDataFrame in settings.SRID
    with ``code``, ``name``) with its district and household estimate; ``basemap`` are
    the features read with it (its buildings count)."""
    if basemap is not None and len(basemap):
        buildings = basemap[basemap["kind"] == "building"]
    else:
        buildings = gpd.GeoDataFrame({"levels": []}, geometry=[], crs=areas.crs)
    est = estimate_households(areas.geometry, buildings)
    rows = []
    for (_i, area), (_j, e) in zip(areas.iterrows(), est.iterrows(), strict=True):
        geom = _geos(area.geometry)
        households = e["households"]
        rows.append(
            {
                "code": str(area["code"])[:64],
                "name": str(area.get("name") or "")[:128],
                "geom": geom,
                "district": district_at(geom),
                "buildings": int(e["buildings"]),
                "buildings_with_levels": int(e["buildings_with_levels"]),
                "floor_area_m2": float(e["floor_area_m2"]),
                "households_estimate": None if pd.isna(households) else int(households),
            }
        )
    return rows


def candidates_store(
    rows: list[dict], *, source_file: str, dry_run: bool = False
) -> CandidateCounts:
    """Upsert candidates by code (caller's transaction); decided ones are kept.
    ``dry_run``: only count what would happen."""
    counts = CandidateCounts()
    existing = {
        c.code: c
        for c in CommunityCandidate.objects.filter(code__in=[r["code"] for r in rows])
    }
    for r in rows:
        old = existing.get(r["code"])
        if old is not None and old.status != CommunityCandidate.Status.PENDING:
            counts.kept += 1
            continue
        if dry_run:
            counts.created += old is None
            counts.updated += old is not None
            continue
        obj = old or CommunityCandidate(code=r["code"])
        for k, v in r.items():
            setattr(obj, k, v)
        obj.source = "OpenStreetMap"
        obj.source_file = source_file[:255]
        obj.save()
        if old is None:
            counts.created += 1
        else:
            counts.updated += 1
    return counts


def candidate_list(*, status: str | None = None):
    qs = CommunityCandidate.objects.select_related("district", "community")
    return qs.filter(status=status) if status else qs


def _check(user, candidate: CommunityCandidate, what: str) -> None:
    check_geometry(user, candidate.geom, what)


def _district(candidate: CommunityCandidate) -> District:
    if candidate.district_id:
        return candidate.district
    p = candidate.geom.point_on_surface
    d = District.objects.filter(geom__contains=p).first()
    if d is None:
        raise ValidationError(
            {"district": _("没有区县包含该候选小区：请先导入区县边界。")}
        )
    return d


@transaction.atomic
def candidate_confirm(
    *,
    user,
    candidate: CommunityCandidate,
    completion_year: int,
    households: int | None = None,
    households_estimated: bool = False,
    name: str | None = None,
) -> Community:
    """Turn ``candidate`` into a Community (with a history entry) and mark it confirmed.

    ``households`` defaults to the estimate, which then counts as estimated. Raises
    ``PermissionDenied`` (role, district), ``ValidationError`` (a decided candidate, no
    district, no households, field ranges like a form), nothing half-written.
    """
    candidate = CommunityCandidate.objects.select_for_update().get(pk=candidate.pk)
    _check(user, candidate, _("确认候选小区"))
    if candidate.status != CommunityCandidate.Status.PENDING:
        raise ValidationError(
            _("该候选小区已审核：%(s)s。") % {"s": candidate.get_status_display()}
        )
    if households is None:
        if candidate.households_estimate is None:
            raise ValidationError({"households": _("请填写户数（没有可用的估算）。")})
        households, households_estimated = candidate.households_estimate, True
    name = (name or candidate.name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写小区名称。")})
    if Community.objects.filter(code=candidate.code).exists():
        raise ValidationError(
            {"code": _("已有编码为 %(c)s 的小区。") % {"c": candidate.code}}
        )
    community = Community(
        code=candidate.code,
        name=name[:128],
        district=_district(candidate),
        geom=candidate.geom,
        completion_year=completion_year,
        households=households,
        households_estimated=bool(households_estimated),
        floor_area_m2=round(candidate.floor_area_m2, 1),
        buildings=candidate.buildings,
        source_crs=f"EPSG:{settings.SRID}",
        source_file=candidate.source_file,
    )
    community.full_clean()
    community._history_user = user_of(user)
    community._change_reason = f"confirmed from candidate {candidate.code}"[:100]
    community.save()
    candidate.status = CommunityCandidate.Status.CONFIRMED
    candidate.community = community
    candidate.reviewed_by = user_of(user)
    candidate.reviewed_at = timezone.now()
    candidate.save()
    return community


@transaction.atomic
def candidate_dismiss(*, user, candidate: CommunityCandidate, note: str = "") -> None:
    """Not a community (a campus, a village, a mapping error): kept out of the analyses."""
    candidate = CommunityCandidate.objects.select_for_update().get(pk=candidate.pk)
    _check(user, candidate, _("排除候选小区"))
    if candidate.status != CommunityCandidate.Status.PENDING:
        raise ValidationError(
            _("该候选小区已审核：%(s)s。") % {"s": candidate.get_status_display()}
        )
    candidate.status = CommunityCandidate.Status.DISMISSED
    candidate.note = note[:255]
    candidate.reviewed_by = user_of(user)
    candidate.reviewed_at = timezone.now()
    candidate.save()


__all__ = [
    "CandidateCounts",
    "candidate_confirm",
    "candidate_dismiss",
    "candidate_list",
    "candidate_rows",
    "candidates_store",
]
