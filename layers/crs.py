"""Cached coordinate transformations for GEOS geometries.

Building a GDAL SpatialReference costs ~0.1 s (a proj.db lookup) and
``GEOSGeometry.transform(srid)`` builds two every call; a CoordTransform per
(source, target) pair per thread is built once and reused.
"""

from __future__ import annotations

import threading

from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry

_local = threading.local()


def coord_transform(source: int, target: int) -> CoordTransform:
    cache = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    key = (source, target)
    if key not in cache:
        cache[key] = CoordTransform(SpatialReference(source), SpatialReference(target))
    return cache[key]


def transformed(geom: GEOSGeometry, srid: int) -> GEOSGeometry:
    """A copy of ``geom`` in ``srid`` (``geom`` must carry its SRID)."""
    if geom.srid == srid:
        return geom.clone()
    out = geom.transform(coord_transform(geom.srid, srid), clone=True)
    out.srid = srid
    return out
