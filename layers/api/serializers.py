"""GeoJSON serializers (geometry in EPSG:4326, 7 decimals) with explicit field allowlists."""

from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from layers import models
from layers.registry import layer_spec


def _attributes(key: str) -> tuple[str, ...]:
    """The layer's attributes (``layers.registry``); internal notes never leave the
    server."""
    return tuple(a for a in layer_spec(key).attributes if a != "internal_notes")


class LayerSerializer(GeoFeatureModelSerializer):
    # the selector annotates ``api_geom`` (EPSG:4326, transformed in PostGIS)
    geom = GeometryField(source="api_geom", read_only=True, precision=7)

    class Meta:
        geo_field = "geom"
        id_field = "code"


class DistrictSerializer(LayerSerializer):
    class Meta(LayerSerializer.Meta):
        model = models.District
        fields = ("code", "name", "is_central")


class StreetSerializer(LayerSerializer):
    district = serializers.CharField(source="district.name", read_only=True)

    class Meta(LayerSerializer.Meta):
        model = models.Street
        fields = ("code", "name", "district")


class CommunitySerializer(LayerSerializer):
    """Public fields only: internal notes never leave the server."""

    district = serializers.CharField(source="district.name", read_only=True)
    street = serializers.CharField(source="street.name", read_only=True, default="")

    class Meta(LayerSerializer.Meta):
        model = models.Community
        fields = (
            "code",
            "district",
            "street",
            *_attributes("community"),
            "stage",
        )


class IdleLandSerializer(LayerSerializer):
    class Meta(LayerSerializer.Meta):
        model = models.IdleLand
        fields = ("code", *_attributes("idle_land"), "area_m2")


class VacantHousingSerializer(LayerSerializer):
    class Meta(LayerSerializer.Meta):
        model = models.VacantHousing
        fields = ("code", *_attributes("vacant_housing"))


class SpecialWorkSerializer(LayerSerializer):
    class Meta(LayerSerializer.Meta):
        model = models.SpecialWork
        fields = ("code", *_attributes("special_work"))


class CategoryName(serializers.CharField):
    """A facility category's name in the reader's language (the stored one is the
    rule set's Chinese)."""

    def to_representation(self, value):
        return models.category_label(super().to_representation(value))


class AmenitySerializer(LayerSerializer):
    category = serializers.CharField(source="category.code", read_only=True)
    category_name = CategoryName(source="category.name", read_only=True)
    tier = serializers.IntegerField(source="category.tier_minutes", read_only=True)

    class Meta(LayerSerializer.Meta):
        model = models.Amenity
        fields = ("code", *_attributes("amenity"), "category_name", "tier")


class WalkSegmentSerializer(LayerSerializer):
    class Meta(LayerSerializer.Meta):
        model = models.WalkSegment
        fields = ("code", "kind", "name", "length_m", "is_barrier", "is_crossing")


class AmenityCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = models.AmenityCategory
        fields = (
            "code",
            "name",
            "tier_minutes",
            "required",
            "service_radius_m",
            "min_floor_area_m2",
            "min_site_area_m2",
            "source_clause",
            "verified",
        )
