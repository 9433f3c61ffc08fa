"""Special works against the renovation projects (最多改一次, 四(四)2): the works that
touch a project's community or 连片 block, the conflicts of years and the joint year
(the rule: :mod:`analysis.special_works`), for the project page, the district report
(and its CSV) and the planner map's conflict layer.

Who sees what: every signed-in user reads a project page's section (as the page);
the district report and the map's conflicts are a district's own (planners and street
staff): city administrators see every district, the others the district of their
profile; viewers see none of it.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.contrib.gis.measure import D
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from accounts.permissions import EDITORS, actor_of, require
from analysis.special_works import DEFAULT_BUFFER_M, Schedule, schedules
from analysis.stages import STAGES
from layers.crs import transformed
from layers.models import Community, District, SpecialWork
from programme.models import Project
from programme.services.stages import project_communities

#: projects from this stage on are finished: their ground is closed, no conflict
CLOSED_FROM = "completion_acceptance"
#: projects from this stage on have started: their year cannot move
FIXED_FROM = "construction"
WORK_FIELDS = (
    "code",
    "name",
    "department",
    "kind",
    "start_year",
    "end_year",
    "status",
)
CSV_COLUMNS = (
    "project_id",
    "project",
    "community_or_block",
    "year",
    "joint_year",
    "renovation_moves",
    "works",
    "reschedule",
    "blocked",
)


@dataclass
class ProjectWorks:
    """The special works of one project and its joint schedule."""

    project: Project
    #: the touching works (model rows), by code
    works: list[SpecialWork] = field(default_factory=list)
    schedule: Schedule | None = None
    #: community code → the codes of the works touching it
    by_community: dict[str, list[str]] = field(default_factory=dict)
    error: str = ""

    @property
    def conflict(self) -> bool:
        return bool(self.schedule and self.schedule.conflict)

    def rows(self) -> list[dict[str, Any]]:
        """One row per work for the page: the work and what the schedule asks of it."""
        s = self.schedule
        return [
            {
                "work": w,
                "reschedule": bool(s and w.code in s.reschedule),
                "blocked": bool(s and w.code in s.blocked),
                "communities": sorted(
                    c for c, codes in self.by_community.items() if w.code in codes
                ),
            }
            for w in self.works
        ]


def _is_closed(project: Project) -> bool:
    return STAGES.index(project.stage) >= STAGES.index(CLOSED_FROM)


def _is_fixed(project: Project) -> bool:
    return STAGES.index(project.stage) >= STAGES.index(FIXED_FROM)


def _shape(geom: GEOSGeometry) -> Any:
    return shapely.from_wkb(bytes(geom.wkb))


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> gpd.GeoDataFrame:
    crs = f"EPSG:{settings.SRID}"
    if not rows:
        return gpd.GeoDataFrame(
            {c: [] for c in columns}, geometry=gpd.GeoSeries([], crs=crs), crs=crs
        )
    return gpd.GeoDataFrame(
        {c: [r[c] for r in rows] for c in columns},
        geometry=[r["geometry"] for r in rows],
        crs=crs,
    )


def _works_near(geom: GEOSGeometry, buffer_m: float) -> list[SpecialWork]:
    """The works within ``buffer_m`` of ``geom`` (the index prefilter)."""
    return list(
        SpecialWork.objects.filter(geom__dwithin=(geom, D(m=buffer_m))).order_by("code")
    )


def _works_frame(works: list[SpecialWork]) -> gpd.GeoDataFrame:
    return _frame(
        [
            {
                "code": w.code,
                "start_year": w.start_year,
                "end_year": w.end_year,
                "status": w.status,
                "geometry": _shape(w.geom),
            }
            for w in works
        ],
        ["code", "start_year", "end_year", "status"],
    )


def _footprint(members: list[Community]) -> GEOSGeometry:
    union = members[0].geom
    for c in members[1:]:
        union = union.union(c.geom)
    union.srid = settings.SRID
    return union


def project_special_works(
    *, project: Project, buffer_m: float = DEFAULT_BUFFER_M
) -> ProjectWorks:
    """The special works touching ``project``'s community or block, and its joint year.

    A finished project (accepted or later) lists its works without a conflict; a
    project under construction keeps its year (the works move to it).
    """
    out = ProjectWorks(project)
    try:
        members = project_communities(project=project)
    except ValidationError as exc:
        out.error = " ".join(exc.messages)
        return out
    if not members:
        return out
    footprint = _footprint(members)
    out.works = _works_near(footprint, buffer_m)
    if not out.works:
        return out
    works = _works_frame(out.works)
    per_community = schedules(
        _frame(
            [
                {"key": c.code, "year": None, "geometry": _shape(c.geom)}
                for c in members
            ],
            ["key", "year"],
        ),
        works,
        buffer_m=buffer_m,
    )
    out.by_community = {str(k): list(s.works) for k, s in per_community.items()}
    target = _frame(
        [
            {
                "key": project.pk,
                "year": None if _is_closed(project) else project.year,
                "fixed": _is_fixed(project),
                "geometry": _shape(footprint),
            }
        ],
        ["key", "year", "fixed"],
    )
    if _is_closed(project):
        # the renovation is done: the works are listed, nothing is proposed
        out.schedule = Schedule(
            project.year, tuple(w.code for w in out.works), False, None
        )
        return out
    out.schedule = schedules(target, works, buffer_m=buffer_m).get(project.pk)
    return out


def _scoped_district(user: Any, district: District | None) -> District | None:
    """The district the user may read conflicts of (None: all, for city admins)."""
    actor = require(user, EDITORS, _("查看专项工程冲突"))
    if actor.city_wide:
        return district
    if actor.district_id is None:
        raise PermissionDenied(_("专项工程冲突只对负责某个区县的用户开放。"))
    if district is not None and district.pk != actor.district_id:
        raise PermissionDenied(
            _("只能查看您负责的区县（%(d)s）的专项工程冲突。")
            % {"d": actor.district_name}
        )
    return district or District.objects.get(pk=actor.district_id)


def district_special_works(
    *, user: Any, district: District | None, conflicts_only: bool = True
) -> list[ProjectWorks]:
    """The open projects of ``district`` (all districts for a city admin and None)
    with their special works; only those in conflict by default."""
    scoped = _scoped_district(user, district)
    projects = Project.objects.select_related("community", "district").order_by(
        "district__code", "year", "name"
    )
    if scoped is not None:
        projects = projects.filter(district=scoped)
    # a community's project has works only where one lies within the buffer of its
    # community: one query for all of them (a block's project is looked at alone)
    near = set(
        projects.filter(community__isnull=False)
        .filter(
            Exists(
                SpecialWork.objects.filter(
                    geom__dwithin=(OuterRef("community__geom"), D(m=DEFAULT_BUFFER_M))
                )
            )
        )
        .values_list("pk", flat=True)
    )
    out = []
    for p in projects:
        if _is_closed(p) or (p.community_id is not None and p.pk not in near):
            continue
        pw = project_special_works(project=p)
        if pw.works and (pw.conflict or not conflicts_only):
            out.append(pw)
    return out


def _place(project: Project) -> str:
    return project.community.code if project.community_id else project.block_code


def conflicts_csv(*, user: Any, district: District | None) -> str:
    """The district report as CSV (UTF-8 with BOM for spreadsheet programs)."""
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for pw in district_special_works(user=user, district=district):
        s = pw.schedule
        assert s is not None  # noqa: S101 (a conflict has a schedule)
        w.writerow(
            [
                pw.project.pk,
                pw.project.name,
                _place(pw.project),
                s.year,
                s.joint_year,
                "yes" if s.renovation_moves else "no",
                " ".join(s.works),
                " ".join(s.reschedule),
                " ".join(s.blocked),
            ]
        )
    return buf.getvalue()


def conflicts_features(*, user: Any) -> dict[str, Any]:
    """The map's conflict layer (GeoJSON in EPSG:4326): the footprint of every project
    in conflict (``role`` "project") and the works it conflicts with (``role`` "work"),
    in the user's district (city administrators: all; others without one: none)."""
    actor = actor_of(user)
    if actor.role not in EDITORS or (not actor.city_wide and actor.district_id is None):
        return {"type": "FeatureCollection", "features": []}
    features: list[dict[str, Any]] = []
    seen: set[str] = set()
    for pw in district_special_works(user=user, district=None):
        s = pw.schedule
        assert s is not None  # noqa: S101
        members = project_communities(project=pw.project)
        shape = transformed(_footprint(members), settings.API_SRID)
        features.append(
            {
                "type": "Feature",
                "geometry": _json(shape),
                "properties": {
                    "role": "project",
                    "project": pw.project.pk,
                    "name": pw.project.name,
                    "place": _place(pw.project),
                    "year": s.year,
                    "joint_year": s.joint_year,
                    "works": list(s.works),
                    "reschedule": list(s.reschedule),
                },
            }
        )
        for w in pw.works:
            if w.code in seen or w.code not in s.works:
                continue
            seen.add(w.code)
            features.append(
                {
                    "type": "Feature",
                    "geometry": _json(transformed(w.geom, settings.API_SRID)),
                    "properties": {
                        "role": "work",
                        **{f: getattr(w, f) for f in WORK_FIELDS},
                        "kind_label": str(w.get_kind_display()),
                        "joint_year": s.joint_year,
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


def _json(geom: GEOSGeometry) -> Any:
    return json.loads(geom.json)
