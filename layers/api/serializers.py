"""GeoJSON serializers (geometry in EPSG:4326, 7 decimals) with explicit field allowlists."""

from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from layers import models


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
            "name",
            "district",
            "street",
            "committee",
            "address",
            "completion_year",
            "land_tenure",
            "housing_type",
            "buildings",
            "max_floors",
            "households",
            "residents",
            "floor_area_m2",
            "lifts",
            "in_shanty_plan",
            "in_expropriation_plan",
            "repairable",
            "dangerous_c",
            "dangerous_d",
            "property_management",
            "stage",
            "public_notes",
        )


class IdleLandSerializer(LayerSerializer):
    class Meta(LayerSerializer.Meta):
        model = models.IdleLand
        fields = (
            "code",
            "name",
            "kind",
            "owner",
            "tenure",
            "consent",
            "status",
            "area_m2",
        )


class VacantHousingSerializer(LayerSerializer):
    class Meta(LayerSerializer.Meta):
        model = models.VacantHousing
        fields = (
            "code",
            "name",
            "address",
            "floor_area_m2",
            "floors",
            "owner_kind",
            "status",
        )


class AmenitySerializer(LayerSerializer):
    category = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    tier = serializers.IntegerField(source="category.tier_minutes", read_only=True)

    class Meta(LayerSerializer.Meta):
        model = models.Amenity
        fields = (
            "code",
            "name",
            "category",
            "category_name",
            "tier",
            "capacity",
            "floor_area_m2",
        )


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
