"""Reads of the layers for pages and APIs; geometries transformed to API_SRID in the database."""

from django.conf import settings
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Polygon
from django.db.models import QuerySet

from . import models
from .crs import transformed


def with_api_geom(qs: QuerySet, *, field: str = "geom") -> QuerySet:
    """Annotate ``api_geom`` (the geometry in EPSG:4326) and defer the stored geometry."""
    return qs.annotate(api_geom=Transform(field, settings.API_SRID)).defer(field)


def in_bbox(qs: QuerySet, bbox: tuple[float, float, float, float] | None) -> QuerySet:
    """Keep features whose geometry intersects a lon/lat bbox (already validated)."""
    if bbox is None:
        return qs
    poly = Polygon.from_bbox(bbox)
    poly.srid = settings.API_SRID
    return qs.filter(geom__intersects=transformed(poly, settings.SRID))


def district_list() -> QuerySet[models.District]:
    return with_api_geom(models.District.objects.all())


def street_list() -> QuerySet[models.Street]:
    return with_api_geom(models.Street.objects.select_related("district"))


def community_list(
    *, district: str | None = None, stage: str | None = None
) -> QuerySet:
    qs = models.Community.objects.select_related("district", "street")
    if district:
        qs = qs.filter(district__code=district)
    if stage:
        qs = qs.filter(stage=stage)
    return with_api_geom(qs)


def idle_land_list() -> QuerySet[models.IdleLand]:
    return with_api_geom(models.IdleLand.objects.all())


def vacant_housing_list() -> QuerySet[models.VacantHousing]:
    return with_api_geom(models.VacantHousing.objects.all())


def special_work_list() -> QuerySet[models.SpecialWork]:
    return with_api_geom(models.SpecialWork.objects.all())


def amenity_list(*, category: str | None = None) -> QuerySet[models.Amenity]:
    qs = models.Amenity.objects.select_related("category")
    if category:
        qs = qs.filter(category__code=category)
    return with_api_geom(qs)


def walk_segment_list() -> QuerySet[models.WalkSegment]:
    return with_api_geom(models.WalkSegment.objects.all())


def category_labels() -> dict[str, str]:
    """Facility category code → its name in the active language (the name of the
    rule set, translated where the catalog has it)."""
    # no ordering: the model's sorts by tier_minutes, which the public role cannot read
    rows = models.AmenityCategory.objects.order_by().values_list("code", "name")
    return {code: models.category_label(name) for code, name in rows}
