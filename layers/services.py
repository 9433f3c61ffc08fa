"""Writes to the layers: loading a generated or imported city, all-or-nothing."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.db import connection, transaction
from django.utils import timezone

from . import models
from .dbcopy import copy_text

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


def _ewkb_hex(geoms: Sequence[Any]) -> list[str | None]:
    """shapely geometries → hex EWKB with settings.SRID (``None`` stays ``None``)."""
    arr = np.asarray(list(geoms), dtype=object)
    if arr.size == 0:
        return []
    arr = np.array(
        [
            None if (g is None or (isinstance(g, float) and math.isnan(g))) else g
            for g in arr
        ],
        dtype=object,
    )
    out = shapely.to_wkb(
        shapely.set_srid(arr, settings.SRID), hex=True, include_srid=True
    )
    return out.tolist()


def _copy(
    model, columns: Sequence[str], data: dict[str, Sequence[Any]], progress=None
) -> int:
    """Insert rows with one ``COPY … FROM STDIN`` (text format) per batch of 50 000.

    Much faster than ``bulk_create`` for the big layers; the table's constraints (geometry
    validity and type, unique codes, foreign keys) are checked by PostgreSQL as for
    INSERT, inside the caller's transaction. No history rows are written (as with
    ``bulk_create``). Falls back to ``bulk_create`` on a database without COPY.
    """
    n = len(data[columns[0]]) if columns else 0
    if n == 0:
        return 0
    now = timezone.now()
    cols = [*columns, "created_at", "updated_at", "version"]
    const = {
        "created_at": now.isoformat(),
        "updated_at": now.isoformat(),
        "version": "1",
    }
    text_cols = [[copy_text(v) for v in data[c]] for c in columns]
    db_cols = [model._meta.get_field(c).column for c in columns] + [
        "created_at",
        "updated_at",
        "version",
    ]
    tail = "\t" + "\t".join(const[c] for c in cols[len(columns) :])
    with connection.cursor() as cur:
        raw = getattr(cur, "cursor", cur)
        if connection.vendor != "postgresql" or not hasattr(raw, "copy_expert"):
            return _copy_fallback(model, columns, data, progress)
        step = 50_000
        for lo in range(0, n, step):
            hi = min(n, lo + step)
            buf = io.StringIO()
            buf.writelines(
                "\t".join(vals) + tail + "\n"
                for vals in zip(*(c[lo:hi] for c in text_cols), strict=True)
            )
            buf.seek(0)
            raw.copy_expert(
                f"COPY {model._meta.db_table} ({', '.join(db_cols)}) FROM STDIN", buf
            )
            if progress:
                progress(hi - lo)
    return n


def _copy_fallback(model, columns, data, progress=None) -> int:
    objs = []
    for vals in zip(*(data[c] for c in columns), strict=True):
        kw = {}
        for c, v in zip(columns, vals, strict=True):
            field = model._meta.get_field(c)
            if v is not None and getattr(field, "geom_type", None):
                v = GEOSGeometry(v)
            kw[field.attname] = v
        objs.append(model(**kw))
    model.objects.bulk_create(objs, batch_size=BATCH)
    if progress:
        progress(len(objs))
    return len(objs)


def _column(
    frame, name: str, default: Any = None, cast: Callable | None = None
) -> list:
    """A frame column as Python values (missing → ``default``), optionally cast."""
    if name not in frame.columns:
        return [default] * len(frame)
    out = []
    for v in frame[name].tolist():
        v = _val(v, default)
        out.append(cast(v) if (cast is not None and v is not None) else v)
    return out


def layers_clear() -> None:
    """Delete every layer row (used before re-loading a demo city)."""
    for model in (
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
        model.objects.all().delete()
        history = getattr(model, "history", None)
        if history is not None:  # the old city's past, deletions included
            history.model.objects.all().delete()


def _community_history(history, source: str) -> int:
    """History rows of the communities from a generated stage timeline.

    Each row is the community as stored now, with the ``stage`` and ``lifts`` of
    that moment (``history_type`` ``+`` for the first record, ``~`` after), so the
    last record of each community equals its current row and an undo after a
    later edit restores exactly the loaded state.
    """
    hist_model = models.Community.history.model
    fields = [f.attname for f in models.Community._meta.concrete_fields]
    current = {c.code: c for c in models.Community.objects.all()}
    reason = f"{source}: stage timeline"
    rows = []
    for r in history.itertuples(index=False):
        c = current[r.code]
        values = {name: getattr(c, name) for name in fields}
        values.update(stage=r.stage, lifts=int(r.lifts))
        rows.append(
            hist_model(
                **values,
                history_date=r.date.to_pydatetime(),
                history_type="+" if r.first else "~",
                history_change_reason=reason,
            )
        )
    hist_model.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


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
    history = getattr(city, "stage_history", None)
    if history is not None and len(history):
        counts["community_history"] = _community_history(history, source)

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

    am = city.amenities
    cat_ids = [categories[c].pk for c in am["category"].tolist()]
    counts["amenities"] = _copy(
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
            "code": _column(am, "code", cast=str),
            "name": _column(am, "name", ""),
            "category": cat_ids,
            "capacity": _column(am, "capacity", cast=int),
            "floor_area_m2": _column(am, "floor_area_m2", cast=float),
            "source": _column(am, "source", ""),
            "geom": _ewkb_hex(am.geometry.to_numpy()),
            "source_crs": [src["source_crs"]] * len(am),
            "source_file": [src["source_file"]] * len(am),
        },
        tick("amenities"),
    )
    ws = city.walk_segments
    counts["walk_segments"] = _copy(
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
            "code": _column(ws, "code", cast=str),
            "kind": _column(ws, "kind", cast=str),
            "name": _column(ws, "name", ""),
            "is_barrier": [bool(v) for v in ws["is_barrier"].tolist()],
            "is_crossing": [bool(v) for v in ws["is_crossing"].tolist()],
            "geom": _ewkb_hex(ws.geometry.to_numpy()),
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
    if raster_path is not None:
        population_raster_register(path=raster_path, name=f"{source} population")
        counts["population_rasters"] = 1
    return counts


BASEMAP_COLUMNS = ("code", "kind", "name", "road_class", "levels", "source")


def basemap_replace(frame, *, source_file: str, source_crs: str, progress=None) -> int:
    """Write basemap features (a GeoDataFrame in settings.SRID with the columns of
    :data:`BASEMAP_COLUMNS`) by COPY, replacing the rows with the same codes.

    Runs in the caller's transaction (an OSM import, a demo load). Returns the rows
    written.
    """
    if frame is None or len(frame) == 0:
        return 0
    codes = _column(frame, "code", cast=str)
    models.BasemapFeature.objects.filter(code__in=codes).delete()
    return _copy(
        models.BasemapFeature,
        [*BASEMAP_COLUMNS, "geom", "source_crs", "source_file"],
        {
            "code": codes,
            "kind": _column(frame, "kind", cast=str),
            "name": [str(v)[:128] for v in _column(frame, "name", "")],
            "road_class": [str(v)[:32] for v in _column(frame, "road_class", "")],
            "levels": _column(frame, "levels", cast=int),
            "source": _column(frame, "source", ""),
            "geom": _ewkb_hex(frame.geometry.to_numpy()),
            "source_crs": [source_crs] * len(frame),
            "source_file": [source_file[:255]] * len(frame),
        },
        progress,
    )


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
