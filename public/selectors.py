"""Reads for the public map: the only door from the database to anonymous users.

Every public read goes through this module and returns plain dicts built from
``.values()`` of an explicit allowlist per layer (SECURITY.md §E1). Fields that are
not listed here (``internal_notes``, ``fund_balance_yuan``, who changed what, votes of
households, budgets…) are never selected, so no serializer, tile, export or cache can
leak them. Every query runs under a statement timeout (§G2) via :func:`public_query`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Func, Q, QuerySet, Sum, TextField, Value
from django.db.models.functions import Cast, Coalesce

from layers.models import (
    Amenity,
    AmenityCategory,
    Community,
    CommunityPhoto,
    District,
    Stage,
)
from lifecircle.models import CoverageResult
from runs.models import AnalysisRun

from .db_role import configured_role

log = logging.getLogger(__name__)
#: Statement timeout of every public query (SECURITY.md G2: ≤ 5 s).
STATEMENT_TIMEOUT_MS = 5000
#: Stages counted as "renovated" (竣工验收 and later).
RENOVATED_STAGES = (Stage.ACCEPTED, Stage.HANDED_OVER, Stage.POST_EVALUATED)
#: Vote results are shown only for votes with at least this many owners (SECURITY.md E6).
VOTE_MIN_OWNERS = 10
TARGETS_FILE = Path(settings.BASE_DIR) / "fixtures" / "public" / "targets.json"

# ---------------------------------------------------------------------------
# Allowlists: public name -> ORM lookup. Nothing else is ever selected.
# ---------------------------------------------------------------------------
COMMUNITY_FIELDS: dict[str, str] = {
    "code": "code",
    "name": "name",
    "district": "district__code",
    "district_name": "district__name",
    "street_name": "street__name",
    "completion_year": "completion_year",
    "households": "households",
    "buildings": "buildings",
    "lifts": "lifts",
    "stage": "stage",
    "public_notes": "public_notes",
}
#: The lighter property set sent with every map feature and tile.
COMMUNITY_MAP_FIELDS: tuple[str, ...] = (
    "code",
    "name",
    "district",
    "completion_year",
    "households",
    "stage",
)
DISTRICT_FIELDS: dict[str, str] = {"code": "code", "name": "name"}
PHOTO_FIELDS: dict[str, str] = {
    "id": "id",
    "kind": "kind",
    "caption": "caption",
    "taken_on": "taken_on",
}
HISTORY_FIELDS: tuple[str, ...] = (
    "date",
    "stage",
)  # never history_user / change reason
COVERAGE_FIELDS: tuple[str, ...] = ("score", "missing", "tiers_met")
WORKS_FIELDS: tuple[str, ...] = ("category", "name")
VOTE_FIELDS: tuple[str, ...] = (
    "kind",
    "held_on",
    "passed",
    "participation_ratio",
    "consent_ratio",
)

#: The figures of the public statistics, per district and for the city.
STATS_FIELDS: tuple[str, ...] = (
    "communities",
    "households",
    "renovated",
    "renovated_households",
    "target",
    "target_households",
    "dangerous_buildings",
    "dangerous_cleared",
    "lifts_installed",
    "facilities_added",
)
#: Per layer (collection / tile layer) the public property keys, for tests and docs.
PUBLIC_LAYER_FIELDS: dict[str, tuple[str, ...]] = {
    "communities": tuple(COMMUNITY_FIELDS),
    "communities_map": COMMUNITY_MAP_FIELDS,
    "districts": tuple(DISTRICT_FIELDS),
}


class PublicQueryTimeout(Exception):
    """A public query hit the statement timeout (answered with 503)."""


#: remember the current settings, then SET LOCAL the timeout (and the role) at once;
#: ``OFFSET 0`` keeps the sub-select unflattened, so it is read before set_config runs
_ENTER_SQL = (
    "SELECT prev.role, prev.timeout, set_config('statement_timeout', %s, true){role}"
    " FROM (SELECT current_setting('role') AS role,"
    " current_setting('statement_timeout') AS timeout OFFSET 0) AS prev"
)
_ENTER_WITH_ROLE = _ENTER_SQL.format(role=", set_config('role', %s, true)")
_ENTER_WITHOUT_ROLE = _ENTER_SQL.format(role="")
_LEAVE_SQL = (
    "SELECT set_config('role', %s, true), set_config('statement_timeout', %s, true)"
)


@contextmanager
def public_query(timeout_ms: int | None = None):
    """A transaction whose statements run as the public role, cancelled after ``timeout_ms``.

    Both are ``SET LOCAL`` (``set_config(..., true)``, parameterised): the role
    ``settings.PUBLIC_DB_ROLE`` may read only the allowlisted columns (SECURITY.md E2,
    granted by ``public/migrations``), the timeout bounds every query (G2). Outside a
    transaction the COMMIT ends both. Inside an outer one (tests, a caller's atomic
    block) a released savepoint would keep them until the outer transaction ends, so
    the success path puts the previous values back; a rolled-back savepoint reverts
    them by itself. Nothing inside may write: the role cannot.
    """
    from django.db.utils import OperationalError

    timeout_ms = timeout_ms or STATEMENT_TIMEOUT_MS
    role = configured_role()
    outer = connection.in_atomic_block or not connection.get_autocommit()
    try:
        with transaction.atomic():
            with connection.cursor() as cur:
                if role:
                    cur.execute(_ENTER_WITH_ROLE, [str(int(timeout_ms)), role])
                else:
                    cur.execute(_ENTER_WITHOUT_ROLE, [str(int(timeout_ms))])
                prev_role, prev_timeout = cur.fetchone()[:2]
            yield
            if outer and not connection.needs_rollback:
                with connection.cursor() as cur:
                    cur.execute(_LEAVE_SQL, [prev_role, prev_timeout])
    except OperationalError as exc:
        if "statement timeout" in str(exc) or "canceling statement" in str(exc):
            raise PublicQueryTimeout(str(exc)) from exc
        raise


# ---------------------------------------------------------------------------
# Versioning (ETag / cache key)
# ---------------------------------------------------------------------------
_TABLES_CHECKED: dict[str, tuple[float, bool]] = {}


def _programme_installed() -> bool:
    """``programme`` installed *and* migrated (it is being written: tables may lag)."""
    if not apps.is_installed("programme"):
        return False
    now = time.monotonic()
    hit = _TABLES_CHECKED.get(connection.alias)
    if hit and now - hit[0] < 60:
        return hit[1]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL"
            " AND to_regclass(%s) IS NOT NULL",
            ["programme_project", "programme_projectitem", "programme_vote"],
        )
        ok = bool(cur.fetchone()[0])
    _TABLES_CHECKED[connection.alias] = (now, ok)
    return ok


def data_version() -> str:
    """A short hash of max(updated_at) and row counts of every table public data comes from.

    One query; any edit (update, insert, delete) of a public table changes it, which
    changes every public ETag and cache key.
    """
    parts = [
        ("layers_community", "updated_at"),
        ("layers_district", "updated_at"),
        ("layers_amenity", "updated_at"),
        ("layers_communityphoto", "created_at"),
        # finished runs only: queueing or starting a run changes no public answer
        ("geoapp_analysisrun", "finished_at", "finished_at IS NOT NULL"),
    ]
    if _programme_installed():
        parts += [("programme_project", "updated_at")]
        parts += [("programme_projectitem", None), ("programme_vote", None)]
        # the programme's scope (the targets): recorded decisions and 片区 membership
        parts += [
            ("programme_scopedecision", "decided_at"),
            ("blocks_renovationblock", "updated_at"),
        ]
    selects = []
    for table, col, *where in parts:
        tbl = connection.ops.quote_name(table)
        cond = f" WHERE {where[0]}" if where else ""
        if col:
            selects.append(
                f"(SELECT concat(count(*), ':', max(id), ':', max({col}))"
                f" FROM {tbl}{cond})"
            )
        else:
            selects.append(f"(SELECT concat(count(*), ':', max(id)) FROM {tbl}{cond})")
    # the basemap can hold 10^5-10^6 building outlines: its change stamp (kept by a
    # trigger, layers/stamps.py), not a scan
    selects.append(
        "(SELECT concat(epoch, ':', version) FROM layers_layerstamp"
        " WHERE layer = 'basemap')"
    )
    # identifiers are constants from this module, nothing from the request
    sql = "SELECT " + ", ".join(selects)
    with connection.cursor() as cur:
        cur.execute(sql)
        row = cur.fetchone()
    return hashlib.sha1("|".join(map(str, row)).encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------
# Communities
# ---------------------------------------------------------------------------
def public_community_qs() -> QuerySet[Community]:
    """Communities shown to the public: every community (the map shows all stages)."""
    return Community.objects.all()


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
        qs = qs.filter(district__code=district)
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


def _geojson_expr(zoom: int | None, field: str = "geom"):
    tol = simplify_tolerance_m(zoom)
    geom = F(field)
    if tol > 0:
        geom = Func(
            geom,
            Value(tol),
            function="ST_SimplifyPreserveTopology",
            output_field=GeometryField(srid=settings.SRID),
        )
    return AsGeoJSON(Transform(geom, settings.API_SRID), precision=6)


class _JsonObjectText(Func):
    """``json_build_object(k1, v1, …)::text`` (key order kept, no jsonb round trip)."""

    function = "json_build_object"
    template = "%(function)s(%(expressions)s)::text"
    output_field = TextField()

    def __init__(self, pairs: dict[str, str]):
        args = []
        for key, lookup in pairs.items():
            args += [Cast(Value(key), TextField()), F(lookup)]
        super().__init__(*args)


def _feature_expr(lookups: dict[str, str], zoom: int | None) -> Func:
    """One GeoJSON Feature as text, assembled by PostgreSQL from allowlisted columns."""
    return Func(
        Value('{"type":"Feature","id":'),
        Func(F(lookups["code"]), function="to_json", output_field=TextField()),
        Value(',"geometry":'),
        Coalesce(_geojson_expr(zoom), Value("null"), output_field=TextField()),
        Value(',"properties":'),
        _JsonObjectText(lookups),
        Value("}"),
        function="concat",
        output_field=TextField(),
    )


def _feature_rows(
    qs: QuerySet, fields: dict[str, str], keys: tuple[str, ...], zoom: int | None
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Rows ``{"_feature": text}`` ordered by code (see :func:`features_to_geojson`)."""
    lookups = {k: fields[k] for k in keys}
    return list(
        qs.annotate(_feature=_feature_expr(lookups, zoom))
        .values("_feature")
        .order_by("code")
    ), lookups


