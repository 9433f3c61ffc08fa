"""What-if scenarios of the planner's map: hypothetical sites saved, listed, reopened.

A planner places several hypothetical facilities on the map; the page computes them
together through :func:`lifecircle.services.lifecircle_what_if` (one request, every
site). Saving keeps the sites (category, lon, lat, capacity), the life-circle run they
were computed on, the name, the author and the time as a :class:`SitingScenario` of
method ``whatif``; reopening gives the sites back for the same computation.

Saving and deleting are writes: planners only, a district planner only with every site
inside their district and only the scenarios of their district (``accounts.permissions``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from layers.models import District
from lifecircle import services as lc
from runs.models import AnalysisRun
from siting.models import SitingScenario

#: the most sites one scenario keeps (the what-if routes from every one of them)
MAX_SITES = 50
WHAT_SAVE = gettext_lazy("保存假设方案")
WHAT_DELETE = gettext_lazy("删除假设方案")


def _site(i: int, raw: Any) -> dict[str, Any]:
    """One site, cleaned: {category, lon, lat} and a capacity when given."""
    if not isinstance(raw, dict):
        msg = f"site {i}: an object {{category, lon, lat, capacity}} is needed"
        raise ValueError(msg)
    category = raw.get("category")
    if not isinstance(category, str) or not category:
        msg = f"site {i}: a category is needed"
        raise ValueError(msg)
    try:
        lon, lat = float(raw["lon"]), float(raw["lat"])
    except (KeyError, TypeError, ValueError):
        msg = f"site {i}: lon and lat must be numbers"
        raise ValueError(msg) from None
    site: dict[str, Any] = {"category": category, "lon": lon, "lat": lat}
    capacity = raw.get("capacity")
    if capacity is not None:
        try:
            capacity = float(capacity)
        except (TypeError, ValueError):
            msg = f"site {i}: capacity must be a number"
            raise ValueError(msg) from None
        if not math.isfinite(capacity) or capacity < 0:
            msg = f"site {i}: capacity must be a number ≥ 0"
            raise ValueError(msg)
        site["capacity"] = capacity
    return site


def _point(site: dict[str, Any]) -> Point:
    p = Point(site["lon"], site["lat"], srid=4326)
    p.transform(settings.SRID)
    return p


def whatif_scenario_create(
    *,
    lifecircle_run: AnalysisRun,
    sites: Sequence[dict[str, Any]],
    name: str = "",
    user=None,
) -> SitingScenario:
    """Save the sites of a what-if as a scenario; checked against role and district."""
    actor = permissions.require(user, permissions.PLANNERS, WHAT_SAVE)
    if not sites:
        msg = "a scenario needs at least one site"
        raise ValueError(msg)
    if len(sites) > MAX_SITES:
        msg = f"at most {MAX_SITES} sites per scenario"
        raise ValueError(msg)
    clean = [_site(i, s) for i, s in enumerate(sites)]
    points = [_point(s) for s in clean]
    for p in points:  # a district planner: every site inside their district
        permissions.check_geometry(user, p, WHAT_SAVE)
    # the sites are what the what-if accepts (extent, categories, finished run)
    lc.lifecircle_what_if(run=lifecircle_run, facilities=clean)
    if actor.city_wide:
        district = (
            District.objects.filter(geom__contains=points[0])
            .values_list("code", flat=True)
            .first()
        ) or ""
    else:
        district = actor.district_code
    default = _("假设方案（分析 #%(run)s，%(n)s 处）") % {
        "run": lifecircle_run.pk,
        "n": len(clean),
    }
    return SitingScenario.objects.create(
        name=(name.strip() or default)[:128],
        method=SitingScenario.Method.WHATIF,
        lifecircle_run=lifecircle_run,
        sites=clean,
        district_code=district,
        created_by=permissions.user_of(user),
    )


def whatif_scenario_list() -> QuerySet[SitingScenario]:
    """The saved what-if scenarios, newest first."""
    return SitingScenario.objects.filter(
        method=SitingScenario.Method.WHATIF
    ).select_related("created_by", "lifecircle_run")


def whatif_scenario_get(pk: int) -> SitingScenario:
    """One saved what-if scenario (SitingScenario.DoesNotExist when there is none)."""
    return whatif_scenario_list().get(pk=pk)


def whatif_scenario_delete(scenario: SitingScenario, *, user=None) -> None:
    """Delete a saved what-if: city administrators any, district planners their own
    district's."""
    actor = permissions.require(user, permissions.PLANNERS, WHAT_DELETE)
    if not actor.city_wide:
        district_id = (
            District.objects.filter(code=scenario.district_code)
            .values_list("pk", flat=True)
            .first()
        )
        permissions.check_district(user, district_id, WHAT_DELETE)
    scenario.delete()
