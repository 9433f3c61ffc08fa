"""Loading a generated demo city into the layers, all-or-nothing (``make_demo``)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import override_settings

from accounts.models import Profile, Role
from geoapp.demo.generator import funding as funding_demo
from layers import models
from layers.dbcopy import (
    copy_columns,
    copy_field_columns,
    copy_instances,
    ewkb_hex,
    frame_column,
    frame_value,
)
from layers.importing import basemap_replace, population_raster_register
from programme import models as pmodels
from programme import services as pservices
from voice.models import Suggestion

BATCH = 5000


def _geos(geom: Any, *, multi: bool = False) -> GEOSGeometry | None:
    """shapely geometry (in settings.SRID) → GEOS, promoting Polygon to MultiPolygon if asked."""
    if geom is None or (isinstance(geom, float) and math.isnan(geom)):
        return None
    g = GEOSGeometry(memoryview(geom.wkb), srid=settings.SRID)
    if multi and g.geom_type == "Polygon":
        g = MultiPolygon(g, srid=settings.SRID)
    return g


def _governance(r: Any) -> dict[str, Any]:
    """The governance fields of a demo community row (五(一), 五(二)); a frame without
    them (an older demo file) leaves the defaults."""
    if not hasattr(r, "owners_committee"):
        return {}
    fee = frame_value(r.property_fee)
    return {
        "owners_committee": bool(r.owners_committee),
        "owners_committee_formed_on": _iso(r.owners_committee_formed_on),
        "property_since": _iso(r.property_since),
        "property_company": frame_value(r.property_company, ""),
        "service_level": frame_value(r.service_level, ""),
        "property_fee": None if fee is None else round(float(fee), 2),
    }


def _iso(value: Any) -> dt.date | None:
    value = frame_value(value)
    return dt.date.fromisoformat(str(value)) if value else None


def _bulk(model, rows: Iterable, build: Callable[[Any], Any], progress=None) -> int:
    """Build an instance per row and store them a batch at a time with one COPY
    each (:func:`layers.dbcopy.copy_instances`; ``bulk_create`` spent most of its
    time preparing each value, 2–3 s for the city's communities)."""
    objs, n = [], 0
    for row in rows:
        objs.append(build(row))
        if len(objs) >= BATCH:
            n += copy_instances(model, objs)
            objs = []
            if progress:
                progress(BATCH)
    if objs:
        n += copy_instances(model, objs)
        if progress:
            progress(len(objs))
    return n


def _referenced(model) -> bool:
    """Whether another table refers to ``model``'s rows (its delete cascades or is refused)."""
    return any(
        not rel.related_model._meta.auto_created for rel in model._meta.related_objects
    )


#: a profile's role and area by code while the demo city is replaced (profile_areas_detach)
ProfileArea = tuple[int, str, str | None, str | None]


def profile_areas_detach() -> list[ProfileArea]:
    """Detach the profiles from the districts and streets that are about to go.

    Deleting a street would set a street staff profile's street to NULL, which its check
    constraint refuses (``make demo`` after ``make run`` ended so). The profiles keep
    their role and area by code; they are viewers until :func:`profile_areas_attach`.
    """
    saved: list[ProfileArea] = list(
        Profile.objects.exclude(district=None, street=None).values_list(
            "pk", "role", "district__code", "street__code"
        )
    )
    Profile.objects.filter(pk__in=[p[0] for p in saved]).update(
        role=Role.VIEWER, district=None, street=None
    )
    return saved


def profile_areas_attach(saved: list[ProfileArea]) -> list[int]:
    """Give the profiles back their role and area where the new city has that code;
    returns the profiles left viewers (their district or street is not in it)."""
    districts = {d.code: d for d in models.District.objects.all()}
    streets = {s.code: s for s in models.Street.objects.all()}
    lost = []
    for pk, role, district, street in saved:
        d = districts.get(district) if district else None
        st = streets.get(street) if street else None
        if (district and d is None) or (street and st is None):
            lost.append(pk)
            continue
        Profile.objects.filter(pk=pk).update(role=role, district=d, street=st)
    return lost


def layers_clear() -> None:
    """Delete every layer row and its history (used before re-loading a demo city).

    A layer no other table refers to is emptied with one ``DELETE`` statement (its
    statement-level stamp trigger fires; no per-row signal does, so no "deleted"
    history row is written only to be deleted next: 74k amenities took 135 s so).
    The others go through the ORM, which cascades or refuses as their foreign keys say,
    with history switched off: the history of the old city is deleted next (3,238
    communities' "deleted" records, one INSERT each, took 6 s).
    """
    # the old city's projects refer to its communities; a plan's entries protect them
    programme_clear()
    with connection.cursor() as cursor, override_settings(SIMPLE_HISTORY_ENABLED=False):
        for model in (
            models.SpecialWork,
            models.CommunityCandidate,
            models.BasemapFeature,
            models.CommunityPhoto,
            models.Amenity,
            models.Community,
            models.IdleLand,
            models.VacantHousing,
            models.WalkSegment,
            models.Street,
            models.District,
            models.PopulationRaster,
        ):
            if _referenced(model):
                model.objects.all().delete()
            else:
                cursor.execute(
                    f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}"
                )
            history = getattr(model, "history", None)
            if history is not None:  # the old city's past, deletions included
                history.model.objects.all().delete()


