"""The only bridge between the ORM and the analyses: layer tables → GeoDataFrames (storage CRS).

Reads go through one parameterised SQL statement per layer with ``ST_AsBinary`` and
``shapely.from_wkb`` (vectorised), which is an order of magnitude faster than model
instances at city scale (200k walk segments).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from django.conf import settings
from django.db import connection
from django.db.models import Max

from layers import models


def _frame(
    sql: str,
    params: Sequence[Any],
    columns: Sequence[str],
    geom_cols: Sequence[str] = ("geometry",),
) -> gpd.GeoDataFrame:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    df = pd.DataFrame.from_records(rows, columns=list(columns))
    for col in geom_cols:
        raw = df[col].to_numpy() if len(df) else np.array([], dtype=object)
        df[col] = shapely.from_wkb(
            np.array([bytes(b) if b is not None else None for b in raw], dtype=object)
        )
    return gpd.GeoDataFrame(df, geometry="geometry", crs=f"EPSG:{settings.SRID}")


def communities_gdf(
    *, district: str | None = None, codes: Sequence[str] | None = None
) -> gpd.GeoDataFrame:
    """Communities with the attributes the analyses use (DATA_MODEL.md names)."""
    where, params = ["TRUE"], []
    if district:
        where.append("(d.code = %s OR d.name = %s)")
        params += [district, district]
    if codes is not None:
        where.append("c.code = ANY(%s)")
        params.append(list(codes))
    sql = f"""
        SELECT c.id, c.code, c.name, d.code, s.code, c.completion_year, c.land_tenure,
               c.housing_type, c.households, c.residents, c.floor_area_m2, c.lifts,
               c.in_shanty_plan, c.in_expropriation_plan, c.dangerous_c, c.dangerous_d,
               c.property_management, c.stage,
               ST_AsBinary(c.geom), ST_AsBinary(c.entrances)
        FROM layers_community c
        JOIN layers_district d ON d.id = c.district_id
        LEFT JOIN layers_street s ON s.id = c.street_id
        WHERE {" AND ".join(where)}
        ORDER BY c.code
    """  # noqa: S608 - only fixed fragments are joined; values are parameters
    cols = [
        "pk",
        "code",
        "name",
        "district_code",
        "street_code",
        "completion_year",
        "land_tenure",
        "housing_type",
        "households",
        "residents",
        "floor_area_m2",
        "lifts",
        "in_shanty_plan",
        "in_expropriation_plan",
        "dangerous_c",
        "dangerous_d",
        "property_management",
        "stage",
        "geometry",
        "entrances",
    ]
    gdf = _frame(sql, params, cols, geom_cols=("geometry", "entrances"))
    gdf["residents"] = pd.array(gdf["residents"], dtype="Int64")
    gdf["entrances"] = gpd.GeoSeries(gdf["entrances"], crs=gdf.crs)
    return gdf


def amenities_gdf(*, categories: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    where, params = "TRUE", []
    if categories is not None:
        where, params = "k.code = ANY(%s)", [list(categories)]
    sql = f"""
        SELECT a.code, a.name, k.code, a.floor_area_m2, ST_AsBinary(a.geom)
        FROM layers_amenity a JOIN layers_amenitycategory k ON k.id = a.category_id
        WHERE {where} ORDER BY a.code
    """  # noqa: S608
    return _frame(
        sql, params, ["code", "name", "category", "floor_area_m2", "geometry"]
    )


def walk_segments_gdf() -> gpd.GeoDataFrame:
    sql = """SELECT code, kind, is_barrier, is_crossing, ST_AsBinary(geom)
             FROM layers_walksegment ORDER BY id"""
    return _frame(sql, [], ["code", "kind", "is_barrier", "is_crossing", "geometry"])


def idle_land_gdf() -> gpd.GeoDataFrame:
    sql = """SELECT i.code, i.name, i.kind, i.owner, i.tenure, i.consent, i.status, i.area_m2,
                    (SELECT d.code FROM layers_district d WHERE ST_Intersects(d.geom,
                        ST_PointOnSurface(i.geom)) LIMIT 1),
                    ST_AsBinary(i.geom)
             FROM layers_idleland i ORDER BY i.code"""
    return _frame(
        sql,
        [],
        [
            "code",
            "name",
            "kind",
            "owner",
            "tenure",
            "consent",
            "status",
            "area_m2",
            "district_code",
            "geometry",
        ],
    )


def vacant_housing_gdf() -> gpd.GeoDataFrame:
    sql = """SELECT v.code, v.name, v.address, v.floor_area_m2, v.floors, v.owner_kind, v.status,
                    (SELECT d.code FROM layers_district d WHERE ST_Intersects(d.geom, v.geom)
                     LIMIT 1),
                    ST_AsBinary(v.geom)
             FROM layers_vacanthousing v ORDER BY v.code"""
    return _frame(
        sql,
        [],
        [
            "code",
            "name",
            "address",
            "floor_area_m2",
            "floors",
            "owner_kind",
            "status",
            "district_code",
            "geometry",
        ],
    )


def data_time():
    """The time of the newest change to any layer the analyses read."""
    stamps = [
        m.objects.aggregate(t=Max("updated_at"))["t"]
        for m in (
            models.Community,
            models.Amenity,
            models.WalkSegment,
            models.IdleLand,
            models.VacantHousing,
        )
    ]
    stamps = [s for s in stamps if s is not None]
    return max(stamps) if stamps else None


def population_raster():
    """The newest registered population raster as (array, transform), or ``None``."""
    raster = models.PopulationRaster.objects.order_by("-updated_at").first()
    if raster is None:
        return None
    import rasterio

    with rasterio.open(raster.path) as ds:
        return ds.read(1, masked=True).filled(0).astype("float64"), ds.transform
