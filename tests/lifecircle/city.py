"""A tiny hand-checkable city for the life-circle service tests.

One straight street running east from 三江口 (121.55E, 29.875N), 2 km long, split every
100 m; community A's entrance is at the street's start, community B's at 1.5 km. A
kindergarten (5-min tier, 300 m) sits on the street at 200 m::

    A(0 m)──────K(200 m)──────────────────────────B(1500 m)──────(2000 m)

A is covered (200 m ≤ 300 m), B is not (1300 m).
"""

from django.conf import settings
from django.contrib.gis.geos import LineString, MultiPoint, MultiPolygon, Point, Polygon

from layers import models
from tests import factories

LON0, LAT0 = 121.55, 29.875


def xy(dx: float, dy: float = 0.0) -> tuple[float, float]:
    p = factories.lonlat(LON0, LAT0)
    return p.x + dx, p.y + dy


def street_line(n: int = 20) -> None:
    """The street: ``n`` segments of 100 m running east from (LON0, LAT0)."""
    for i in range(n):
        a, b = xy(i * 100), xy((i + 1) * 100)
        models.WalkSegment.objects.create(
            code=f"seg{i}", kind="local", geom=LineString(a, b, srid=settings.SRID)
        )


def community(street, code: str, dx: float, residents: int):
    """An 80 m × 80 m community north of the street, its entrance 10 m off it at ``dx``."""
    x, y = xy(dx)
    poly = Polygon(
        (
            (x - 40, y + 10),
            (x + 40, y + 10),
            (x + 40, y + 90),
            (x - 40, y + 90),
            (x - 40, y + 10),
        ),
        srid=settings.SRID,
    )
    return factories.community(
        code=code,
        name=f"小区{code}",
        street=street,
        residents=residents,
        geom=MultiPolygon(poly, srid=settings.SRID),
        entrances=MultiPoint(Point(x, y + 10, srid=settings.SRID), srid=settings.SRID),
    )


def build() -> dict:
    street = factories.street()
    street_line()
    a = community(street, "A", 0, 1000)
    b = community(street, "B", 1500, 2000)
    kx, ky = xy(200)
    k = factories.amenity(
        "kindergarten", code="K1", geom=Point(kx, ky, srid=settings.SRID)
    )
    return {"a": a, "b": b, "k": k, "street": street}