def features_to_geojson(
    rows: list[dict[str, Any]], lookups: dict[str, str], *, extra: dict | None = None
) -> str:
    """A FeatureCollection text; features are pasted as produced by PostGIS.

    Rows hold either ``_feature`` (a whole Feature rendered in SQL by
    :func:`_feature_expr`) or the allowlisted values plus ``_geojson``.
    """
    out = []
    for r in rows:
        if "_feature" in r:
            out.append(r["_feature"])
            continue
        props = {k: r[v] for k, v in lookups.items()}
        fid = json.dumps(props["code"])
        geom = r["_geojson"] or "null"
        body = json.dumps(props, ensure_ascii=False, default=str)
        out.append(
            f'{{"type":"Feature","id":{fid},"geometry":{geom},"properties":{body}}}'
        )
    head = {"type": "FeatureCollection"}
    if extra:
        head.update(extra)
    prefix = json.dumps(head, ensure_ascii=False)[:-1]
    return prefix + ',"features":[' + ",".join(out) + "]}"


def community_features(
    *, zoom: int | None, full: bool = False, **filters
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Rows (allowlisted values + ``_geojson``) of the filtered communities."""
    keys = tuple(COMMUNITY_FIELDS) if full else COMMUNITY_MAP_FIELDS
    qs = community_filter(public_community_qs(), **filters)
    rows, lookups = _feature_rows(qs, COMMUNITY_FIELDS, keys, zoom)
    return rows, lookups


def community_feature_page(
    *, limit: int, offset: int, **filters
) -> tuple[list[dict[str, Any]], dict[str, str], int]:
    """One page of full communities (OGC items), with the number matched."""
    qs = community_filter(public_community_qs(), **filters)
    matched = qs.count()
    lookups = dict(COMMUNITY_FIELDS)
    rows = list(
        qs.annotate(_feature=_feature_expr(lookups, None))
        .values("_feature")
        .order_by("code")[offset : offset + limit]
    )
    return rows, lookups, matched


def district_features(*, zoom: int | None, **filters) -> tuple[list, dict]:
    qs = District.objects.all()
    if filters.get("code") is not None:
        qs = qs.filter(code=filters["code"])
    if filters.get("bbox") is not None:
        qs = qs.filter(geom__intersects=_bbox_polygon(filters["bbox"]))
    return _feature_rows(qs, DISTRICT_FIELDS, tuple(DISTRICT_FIELDS), zoom)


def district_list() -> list[dict[str, Any]]:
    return list(District.objects.order_by("code").values(*DISTRICT_FIELDS.values()))


def community_search(q: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Communities whose name contains ``q``: code, name, district and a lon/lat point."""
    from django.contrib.gis.db.models.functions import PointOnSurface

    rows = (
        public_community_qs()
        .filter(name__icontains=q)
        .annotate(pt=Transform(PointOnSurface("geom"), settings.API_SRID))
        .values("code", "name", "district__name", "stage", "pt")
        .order_by("name")[:limit]
    )
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "district_name": r["district__name"],
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
        Community.history.filter(id=community_id)
        .order_by("history_date", "history_id")
        .values_list("history_date", "stage")
    )
    out: list[dict[str, str]] = []
    for when, stage in rows:
        if out and out[-1]["stage"] == stage:
            continue
        out.append({"date": when.date().isoformat(), "stage": stage})
    return out