def _community_history(history, source: str) -> int:
    """History rows of the communities from a generated stage timeline.

    Each row is the community as stored now, with the ``stage`` and ``lifts`` of
    that moment (``history_type`` ``+`` for the first record, ``~`` after), so the
    last record of each community equals its current row and an undo after a
    later edit restores exactly the loaded state. Written with one ``COPY``, a
    column at a time (``bulk_create`` of a city's ~7,000 rows took 5 s, most of it
    preparing each geometry value).
    """
    hist_model = models.Community.history.model
    meta = hist_model._meta
    current = {c.code: c for c in models.Community.objects.all()}
    owners = [current[code] for code in history["code"].tolist()]
    n = len(owners)
    # the history columns of layers.dbcopy.insert_history, a value per row here
    columns: dict[str, list] = {
        "history_date": [d.to_pydatetime() for d in history["date"]],
        "history_user": [None] * n,  # the loading system
        "history_change_reason": [f"{source}: stage timeline"] * n,
        "history_type": ["+" if f else "~" for f in history["first"].tolist()],
    }
    moment = {
        "stage": history["stage"].tolist(),
        "lifts": [int(v) for v in history["lifts"].tolist()],
    }
    for f in hist_model.tracked_fields:
        columns[f.name] = (
            moment[f.name]
            if f.name in moment
            else [getattr(c, f.attname) for c in owners]
        )
    fields = [meta.get_field(name) for name in columns]
    return copy_field_columns(meta.db_table, fields, columns)


