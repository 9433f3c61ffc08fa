"""Layer validation on real PostGIS: bad geometry or attributes give clear errors, nothing stored."""

import pytest
from django.conf import settings
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from layers import models
from tests import factories

pytestmark = pytest.mark.django_db


def bowtie() -> Polygon:
    """A self-intersecting ring near 三江口::

        (0,100)   (100,100)
            \\     /
              \\ /      ← the edges cross at (50, 50)
              / \\
            /     \\
        (0,0)     (100,0)
    """
    c = factories.lonlat(121.55, 29.875)
    x, y = c.x, c.y
    return Polygon(
        ((x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100), (x, y)),
        srid=settings.SRID,
    )


def test_categories_loaded_from_ruleset():
    # 34 categories in fixtures/rulesets/gb50180_2018.json, by the data migrations
    assert models.AmenityCategory.objects.count() == 34
    kg = models.AmenityCategory.objects.get(code="kindergarten")
    assert (kg.tier_minutes, kg.required, kg.service_radius_m) == (5, True, 300)


def test_self_intersection_is_refused_with_location():
    street = factories.street()
    obj = models.Community(
        code="BAD1",
        name="自相交小区",
        district=street.district,
        street=street,
        geom=MultiPolygon(bowtie(), srid=settings.SRID),
        completion_year=1990,
        households=100,
    )
    with pytest.raises(ValidationError) as err:
        obj.full_clean()
    message = " ".join(err.value.messages)
    assert "Self-intersection" in message
    # the crossing point is reported in lon/lat, close to 三江口
    assert "121.55" in message and "29.87" in message
    assert not models.Community.objects.filter(code="BAD1").exists()


def test_database_constraint_refuses_invalid_geometry_even_without_clean():
    street = factories.street()
    with pytest.raises(IntegrityError), transaction.atomic():
        models.Community.objects.create(
            code="BAD2",
            name="x",
            district=street.district,
            geom=MultiPolygon(bowtie(), srid=settings.SRID),
            completion_year=1990,
            households=10,
        )
    assert not models.Community.objects.filter(code="BAD2").exists()


def test_outside_city_is_refused_with_hint():
    # lat/lon swapped: (29.875, 121.55) is far outside Ningbo
    p = Point(121.55, 29.875, srid=4326)
    swapped = Point(29.875, 121.55 - 90, srid=4326)
    obj = models.Amenity(
        code="OUT",
        name="x",
        category=models.AmenityCategory.objects.get(code="clinic"),
        geom=swapped,
    )
    with pytest.raises(ValidationError) as err:
        obj.full_clean()
    assert "超出城市范围" in " ".join(err.value.messages)
    ok = models.Amenity(
        code="IN",
        name="x",
        category=models.AmenityCategory.objects.get(code="clinic"),
        geom=p,
    )
    ok.geom.transform(settings.SRID)
    ok.full_clean()


def test_wrong_geometry_type_and_empty_are_refused():
    obj = models.IdleLand(code="L1", kind="vacant", geom=Polygon(srid=settings.SRID))
    with pytest.raises(ValidationError) as err:
        obj.full_clean()
    assert "为空" in " ".join(err.value.messages)


def test_bad_attribute_values_are_refused():
    street = factories.street()
    obj = models.Community(
        code="BAD3",
        name="坏属性",
        district=street.district,
        street=street,
        geom=MultiPolygon(factories.square(121.55, 29.875), srid=settings.SRID),
        completion_year=1850,
        households=-5,
        housing_type="castle",
    )
    with pytest.raises(ValidationError) as err:
        obj.full_clean()
    fields = set(err.value.message_dict)
    assert {"completion_year", "households", "housing_type"} <= fields
    assert not models.Community.objects.filter(code="BAD3").exists()


def test_derived_area_and_length_in_metres():
    plot = models.IdleLand.objects.create(
        code="L2", kind="corner", geom=factories.square(121.55, 29.875, 40)
    )
    plot.refresh_from_db()
    assert plot.area_m2 == pytest.approx(1600, rel=1e-9)  # 40 m × 40 m in EPSG:4549
    seg = factories.segment((121.55, 29.875), (121.56, 29.875))
    seg.refresh_from_db()
    # 0.01° of longitude at 29.875°N ≈ 965 m (111.32 km × cos 29.875°), plus GK scale ≈ 1.0003
    assert 960 < seg.length_m < 970


def test_every_geometry_has_gist_index_and_validity_constraint():
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname='public' "
            "AND indexdef ILIKE '%%USING gist%%'"
        )
        gist = {t for t, _d in cur.fetchall()}
        cur.execute(
            "SELECT conrelid::regclass::text FROM pg_constraint WHERE contype='c' "
            "AND pg_get_constraintdef(oid) ILIKE '%%st_isvalid%%'"
        )
        valid = {r[0] for r in cur.fetchall()}
    for table in (
        "layers_district",
        "layers_street",
        "layers_community",
        "layers_idleland",
        "layers_vacanthousing",
        "layers_amenity",
        "layers_walksegment",
        "layers_populationraster",
    ):
        assert table in gist, table
        assert table in valid, table


def test_postgis_extension_created_by_first_migration():
    with connection.cursor() as cur:
        cur.execute("SELECT extname FROM pg_extension WHERE extname='postgis'")
        assert cur.fetchone() == ("postgis",)
