"""Geometry checks shared by forms, the admin, the API and imports: what is wrong, and where."""

import threading

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .crs import transformed
from .io.geometry import TYPE_NAMES

MAX_VERTICES = 100_000


def _lonlat(geom: GEOSGeometry, x: float, y: float) -> str:
    """Format a point given in the geometry's SRID as lon/lat for an error message."""
    from django.contrib.gis.geos import Point

    p = transformed(Point(x, y, srid=geom.srid or settings.SRID), settings.API_SRID)
    return f"{p.x:.6f}, {p.y:.6f}"


def _city_area():
    """The city extent (a lon/lat box) as a prepared polygon in the storage CRS.

    Its edges are densified (every 0.01°, about 1 km) before projecting, so the
    curved image of the box is followed to well under a metre; the sides are drawn
    a hair inside (1e-7°, about 1 cm) so that anything this polygon contains is
    certainly inside the box. Geometries it does not contain take the exact test
    (transform to lon/lat, compare extents). Cached per (SRID, extent) and per
    thread (a prepared geometry builds its index lazily, on first use).
    """
    key = (settings.SRID, tuple(settings.CITY_EXTENT))
    cache = getattr(_local, "city_area", None)
    if cache is None:
        cache = _local.city_area = {}
    hit = cache.get(key)
    if hit is None:
        import numpy as np
        from django.contrib.gis.geos import Polygon

        x0, y0, x1, y1 = settings.CITY_EXTENT
        eps = 1e-7
        x0, y0, x1, y1 = x0 + eps, y0 + eps, x1 - eps, y1 - eps
        nx = max(2, int(np.ceil((x1 - x0) / 0.01)) + 1)
        ny = max(2, int(np.ceil((y1 - y0) / 0.01)) + 1)
        xs, ys = np.linspace(x0, x1, nx), np.linspace(y0, y1, ny)
        ring = (
            [(x, y0) for x in xs]
            + [(x1, y) for y in ys[1:]]
            + [(x, y1) for x in xs[::-1][1:]]
            + [(x0, y) for y in ys[::-1][1:]]
        )
        box = Polygon(ring, srid=settings.API_SRID)
        polygon = transformed(box, settings.SRID)
        hit = polygon.prepared
        cache[key] = hit
        cache[(*key, "polygon")] = polygon
    return hit


_local = threading.local()


def validate_geometry(geom: GEOSGeometry | None, *, allowed: tuple[str, ...]) -> None:
    """Raise ``ValidationError`` when ``geom`` is empty, of a wrong type, invalid or outside the city.

    The message names the problem and its location (lon, lat), e.g.
    "Self-intersection at 121.551234, 29.871234".
    """
    if geom is None:
        return
    if geom.empty:
        raise ValidationError(_("几何图形为空。"), code="empty")
    if geom.geom_type not in allowed:
        raise ValidationError(
            _("几何类型 %(got)s 不符合本图层要求（%(want)s）。")
            % {"got": geom.geom_type, "want": "/".join(allowed)},
            code="geom_type",
        )
    if geom.num_coords > MAX_VERTICES:
        raise ValidationError(
            _("顶点过多：%(n)d（上限 %(max)d）。")
            % {"n": geom.num_coords, "max": MAX_VERTICES},
            code="too_many_vertices",
        )
    coords = geom.extent
    if any(c != c or c in (float("inf"), float("-inf")) for c in coords):
        raise ValidationError(_("坐标包含 NaN 或无穷大。"), code="non_finite")
    if not geom.valid:
        reason = geom.valid_reason  # e.g. "Self-intersection[x y]"
        where = ""
        if "[" in reason and reason.endswith("]"):
            text, _sep, xy = reason[:-1].partition("[")
            try:
                x, y = (float(v) for v in xy.split()[:2])
                where = _("，位置（经度, 纬度）%(ll)s") % {"ll": _lonlat(geom, x, y)}
            except ValueError:
                text = reason
            reason = text
        raise ValidationError(
            _("几何图形无效：%(reason)s%(where)s。")
            % {"reason": reason, "where": where},
            code="invalid",
        )
    if geom.srid is None:
        geom = geom.clone()
        geom.srid = settings.SRID
    if geom.srid == settings.SRID and _city_area().contains(geom):
        return  # the usual case, without transforming the geometry
    check = transformed(geom, settings.API_SRID)
    minx, miny, maxx, maxy = check.extent
    ex = settings.CITY_EXTENT
    if minx < ex[0] or miny < ex[1] or maxx > ex[2] or maxy > ex[3]:
        raise ValidationError(
            _(
                "几何图形超出城市范围：范围 %(got)s 不在 %(city)s 之内"
                "（经纬度是否颠倒？坐标系是否正确？）。"
            )
            % {
                "got": f"{minx:.5f},{miny:.5f},{maxx:.5f},{maxy:.5f}",
                "city": ",".join(str(v) for v in ex),
            },
            code="outside_city",
        )


def _city_area_shapely():
    """The polygon of :func:`_city_area` as a prepared shapely geometry (same cache rules)."""
    key = (settings.SRID, tuple(settings.CITY_EXTENT), "shapely")
    cache = getattr(_local, "city_area", None)
    if cache is None:
        cache = _local.city_area = {}
    hit = cache.get(key)
    if hit is None:
        _city_area()
        hit = shapely.from_wkb(bytes(cache[(*key[:2], "polygon")].wkb))
        shapely.prepare(hit)
        cache[key] = hit
    return hit


def geometries_certainly_valid(geoms, *, allowed: tuple[str, ...]):
    """Vectorised :func:`validate_geometry` over shapely geometries in ``settings.SRID``.

    A boolean array: ``True`` where :func:`validate_geometry` would certainly pass
    (missing, or not empty, of an allowed type, at most ``MAX_VERTICES`` vertices,
    finite, valid, inside the city area polygon); ``False`` where it may raise, to
    be decided (and its message written) by :func:`validate_geometry` itself.
    """
    arr = np.asarray(geoms, dtype=object)
    if arr.size == 0:
        return np.zeros(0, dtype=bool)
    missing = np.array([g is None for g in arr], dtype=bool)
    ok = missing.copy()
    g = arr[~missing]
    if g.size:
        names = np.array(TYPE_NAMES, dtype=object)
        tid = shapely.get_type_id(g)
        typed = np.isin(names[np.clip(tid, 0, 7)], list(allowed)) & (tid >= 0)
        good = (
            typed
            & ~shapely.is_empty(g)
            & (shapely.get_num_coordinates(g) <= MAX_VERTICES)
            & np.isfinite(shapely.bounds(g)).all(axis=1)
        )
        good[good] = shapely.is_valid(g[good])
        good[good] = shapely.contains(_city_area_shapely(), g[good])
        ok[~missing] = good
    return ok