@transaction.atomic
def city_load(
    city,
    *,
    source: str = "demo",
    raster_path: Path | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Load a generated city (``geoapp.demo.generator.DemoCity``) into the layers in one transaction.

    Returns the number of rows written per layer.
    """
    counts: dict[str, int] = {}
    src = {"source_crs": f"EPSG:{settings.SRID}", "source_file": source}

    def tick(name):
        return (lambda n: progress(name, n)) if progress else None

    districts = {}
    for r in city.districts.itertuples():
        d = models.District(
            code=r.code,
            name=r.name,
            is_central=bool(r.is_central),
            geom=_geos(r.geometry, multi=True),
            **src,
        )
        d.save()
        districts[r.code] = d
    counts["districts"] = len(districts)
    streets = {}
    for r in city.streets.itertuples():
        s = models.Street(
            code=r.code,
            name=r.name,
            district=districts[r.district_code],
            geom=_geos(r.geometry, multi=True),
            **src,
        )
        s.save()
        streets[r.code] = s
    counts["streets"] = len(streets)

    def community(r):
        return models.Community(
            code=r.code,
            name=r.name,
            district=districts[r.district_code],
            street=streets.get(frame_value(r.street_code)),
            committee=frame_value(r.committee, ""),
            address=frame_value(r.address, ""),
            geom=_geos(r.geometry, multi=True),
            entrances=_geos(frame_value(r.entrances)),
            completion_year=int(r.completion_year),
            land_tenure=r.land_tenure,
            housing_type=r.housing_type,
            buildings=int(frame_value(r.buildings, 0)),
            max_floors=int(frame_value(r.max_floors, 6)),
            households=int(r.households),
            residents=frame_value(r.residents),
            floor_area_m2=float(frame_value(r.floor_area_m2, 0.0)),
            lifts=int(frame_value(r.lifts, 0)),
            parking_spaces=frame_value(getattr(r, "parking_spaces", None)),
            in_shanty_plan=bool(r.in_shanty_plan),
            in_expropriation_plan=bool(r.in_expropriation_plan),
            repairable=bool(frame_value(getattr(r, "repairable", True), True)),
            dangerous_c=int(frame_value(r.dangerous_c, 0)),
            dangerous_d=int(frame_value(r.dangerous_d, 0)),
            property_management=r.property_management,
            **_governance(r),
            fund_balance_yuan=round(float(frame_value(r.fund_balance_yuan, 0.0)), 2),
            fund_standard_yuan=round(float(frame_value(r.fund_standard_yuan, 0.0)), 2),
            stage=r.stage,
            **src,
        )

    counts["communities"] = _bulk(
        models.Community, city.communities.itertuples(), community, tick("communities")
    )
    history = getattr(city, "stage_history", None)
    if history is not None and len(history):
        counts["community_history"] = _community_history(history, source)

    def idle(r):
        return models.IdleLand(
            code=r.code,
            name=frame_value(r.name, ""),
            kind=r.kind,
            owner=frame_value(r.owner, ""),
            tenure=r.tenure,
            consent=r.consent,
            status=r.status,
            geom=_geos(r.geometry),
            **src,
        )

    counts["idle_land"] = _bulk(
        models.IdleLand, city.idle_land.itertuples(), idle, tick("idle")
    )

    def vacant(r):
        return models.VacantHousing(
            code=r.code,
            name=frame_value(r.name, ""),
            address=frame_value(r.address, ""),
            floor_area_m2=float(r.floor_area_m2),
            floors=int(frame_value(r.floors, 1)),
            owner_kind=r.owner_kind,
            status=r.status,
            geom=_geos(r.geometry),
            footprint=_geos(frame_value(r.footprint)),
            **src,
        )

    counts["vacant_housing"] = _bulk(
        models.VacantHousing, city.vacant_housing.itertuples(), vacant, tick("vacant")
    )
    categories = {c.code: c for c in models.AmenityCategory.objects.all()}

    am = city.amenities
    cat_ids = [categories[c].pk for c in am["category"].tolist()]
    counts["amenities"] = copy_columns(
        models.Amenity,
        [
            "code",
            "name",
            "category",
            "capacity",
            "floor_area_m2",
            "source",
            "geom",
            "source_crs",
            "source_file",
        ],
        {
            "code": frame_column(am, "code", cast=str),
            "name": frame_column(am, "name", ""),
            "category": cat_ids,
            "capacity": frame_column(am, "capacity", cast=int),
            "floor_area_m2": frame_column(am, "floor_area_m2", cast=float),
            "source": frame_column(am, "source", ""),
            "geom": ewkb_hex(am.geometry.to_numpy()),
            "source_crs": [src["source_crs"]] * len(am),
            "source_file": [src["source_file"]] * len(am),
        },
        tick("amenities"),
    )
    ws = city.walk_segments
    counts["walk_segments"] = copy_columns(
        models.WalkSegment,
        [
            "code",
            "kind",
            "name",
            "is_barrier",
            "is_crossing",
            "geom",
            "source_crs",
            "source_file",
        ],
        {
            "code": frame_column(ws, "code", cast=str),
            "kind": frame_column(ws, "kind", cast=str),
            "name": frame_column(ws, "name", ""),
            "is_barrier": [bool(v) for v in ws["is_barrier"].tolist()],
            "is_crossing": [bool(v) for v in ws["is_crossing"].tolist()],
            "geom": ewkb_hex(ws.geometry.to_numpy()),
            "source_crs": [src["source_crs"]] * len(ws),
            "source_file": [src["source_file"]] * len(ws),
        },
        tick("walk"),
    )
    counts["basemap"] = basemap_replace(
        getattr(city, "basemap", None),
        source_file=source,
        source_crs=src["source_crs"],
    )
    counts.update(_special_works_load(city, src))
    if raster_path is not None:
        population_raster_register(path=raster_path, name=f"{source} population")
        counts["population_rasters"] = 1
    counts["suggestions"] = suggestions_load(city)
    return counts


def suggestions_load(city) -> int:
    """The demo's residents' suggestions (``city.suggestions``) replace any stored ones;
    moderated by the system (no user), dated as generated."""
    frame = getattr(city, "suggestions", None)
    Suggestion.history.model.objects.all().delete()
    Suggestion.objects.all().delete()
    if frame is None or not len(frame):
        return 0
    communities = {
        c.code: c
        for c in models.Community.objects.filter(
            code__in=frame["community_code"].unique().tolist()
        )
    }
    objs, created = [], []
    for r in frame.itertuples():
        c = communities.get(r.community_code)
        if c is None:
            continue
        moderated = None if pd.isna(r.moderated_at) else r.moderated_at.to_pydatetime()
        objs.append(
            Suggestion(
                community=c,
                district_id=c.district_id,
                topic=r.topic,
                kind=r.kind,
                text=r.text,
                contact=r.contact,
                status=r.status,
                reply=r.reply,
                moderated_at=moderated,
                published_at=moderated if r.status == "published" else None,
            )
        )
        created.append(r.created_at.to_pydatetime())
    Suggestion.objects.bulk_create(objs)
    for obj, at in zip(objs, created, strict=True):
        obj.created_at = at
    Suggestion.objects.bulk_update(objs, ["created_at"])
    return len(objs)


# --------------------------------------------------------------------------- programme
def programme_clear() -> None:
    """Delete every renovation project and the plans that list them (before re-loading
    the demo city: projects keep their communities and districts)."""
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        for model in (
            pmodels.AnnualPlanEntry,
            pmodels.AnnualPlan,
            pmodels.ReserveEntry,
            pmodels.Project,
        ):
            model.objects.all().delete()
        for model in (
            pmodels.Project,
            pmodels.ProjectItem,
            pmodels.FundingSource,
            pmodels.ProjectUtility,
            pmodels.StageTransition,
        ):
            history = getattr(model, "history", None)
            if history is not None:
                history.model.objects.all().delete()


@transaction.atomic
def programme_load(city, *, seed: int) -> dict[str, int]:
    """Demo projects with their works, utilities and money by source
    (``geoapp.demo.generator.funding``): the sources follow each project's funding
    split, a few are off on purpose (the project page shows why)."""
    plans = funding_demo.project_plans(city.communities, seed=seed)
    communities = {
        c.code: c
        for c in models.Community.objects.filter(
            code__in=[p.community_code for p in plans]
        ).select_related("district")
    }
    catalogue = {w.code: w for w in pmodels.WorksItem.objects.all()}
    counts = {"projects": 0, "funding_sources": 0, "project_utilities": 0}
    # a community has one project: those the special works demo already made keep theirs
    taken = set(
        pmodels.Project.objects.filter(community__in=communities.values()).values_list(
            "community__code", flat=True
        )
    )
    for plan in plans:
        community = communities.get(plan.community_code)
        if community is None or community.code in taken:
            continue
        project = pmodels.Project.objects.create(
            name=plan.name,
            community=community,
            district=community.district,
            year=plan.year,
            stage=plan.stage,
            funding_plan="中央补助、专项债、区级专项、市级补助、管线单位与居民共同出资",
        )
        pmodels.StageTransition.objects.create(
            project=project,
            from_stage="",
            to_stage=plan.stage,
            public_stage=community.stage,
            why="演示数据",
        )
        items = []
        for code, quantity in plan.items:
            w = catalogue.get(code)
            if w is None:
                continue
            qty = Decimal(str(quantity))
            items.append(
                pmodels.ProjectItem(
                    project=project,
                    works_item=w,
                    quantity=qty,
                    unit_cost=w.unit_cost,
                    budget=(qty * w.unit_cost).quantize(Decimal("0.01")),
                    government_share=Decimal("0.6")
                    if code == "elderly_service"
                    else None,
                )
            )
        pmodels.ProjectItem.objects.bulk_create(items)
        counts["projects"] += 1
        try:
            split = pservices.project_funding(project=project)
        except ValidationError:
            continue
        pipeline = sum(
            (i.base_yuan for i in split.items if i.code == "pipelines"), Decimal(0)
        )
        utilities = []
        for u in plan.utilities:
            amount = (pipeline * u.share).quantize(Decimal("0.01"))
            utilities.append(
                pmodels.ProjectUtility(
                    project=project,
                    utility=u.utility,
                    cost_share=u.share,
                    amount=amount,
                    handover_date=dt.date(plan.year + 1, 6, 30) if u.handover else None,
                    maintains_after_acceptance=True,
                )
            )
        if utilities:  # the utilities together carry exactly their half
            gap = split.totals["utilities"] - sum(u.amount for u in utilities)
            utilities[0].amount += gap
        pmodels.ProjectUtility.objects.bulk_create(utilities)
        rows = funding_demo.arrange_sources(
            plan,
            totals=split.totals,
            city_subsidy_yuan=split.city_subsidy_yuan,
            utilities_yuan=sum((u.amount for u in utilities), Decimal(0)),
        )
        pmodels.FundingSource.objects.bulk_create(
            [
                pmodels.FundingSource(
                    project=project, source=s, amount=a, year=y, note=n
                )
                for s, a, y, n in rows
            ]
        )
        counts["funding_sources"] += len(rows)
        counts["project_utilities"] += len(utilities)
    return counts


def _special_works_load(city, src: dict[str, str]) -> dict[str, int]:
    """The special works (四(四)2) and the renovation projects they meet."""
    works = getattr(city, "special_works", None)
    projects = getattr(city, "renovation_projects", None)
    if works is None or projects is None:
        return {}

    def work(r):
        return models.SpecialWork(
            code=r.code,
            name=r.name,
            department=r.department,
            kind=r.kind,
            start_year=int(r.start_year),
            end_year=int(r.end_year),
            status=r.status,
            geom=_geos(r.geometry),
            **src,
        )

    n_works = _bulk(models.SpecialWork, works.itertuples(), work)
    by_code = {
        c.code: c
        for c in models.Community.objects.filter(
            code__in=list(projects["code"])
        ).select_related("district")
    }
    rows = [
        pmodels.Project(
            name=f"{by_code[r.code].name}老旧小区改造",
            community=by_code[r.code],
            district=by_code[r.code].district,
            year=int(r.year),
            stage=r.stage,
        )
        for r in projects.itertuples()
    ]
    pmodels.Project.objects.bulk_create(rows)
    return {"special_works": n_works, "special_work_projects": len(rows)}
