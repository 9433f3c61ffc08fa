"""A tiny hand-checkable city for the siting tests.

One straight street running east from 三江口 (121.55E, 29.875N), 2 km long, split every
100 m. Community entrances sit 10 m north of the street, idle plots are 20 m squares
centred 30 m south of it (point on surface 30 m off the street), vacant housing points
20 m south. Category elderly_daycare (5-min tier, 300 m; minimum floor area 350 m²).
An existing daycare E sits on the street at 100 m::

    A(0)  E(100)   B(600)   C(900)      D(1500)   F(1900)
      L0(50)    L2(750)          L3(1500)  R(1700) U(1700) V1(1900)

Walk from a plot at x to an entrance at y: 30 + |x - y| + 10 m.

* A is already covered (E: 100 + 10 = 110 m) — L0 gains nothing.
* L2 covers B and C (190 m each): 2000 + 1500 = 3500 residents.
* L3 covers D (40 m): 3000. R (consent refused) would cover D and F (240 m): 4000, the
  best plot, but must never be proposed; U (status used) covers the same, also never.
* V1 (vacant housing, 400 m² floor) covers F: 1000. V2 (80 m², below the 350 m²
  minimum) is excluded by the rule.

Best k=2: {L2, L3} = 6500; k=3 adds V1 = 7500.
"""

from django.conf import settings
from django.contrib.gis.geos import Point, Polygon

from layers import models
from tests import factories
from tests.lifecircle.city import LAT0, LON0, community, street_line, xy  # noqa: F401

CATEGORY = "elderly_daycare"


def square(cx: float, cy: float, half: float) -> Polygon:
    return Polygon(
        (
            (cx - half, cy - half),
            (cx + half, cy - half),
            (cx + half, cy + half),
            (cx - half, cy + half),
            (cx - half, cy - half),
        ),
        srid=settings.SRID,
    )


def plot(code: str, dx: float, *, consent="granted", status="available", half=10.0):
    x, y = xy(dx, -30)
    return models.IdleLand.objects.create(
        code=code,
        name=f"地块{code}",
        kind="idle",
        owner="街道办",
        consent=consent,
        status=status,
        geom=square(x, y, half),
    )


def house(code: str, dx: float, floor_area_m2: float, status="available"):
    x, y = xy(dx, -20)
    return models.VacantHousing.objects.create(
        code=code,
        name=f"公房{code}",
        floor_area_m2=floor_area_m2,
        owner_kind="public",
        status=status,
        geom=Point(x, y, srid=settings.SRID),
    )


def build() -> dict:
    street = factories.street()
    street_line()
    out = {"street": street, "district": street.district}
    for code, dx, res in (
        ("A", 0, 1000),
        ("B", 600, 2000),
        ("C", 900, 1500),
        ("D", 1500, 3000),
        ("F", 1900, 1000),
    ):
        out[code] = community(street, code, dx, res)
    ex, ey = xy(100)
    out["E"] = factories.amenity(
        CATEGORY, code="E1", geom=Point(ex, ey, srid=settings.SRID)
    )
    out["L0"] = plot("L0", 50)
    out["L2"] = plot("L2", 750)
    out["L3"] = plot("L3", 1500)
    out["R"] = plot("R", 1700, consent="refused")
    out["U"] = plot("U", 1700, status="used")
    out["V1"] = house("V1", 1900, 400)
    out["V2"] = house("V2", 900, 80)
    return out
