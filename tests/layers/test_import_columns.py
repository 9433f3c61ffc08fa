"""layers.importing.columns / validation.geometries_certainly_valid: the vectorised
checks accept a value only where the model's own full_clean / validate_geometry do."""

from __future__ import annotations

from decimal import Decimal

import pytest
import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError

from layers import models
from layers.importing.columns import field_ok
from layers.validation import geometries_certainly_valid, validate_geometry
from tests import factories

CASES = [
    ("completion_year", [1899, 1900, 2100, 2101, None, "1990", True]),
    ("households", [0, 100_000, 100_001, -1, None]),
    ("residents", [None, 400_000, 400_001]),
    ("name", ["小区", "", None, "长" * 128, "长" * 129]),
    ("committee", ["", None, "居委会", "x" * 65]),
    ("stage", ["planned", "no_such_stage", ""]),
    ("floor_area_m2", [0, 0.0, -0.5, 12.5, None]),
    ("fund_balance_yuan", [Decimal("1.25"), Decimal("-1"), Decimal("1.234"), 0]),
    ("fund_balance_yuan", [Decimal("123456789012.34"), Decimal("1234567890123.4")]),
    ("in_shanty_plan", [True, False, None]),
    ("max_floors", [0, 1, 120, 121]),
]


def _clean_passes(f, value) -> bool:
    obj = models.Community()
    if f.blank and value in f.empty_values:
        return True  # clean_fields skips it
    try:
        f.clean(value, obj)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(("name", "values"), CASES)
def test_field_checks_accept_exactly_what_clean_accepts(name, values) -> None:
    f = models.Community._meta.get_field(name)
    got = list(field_ok(f, values))
    want = [_clean_passes(f, v) for v in values]
    # never accept what clean refuses; here every case is decidable, so equal
    # (strings for numbers and True for 1 are refused: to_python would convert them)
    kind = f.get_internal_type()
    typed = [
        not isinstance(v, str | bool) or kind in ("CharField", "BooleanField")
        for v in values
    ]
    assert got == [w and t for w, t in zip(want, typed, strict=True)], (name, values)


@pytest.mark.django_db
def test_geometry_checks_agree_with_validate_geometry() -> None:
    good = MultiPolygon(factories.square(121.55, 29.875, 120))
    x, y = good.centroid.x, good.centroid.y
    ring = [(x, y), (x + 10, y + 10), (x + 10, y), (x, y + 10), (x, y)]
    bowtie = GEOSGeometry(
        "SRID=4549;MULTIPOLYGON(((" + ",".join(f"{a} {b}" for a, b in ring) + ")))"
    )
    far = MultiPolygon(factories.square(125.5, 29.875, 120))
    point = factories.lonlat(121.55, 29.875)
    empty = GEOSGeometry("SRID=4549;MULTIPOLYGON EMPTY")
    many = [good, bowtie, far, point, empty, None]
    shapes = [None if g is None else shapely.from_wkb(bytes(g.wkb)) for g in many]
    got = list(geometries_certainly_valid(shapes, allowed=("MultiPolygon",)))
    want = []
    for g in many:
        try:
            validate_geometry(g, allowed=("MultiPolygon",))
            want.append(True)
        except ValidationError:
            want.append(False)
    assert want == [True, False, False, False, False, True]
    assert got == want
