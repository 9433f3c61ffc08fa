"""Writes to the layers: loading a generated or imported city, all-or-nothing."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.db import transaction

from . import models

BATCH = 5000


def _geos(geom: Any, *, multi: bool = False) -> GEOSGeometry | None:
    """shapely geometry (in settings.SRID) → GEOS, promoting Polygon to MultiPolygon if asked."""
    if geom is None or (isinstance(geom, float) and math.isnan(geom)):
        return None
    g = GEOSGeometry(memoryview(geom.wkb), srid=settings.SRID)
    if multi and g.geom_type == "Polygon":
        g = MultiPolygon(g, srid=settings.SRID)
    return g


def _val(v: Any, default: Any = None) -> Any:
    """pandas missing values (NaN, NA, None) → ``default``; numpy scalars → Python."""
    if v is None:
        return default
    try:
        if v != v:  # NaN / NA
            return default
    except (TypeError, ValueError):
        if str(v) == "<NA>":
            return default
    return v.item() if hasattr(v, "item") else v


def _bulk(model, rows: Iterable, build: Callable[[Any], Any], progress=None) -> int:
    objs, n = [], 0
    for row in rows:
        objs.append(build(row))
        if len(objs) >= BATCH:
            model.objects.bulk_create(objs)
            n += len(objs)
            objs = []
            if progress:
                progress(BATCH)
    if objs:
        model.objects.bulk_create(objs)
        n += len(objs)
        if progress:
            progress(len(objs))
    return n


def layers_clear() -> None:
    """Delete every layer row (used before re-loading a demo city)."""
    for model in (
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
        model.objects.all().delete()


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
            street=streets.get(_val(r.street_code)),
            committee=_val(r.committee, ""),
            address=_val(r.address, ""),
            geom=_geos(r.geometry, multi=True),
            entrances=_geos(_val(r.entrances)),
            completion_year=int(r.completion_year),
            land_tenure=r.land_tenure,
            housing_type=r.housing_type,
            buildings=int(_val(r.buildings, 0)),
            max_floors=int(_val(r.max_floors, 6)),
            households=int(r.households),
            residents=_val(r.residents),
            floor_area_m2=float(_val(r.floor_area_m2, 0.0)),
            lifts=int(_val(r.lifts, 0)),
            in_shanty_plan=bool(r.in_shanty_plan),
            in_expropriation_plan=bool(r.in_expropriation_plan),
            dangerous_c=int(_val(r.dangerous_c, 0)),
            dangerous_d=int(_val(r.dangerous_d, 0)),
            property_management=r.property_management,
            fund_balance_yuan=round(float(_val(r.fund_balance_yuan, 0.0)), 2),
            fund_standard_yuan=round(float(_val(r.fund_standard_yuan, 0.0)), 2),
            stage=r.stage,
            **src,
        )

    counts["communities"] = _bulk(
        models.Community, city.communities.itertuples(), community, tick("communities")
    )

    def idle(r):
        return models.IdleLand(
            code=r.code,
            name=_val(r.name, ""),
            kind=r.kind,
            owner=_val(r.owner, ""),
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
            name=_val(r.name, ""),
            address=_val(r.address, ""),
            floor_area_m2=float(r.floor_area_m2),
            floors=int(_val(r.floors, 1)),
            owner_kind=r.owner_kind,
            status=r.status,
            geom=_geos(r.geometry),
            footprint=_geos(_val(r.footprint)),
            **src,
        )

    counts["vacant_housing"] = _bulk(
        models.VacantHousing, city.vacant_housing.itertuples(), vacant, tick("vacant")
    )
    categories = {c.code: c for c in models.AmenityCategory.objects.all()}

    def amenity(r):
        return models.Amenity(
            code=r.code,
            name=_val(r.name, ""),
            category=categories[r.category],
            capacity=_val(r.capacity),
            floor_area_m2=_val(r.floor_area_m2),
            source=_val(r.source, ""),
            geom=_geos(r.geometry),
            **src,
        )

    counts["amenities"] = _bulk(
        models.Amenity, city.amenities.itertuples(), amenity, tick("amenities")
    )

    def segment(r):
        return models.WalkSegment(
            code=r.code,
            kind=r.kind,
            name=_val(r.name, ""),
            is_barrier=bool(r.is_barrier),
            is_crossing=bool(r.is_crossing),
            geom=_geos(r.geometry),
            **src,
        )

    counts["walk_segments"] = _bulk(
        models.WalkSegment, city.walk_segments.itertuples(), segment, tick("walk")
    )
    if raster_path is not None:
        population_raster_register(path=raster_path, name=f"{source} population")
        counts["population_rasters"] = 1
    return counts


def population_raster_register(*, path: Path, name: str, units: str = "人/格"):
    """Register a GeoTIFF (read with rasterio) as a PopulationRaster, replacing one of that name."""
    import rasterio

    with rasterio.open(path) as ds:
        if ds.crs is None or ds.crs.to_epsg() is None:
            raise ValueError(
                f"{path}: the raster has no EPSG coordinate reference system"
            )
        epsg = ds.crs.to_epsg()
        band = ds.read(1, masked=True)
        total = float(band.sum())
        left, bottom, right, top = ds.bounds
        extent = Polygon.from_bbox((left, bottom, right, top))
        extent.srid = epsg
        if epsg != settings.SRID:
            extent.transform(settings.SRID)
        res = float(abs(ds.transform.a))
        obj, _ = models.PopulationRaster.objects.update_or_create(
            name=name,
            defaults={
                "path": str(path),
                "srid": epsg,
                "resolution_m": res,
                "width": ds.width,
                "height": ds.height,
                "units": units,
                "total": total,
                "extent": extent,
                "source_file": Path(path).name,
            },
        )
    return obj