def coverage_before_after(community_id: int) -> dict[str, Any]:
    """Score and missing categories in the earliest and latest finished life-circle run."""
    runs = AnalysisRun.objects.filter(
        kind=AnalysisRun.Kind.LIFECIRCLE, status=AnalysisRun.Status.DONE
    )
    res = CoverageResult.objects.filter(community_id=community_id, run__in=runs)
    first = res.order_by("run__finished_at", "run_id").values(
        "run__finished_at", *COVERAGE_FIELDS
    )[:1]
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
    return {"before": before, "after": after}


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
            id=photo_id, community__in=public_community_qs(), community__code=code
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
    ident = qs.values_list("id", flat=True).first()
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
        Community.objects.values("district__code", "district__name")
        .annotate(
            communities=Count("id"),
            all_households=Coalesce(Sum("households"), 0),
            renovated=Count("id", filter=renovated),
            renovated_households=Coalesce(Sum("households", filter=renovated), 0),
        )
        .order_by("district__code")
    )
    districts = {}
    for r in agg:
        p = by_district.get(r["district__code"], {})
        districts[r["district__code"]] = {
            "code": r["district__code"],
            "name": r["district__name"],
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
    for cid, dcode, lifts in Community.objects.values_list(
        "id", "district__code", "lifts"
    ):
        gained = max(0, lifts - first_lifts.get(cid, lifts))
        districts[dcode]["lifts_installed"] += gained
    # facilities added, per district by location
    baseline = _baseline_run_time()
    added = Amenity.objects.filter(added_amenities_q(baseline))
    for dcode, dgeom in District.objects.values_list("code", "geom"):
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
