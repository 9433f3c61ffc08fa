"""Builders for layer rows around 三江口 (121.55E, 29.875N), in the storage SRID."""

from __future__ import annotations

import itertools

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon

from accounts.models import Profile
from layers import models
from layers.crs import transformed

_seq = itertools.count(1)


def lonlat(lon: float, lat: float) -> Point:
    return transformed(Point(lon, lat, srid=4326), settings.SRID)


def square(lon: float, lat: float, size_m: float = 100.0) -> Polygon:
    c = lonlat(lon, lat)
    h = size_m / 2
    return Polygon(
        (
            (c.x - h, c.y - h),
            (c.x + h, c.y - h),
            (c.x + h, c.y + h),
            (c.x - h, c.y + h),
            (c.x - h, c.y - h),
        ),
        srid=settings.SRID,
    )


def district(**kw) -> models.District:
    n = next(_seq)
    defaults = {
        "code": f"D{n}",
        "name": f"测试区{n}",
        "is_central": True,
        "geom": MultiPolygon(square(121.55, 29.875, 5000), srid=settings.SRID),
    }
    defaults.update(kw)
    return models.District.objects.create(**defaults)


def street(**kw) -> models.Street:
    n = next(_seq)
    d = kw.pop("district", None) or district()
    defaults = {
        "code": f"S{n}",
        "name": f"测试街道{n}",
        "district": d,
        "geom": MultiPolygon(square(121.55, 29.875, 3000), srid=settings.SRID),
    }
    defaults.update(kw)
    return models.Street.objects.create(**defaults)


def community(**kw) -> models.Community:
    n = next(_seq)
    s = kw.pop("street", None) or street()
    defaults = {
        "code": f"C{n}",
        "name": f"测试小区{n}",
        "district": s.district,
        "street": s,
        "geom": MultiPolygon(square(121.55, 29.875, 200), srid=settings.SRID),
        "completion_year": 1992,
        "households": 400,
        "residents": 1050,
        "floor_area_m2": 30000,
    }
    defaults.update(kw)
    return models.Community.objects.create(**defaults)


def amenity(category: str = "kindergarten", **kw) -> models.Amenity:
    n = next(_seq)
    defaults = {
        "code": f"A{n}",
        "name": f"设施{n}",
        "category": models.AmenityCategory.objects.get(code=category),
        "geom": lonlat(121.551, 29.876),
    }
    defaults.update(kw)
    return models.Amenity.objects.create(**defaults)


def idle_land(**kw) -> models.IdleLand:
    n = next(_seq)
    defaults = {
        "code": f"IL{n}",
        "name": f"空地{n}",
        "kind": "vacant",
        "geom": square(121.552, 29.876, 60),
    }
    defaults.update(kw)
    return models.IdleLand.objects.create(**defaults)


def segment(a: tuple[float, float], b: tuple[float, float], **kw) -> models.WalkSegment:
    n = next(_seq)
    pa, pb = lonlat(*a), lonlat(*b)
    defaults = {
        "code": f"W{n}",
        "kind": "local",
        "geom": LineString(pa.coords, pb.coords, srid=settings.SRID),
    }
    defaults.update(kw)
    return models.WalkSegment.objects.create(**defaults)


def user(username: str, role: str | None = None, *, password: str = "pw-123456", **kw):
    """A user with a role (accounts.Role) and its district/street; no role: a viewer
    without a profile."""
    area = {k: kw.pop(k) for k in ("district", "street") if k in kw}
    u = get_user_model().objects.create_user(username, password=password, **kw)
    if role is not None:
        Profile.objects.create(user=u, role=role, **area)
    return u
