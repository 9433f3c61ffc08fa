"""The raw SQL the ORM cannot say: snapping a new shape to nearby boundaries, overlaps."""

from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from psycopg2 import sql

from layers.registry import LAYERS

from .models import PlanningArea

# table → geometry column of the polygon layers a new shape may snap to
#: the polygon tables a drawn boundary snaps to: the source layers marked ``snap`` in
#: the layer registry, and the planning areas
SNAP_TABLES = (
    *(s.model._meta.db_table for s in LAYERS if s.snap),
    PlanningArea._meta.db_table,
)


def snap_to_boundaries(
    geom: GEOSGeometry, tolerance_m: float
) -> tuple[GEOSGeometry, int]:
    """Snap ``geom``'s vertices to boundaries of polygon layers within ``tolerance_m``.

    Returns the snapped geometry (unchanged if snapping would make it invalid) and the
    number of vertices moved.
    """
    parts = [
        sql.SQL(
            "SELECT ST_Boundary(geom) g FROM {} WHERE ST_DWithin(geom, %s::geometry, %s)"
        ).format(sql.Identifier(t))
        for t in SNAP_TABLES
    ]
    query = sql.SQL(
        """
        WITH near AS ({union}),
             snapped AS (
               SELECT CASE WHEN (SELECT count(*) FROM near) = 0 THEN %s::geometry
                      ELSE ST_Snap(%s::geometry, (SELECT ST_Collect(g) FROM near), %s)
                      END AS g)
        SELECT ST_AsEWKB(g), ST_IsValid(g), ST_NPoints(g) FROM snapped
        """
    ).format(union=sql.SQL(" UNION ALL ").join(parts))
    ewkb = geom.hexewkb.decode()
    params: list = []
    for _t in SNAP_TABLES:
        params += [ewkb, tolerance_m]
    params += [ewkb, ewkb, tolerance_m]
    with connection.cursor() as cur:
        cur.execute(query, params)
        out, valid, _n = cur.fetchone()
    snapped = GEOSGeometry(memoryview(bytes(out)))
    if not valid or snapped.geom_type != geom.geom_type:
        return geom, 0
    moved = sum(
        1 for a, b in zip(_coords(geom), _coords(snapped), strict=False) if a != b
    )
    return snapped, moved


def _coords(geom: GEOSGeometry) -> list[tuple[float, float]]:
    import shapely

    return [
        tuple(c) for c in shapely.get_coordinates(shapely.from_wkb(bytes(geom.wkb)))
    ]


def overlaps(
    table: str, geom: GEOSGeometry, *, exclude_pk: int | None
) -> list[tuple[str, str, float]]:
    """Features of ``table`` whose area overlaps ``geom`` by more than 1 m²: (code, name, m²)."""
    query = sql.SQL(
        """
        SELECT code, name, ST_Area(ST_Intersection(geom, %s::geometry))
        FROM {} WHERE ST_Intersects(geom, %s::geometry) AND id IS DISTINCT FROM %s
          AND ST_Area(ST_Intersection(geom, %s::geometry)) > 1.0
        ORDER BY 3 DESC LIMIT 20
        """
    ).format(sql.Identifier(table))
    ewkb = geom.hexewkb.decode()
    with connection.cursor() as cur:
        cur.execute(query, [ewkb, ewkb, exclude_pk, ewkb])
        return [(c, n, float(a)) for c, n, a in cur.fetchall()]
