"""The public numbers: targets by the one 二(一) rule, progress, renovated communities and residents served."""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from layers.models import Community
from public.models import PublishedAmenity, PublishedCommunity, PublishedDistrict
from public.selectors.allowlists import RENOVATED_STAGES, STATS_FIELDS
from runs.models import AnalysisRun

TARGETS_FILE = Path(settings.BASE_DIR) / "fixtures" / "public" / "targets.json"

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _targets_raw(mtime: float) -> dict[str, Any]:
    return json.loads(TARGETS_FILE.read_text(encoding="utf-8"))


def targets() -> dict[str, Any]:
    return _targets_raw(TARGETS_FILE.stat().st_mtime)


def _baseline_run_time():
    return (
        AnalysisRun.objects.filter(
            kind=AnalysisRun.Kind.LIFECIRCLE,
            status=AnalysisRun.Status.DONE,
            finished_at__isnull=False,
        )
        .order_by("finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )


def added_amenities_q(baseline) -> Q:
    """Facilities added: created after the baseline (first finished life-circle run).

    Without a baseline run, amenities whose ``source`` is not the demo or base import
    ("demo" or empty) count as added.
    """
    if baseline is not None:
        return Q(created_at__gt=baseline)
    return ~Q(source__in=["demo", ""])


def programme_targets() -> dict[str, Any] | None:
    """The programme's per-district aggregates (``programme.services.public_targets``:
    communities in scope, their households, dangerous buildings left and cleared, the
    period), or None without the programme app.

    Runs as the application, not as the public role: the scope needs private inputs
    (plan flags, votes); only counts per district come out. Called through
    ``cached_data``/``cached_response``'s ``prepare`` on a cache miss.
    """
    if not apps.is_installed("programme"):
        return None
    try:
        return apps.get_app_config("programme").public_targets()
    except ValidationError as exc:  # e.g. no programme period in force: say so, no 500
        log.warning("public targets unavailable: %s", " ".join(exc.messages))
        return None


def progress_stats(programme: dict[str, Any] | None = None) -> dict[str, Any]:
    """Per district and city: renovated vs target, dangerous buildings, lifts, facilities.

    ``programme``: :func:`programme_targets` (computed before the public role is taken).
    """
    t = targets()
    renovated = Q(stage__in=t.get("renovated_stages", RENOVATED_STAGES))
    programme = programme or {"period": None, "districts": {}}
    by_district = programme["districts"]

    agg = (
        PublishedCommunity.objects.values("district_code", "district_name")
        .annotate(
            communities=Count("id"),
            all_households=Coalesce(Sum("households"), 0),
            renovated=Count("id", filter=renovated),
            renovated_households=Coalesce(Sum("households", filter=renovated), 0),
            renovated_professional=Count(
                "id", filter=renovated & Q(property_management="professional")
            ),
        )
        .order_by("district_code")
    )
    districts = {}
    for r in agg:
        p = by_district.get(r["district_code"], {})
        districts[r["district_code"]] = {
            "code": r["district_code"],
            "name": r["district_name"],
            "communities": r["communities"],
            "households": r["all_households"],
            "renovated": r["renovated"],
            "renovated_households": r["renovated_households"],
            "target": p.get("target", 0),
            "target_households": p.get("target_households", 0),
            "dangerous_buildings": p.get("dangerous_remaining", 0),
            "dangerous_cleared": p.get("dangerous_cleared", 0),
            "lifts_installed": 0,
            "facilities_added": 0,
            "renovated_professional": r["renovated_professional"],
        }
    for code, over in (t.get("district_overrides") or {}).items():
        if code in districts:
            districts[code].update(
                {k: v for k, v in over.items() if k in ("target", "target_households")}
            )
    # lifts installed: lifts now minus lifts in the community's first history record
    first_lifts = dict(
        Community.history.order_by("id", "history_date", "history_id")
        .distinct("id")
        .values_list("id", "lifts")
    )
    for cid, dcode, lifts in PublishedCommunity.objects.values_list(
        "source_id", "district_code", "lifts"
    ):
        gained = max(0, lifts - first_lifts.get(cid, lifts))
        districts[dcode]["lifts_installed"] += gained
    # facilities added, per district by location
    baseline = _baseline_run_time()
    added = PublishedAmenity.objects.filter(added_amenities_q(baseline))
    for dcode, dgeom in PublishedDistrict.objects.values_list("code", "geom"):
        if dcode in districts:
            districts[dcode]["facilities_added"] = added.filter(
                geom__within=dgeom
            ).count()
    city = {k: sum(d[k] for d in districts.values()) for k in STATS_FIELDS}
    city["facilities_added"] = added.count()
    city["name"] = settings.CITY_NAME
    return {
        "period": programme["period"],
        "definitions": {
            "renovated": "stage in " + ", ".join(t.get("renovated_stages", [])),
            "target": t.get("source", ""),
            "dangerous_buildings": "dangerous_c + dangerous_d of the communities in "
            "the programme's scope (二(一)), renovated or not, until made safe; "
            "target zero (二(二)1 危房清零)",
            "dangerous_cleared": "C/D buildings made safe, recorded at completion "
            "acceptance",
            "lifts_installed": "lifts now minus lifts in the community's first "
            "recorded version (history)",
            "renovated_professional": "renovated communities (as above) with "
            "professional property management (五(二) 以改促管); an aggregate only",
            "facilities_added": "amenities created after the first finished "
            "life-circle run"
            + (
                f" ({baseline.date().isoformat()})"
                if baseline
                else " (no run yet: amenities whose source is not demo/empty)"
            ),
        },
        "city": city,
        "districts": list(districts.values()),
    }
