"""System check: the database stores geometries in ``settings.SRID`` (``GEOAPP_SRID``).

The migrations create every geometry (and raster) column in ``settings.SRID``; a
database migrated under one setting and served under another would fail on the first
write ("Geometry SRID (4548) does not match column SRID (4549)") or, worse, compare
coordinates of two zones. ``migrate`` and ``manage.py check --database default`` run
this check and refuse such a database, naming the columns. A database without our
tables or without PostGIS yet (before the first ``migrate``) passes.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib.gis.db.models import GeometryField, RasterField
from django.core import checks
from django.db import DatabaseError, connections

#: geometry columns of the given tables whose SRID is not the setting
GEOMETRY_SQL = """
SELECT f_table_name, f_geometry_column, srid FROM geometry_columns
 WHERE f_table_schema = current_schema() AND f_table_name = ANY(%s) AND srid <> %s"""
#: the same for raster columns (the view exists only with the postgis_raster extension)
RASTER_SQL = """
SELECT r_table_name, r_raster_column, srid FROM raster_columns
 WHERE r_table_schema = current_schema() AND r_table_name = ANY(%s) AND srid <> %s"""


def spatial_tables() -> list[str]:
    """Tables of the installed models that have a geometry or raster field."""
    return sorted(
        {
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if any(
                isinstance(f, GeometryField | RasterField)
                for f in m._meta.concrete_fields
            )
        }
    )


def srid_mismatches(cursor, srid: int) -> list[tuple[str, str, int]]:
    """(table, column, srid) of our spatial columns stored in another SRID."""
    params = [spatial_tables(), int(srid)]
    cursor.execute(
        "SELECT to_regclass('geometry_columns') IS NOT NULL,"
        " to_regclass('raster_columns') IS NOT NULL"
    )
    has_geometry, has_raster = cursor.fetchone()
    found = []
    if has_geometry:  # PostGIS not installed yet: a new database, nothing to compare
        cursor.execute(GEOMETRY_SQL, params)
        found += cursor.fetchall()
    if has_raster:
        cursor.execute(RASTER_SQL, params)
        found += cursor.fetchall()
    return sorted((t, c, int(s)) for t, c, s in found)


@checks.register(checks.Tags.database)
def check_storage_srid(app_configs=None, databases=None, **kwargs):
    if not databases or "default" not in databases:
        return []
    try:
        with connections["default"].cursor() as cur:
            found = srid_mismatches(cur, settings.SRID)
    except DatabaseError as exc:
        return [
            checks.Warning(
                f"Could not compare the geometry columns with SRID {settings.SRID}: "
                f"{exc}",
                id="geoapp.W001",
            )
        ]
    if not found:
        return []
    stored = sorted({s for _t, _c, s in found})
    listed = ", ".join(f"{t}.{c} ({s})" for t, c, s in found[:8])
    more = f" and {len(found) - 8} more" if len(found) > 8 else ""
    return [
        checks.Error(
            f"The database stores geometries in EPSG:{'/'.join(map(str, stored))} but "
            f"settings.SRID (GEOAPP_SRID) is {settings.SRID}: {listed}{more}.",
            hint=(
                f"Run with GEOAPP_SRID={stored[0]} (the CRS this database was migrated "
                "with), or migrate a new, empty database with the new setting and "
                "re-import the layers (README: SRID policy)."
            ),
            id="geoapp.E001",
        )
    ]
