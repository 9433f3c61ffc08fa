"""The only bridge between the ORM and the analyses: layer tables → GeoDataFrames (storage CRS).

Reads go through one parameterised SQL statement per layer with ``ST_AsBinary`` and
``shapely.from_wkb`` (vectorised), which is an order of magnitude faster than model
instances at city scale (200k walk segments).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from django.conf import settings
from django.db import connection

from analysis.network import line_arrays
from layers import models, stamps


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
    where = ["TRUE"]
    params: list[str | list[str]] = []
    if district:
        where.append("(d.code = %s OR d.name = %s)")
        params += [district, district]
    if codes is not None:
        where.append("c.code = ANY(%s)")
        params.append(list(codes))
    sql = f"""
        SELECT c.id, c.code, c.name, d.code, s.code, c.completion_year, c.land_tenure,
               c.housing_type, c.households, c.residents, c.floor_area_m2, c.lifts,
               c.in_shanty_plan, c.in_expropriation_plan, c.repairable,
               c.dangerous_c, c.dangerous_d,
               c.property_management, c.stage, c.parking_spaces,
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
        "repairable",
        "dangerous_c",
        "dangerous_d",
        "property_management",
        "stage",
        "parking_spaces",
        "geometry",
        "entrances",
    ]
    gdf = _frame(sql, params, cols, geom_cols=("geometry", "entrances"))
    gdf["residents"] = pd.array(gdf["residents"], dtype="Int64")
    gdf["parking_spaces"] = pd.array(gdf["parking_spaces"], dtype="Int64")
    gdf["entrances"] = gpd.GeoSeries(gdf["entrances"], crs=gdf.crs)
    return gdf


def amenities_gdf(*, categories: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """Amenity points: ``code``, ``name``, ``category``, ``capacity``, ``floor_area_m2``, geometry.

    Read with one ``COPY … TO STDOUT (FORMAT csv)`` parsed by pandas' C reader (at
    city scale 66k rows in a quarter of the time of fetching row tuples, which
    also turn every ``numeric`` into a ``Decimal``); the points travel as two
    floats and are rebuilt with ``shapely.points`` in one call. Missing names
    read as ``""``, missing capacities and floor areas as NaN.
    """
    cols = ["code", "name", "category", "capacity", "floor_area_m2", "x", "y"]
    select = """SELECT a.code, a.name, k.code, a.capacity::float8, a.floor_area_m2::float8,
                       ST_X(a.geom), ST_Y(a.geom)
                FROM layers_amenity a JOIN layers_amenitycategory k ON k.id = a.category_id
                WHERE {where} ORDER BY a.code"""
    where = "TRUE"
    if categories is not None:
        with connection.cursor() as cur:  # let the driver quote the values
            where = cur.mogrify("k.code = ANY(%s)", [[str(c) for c in categories]])
        where = where.decode()
    df = _copy_csv(select.format(where=where), cols, text=("code", "name", "category"))
    xy = df[["x", "y"]].to_numpy(dtype=float) if len(df) else np.zeros((0, 2))
    df = df.drop(columns=["x", "y"])
    return gpd.GeoDataFrame(
        df, geometry=shapely.points(xy), crs=f"EPSG:{settings.SRID}"
    )


def _copy_out(sql: str, options: str) -> memoryview:
    """The bytes of ``COPY (sql) TO STDOUT (options)`` (psycopg2's ``copy_expert``)."""
    buf = io.BytesIO()
    with connection.cursor() as cur:
        cur.cursor.copy_expert(f"COPY ({sql}) TO STDOUT ({options})", buf)
    return buf.getbuffer()


def _copy_csv(
    sql: str, columns: Sequence[str], *, text: Sequence[str] = ()
) -> pd.DataFrame:
    """``COPY (sql) TO STDOUT (FORMAT csv)`` read by ``pandas.read_csv``.

    ``text`` columns stay strings (NULL reads as ``""``); the others are parsed
    as numbers (NULL → NaN).
    """
    data = _copy_out(sql, "FORMAT csv")
    if not data.nbytes:
        return pd.DataFrame(
            {c: pd.Series([], dtype=object if c in text else float) for c in columns}
        )
    return pd.read_csv(
        io.BytesIO(data),
        header=None,
        names=list(columns),
        dtype={c: str for c in text},
        keep_default_na=False,
        na_values={c: [""] for c in columns if c not in text},
        encoding="utf-8",
    )


def walk_segments_gdf() -> gpd.GeoDataFrame:
    """Walk segments ordered by id: ``code``, ``kind``, ``is_barrier``, ``is_crossing``."""
    sql = """SELECT code, kind, is_barrier, is_crossing, ST_AsBinary(geom)
             FROM layers_walksegment ORDER BY id"""
    return _frame(sql, [], ["code", "kind", "is_barrier", "is_crossing", "geometry"])


_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
# EWKB of a 2-D LineString with an SRID and two points, little-endian:
# byte order (1) + type (4) + SRID (4) + point count (4) + 2 × (x, y) doubles (32)
_EWKB_LINE2 = np.dtype(
    [
        ("nfields", ">i2"),
        ("size", ">i4"),
        ("order", "u1"),
        ("type", "<u4"),
        ("srid", "<u4"),
        ("npoints", "<u4"),
        ("xy", "<f8", (4,)),
    ]
)
_EWKB_SRID_FLAG = 0x20000000
_WKB_LINESTRING = 2


def _copy_binary(sql: str) -> memoryview | None:
    """``COPY (sql) TO STDOUT (FORMAT binary)``: the rows' bytes after the header.

    ``None`` when the output does not start with the binary COPY signature.
    """
    data = _copy_out(sql, "FORMAT binary")
    if len(data) < 21 or bytes(data[:11]) != _COPY_SIGNATURE:
        return None
    ext = int.from_bytes(data[15:19], "big")
    return data[19 + ext : len(data) - 2]  # without the header and the -1 trailer


def walk_segment_arrays() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """The walk segment lines, ordered by id, as ``(coords, offsets)`` arrays.

    What :func:`analysis.network.network_from_coords` takes: line ``i`` is
    ``coords[offsets[i]:offsets[i + 1]]``. Walk segments are split at junctions, so
    almost all are two-point lines; their EWKB has a fixed width, and a binary
    ``COPY`` of the geometry column is parsed with one ``np.frombuffer`` without
    building a shapely object (the server only streams the stored bytes). Any other
    layout (interior vertices, big-endian, 3-D) takes the general
    path through WKB and shapely; both give the same arrays.
    """
    body = _copy_binary("SELECT geom FROM layers_walksegment ORDER BY id")
    if body is not None and len(body) % _EWKB_LINE2.itemsize == 0:
        rec = np.frombuffer(body, dtype=_EWKB_LINE2)
        if not rec.size or (
            np.all(rec["nfields"] == 1)
            and np.all(rec["size"] == _EWKB_LINE2.itemsize - 6)
            and np.all(rec["order"] == 1)
            and np.all(rec["type"] == _EWKB_SRID_FLAG | _WKB_LINESTRING)
            and np.all(rec["npoints"] == 2)
        ):
            coords = rec["xy"].reshape(-1, 2).astype(np.float64)
            return coords, np.arange(0, 2 * rec.size + 1, 2, dtype=np.int64)
    return line_arrays(walk_segments_gdf().geometry.to_numpy())


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


def layer_stamps(names: Sequence[str] | None = None) -> dict[str, tuple]:
    """A change stamp per layer, ``(epoch, version, changed_at)``, in one tiny query.

    Maintained by PostgreSQL triggers (:mod:`layers.stamps`): equal stamps mean
    unchanged rows. Used to key the in-process caches of the analyses. Read the
    stamps *before* the data they describe.
    """
    return stamps.layer_stamps(names)


def data_time_from_stamps(layer_stamps_: dict[str, tuple]):
    """:func:`data_time` from :func:`layer_stamps` of (at least) its five layers."""
    return stamps.data_time(layer_stamps_)


def data_time():
    """The time of the newest change to any layer the analyses read."""
    return stamps.data_time()


def population_raster():
    """The newest registered population raster as (array, transform), or ``None``."""
    raster = models.PopulationRaster.objects.order_by("-updated_at").first()
    if raster is None:
        return None
    import rasterio

    with rasterio.open(raster.path) as ds:
        return ds.read(1, masked=True).filled(0).astype("float64"), ds.transform
