"""Admin for every layer: django-leaflet map widgets, list filters, search, history."""

from django.contrib import admin
from leaflet.admin import LeafletGeoAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import CityAdminWrites

from . import models


class LayerAdmin(CityAdminWrites, LeafletGeoAdminMixin, SimpleHistoryAdmin):
    """Map widget for geometry fields (edited in 4326, stored in settings.SRID)."""

    readonly_fields = ("created_at", "updated_at")
    list_per_page = 50
    display_raw = False


@admin.register(models.District)
class DistrictAdmin(LayerAdmin):
    list_display = ("code", "name", "is_central", "updated_at")
    list_filter = ("is_central",)
    search_fields = ("code", "name")


@admin.register(models.Street)
class StreetAdmin(LayerAdmin):
    list_display = ("code", "name", "district", "updated_at")
    list_filter = ("district",)
    search_fields = ("code", "name")


class CommunityPhotoInline(CityAdminWrites, admin.TabularInline):
    model = models.CommunityPhoto
    extra = 0


@admin.register(models.Community)
class CommunityAdmin(LayerAdmin):
    list_display = (
        "code",
        "name",
        "district",
        "street",
        "completion_year",
        "housing_type",
        "households",
        "stage",
    )
    list_filter = (
        "district",
        "stage",
        "housing_type",
        "land_tenure",
        "property_management",
        "service_level",
        "owners_committee",
        "in_shanty_plan",
        "in_expropriation_plan",
        "repairable",
    )
    search_fields = ("code", "name", "address", "committee")
    list_select_related = ("district", "street")
    autocomplete_fields = ("street",)
    inlines = [CommunityPhotoInline]


@admin.register(models.IdleLand)
class IdleLandAdmin(LayerAdmin):
    list_display = ("code", "name", "kind", "area_m2", "consent", "status")
    list_filter = ("kind", "consent", "status", "tenure")
    search_fields = ("code", "name", "owner")
    readonly_fields = ("area_m2", "created_at", "updated_at")


@admin.register(models.SpecialWork)
class SpecialWorkAdmin(LayerAdmin):
    list_display = (
        "code",
        "name",
        "kind",
        "department",
        "start_year",
        "end_year",
        "status",
    )
    list_filter = ("kind", "status", "start_year")
    search_fields = ("code", "name", "department")


@admin.register(models.VacantHousing)
class VacantHousingAdmin(LayerAdmin):
    list_display = ("code", "name", "floor_area_m2", "owner_kind", "status")
    list_filter = ("owner_kind", "status")
    search_fields = ("code", "name", "address")


@admin.register(models.AmenityCategory)
class AmenityCategoryAdmin(CityAdminWrites, admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "tier_minutes",
        "required",
        "service_radius_m",
        "min_floor_area_m2",
        "min_site_area_m2",
        "verified",
    )
    list_filter = ("tier_minutes", "required", "verified")
    search_fields = ("code", "name", "source_clause")


@admin.register(models.Amenity)
class AmenityAdmin(LayerAdmin):
    list_display = ("code", "name", "category", "capacity", "source")
    list_filter = ("category__tier_minutes", "category", "source")
    search_fields = ("code", "name")
    list_select_related = ("category",)


@admin.register(models.WalkSegment)
class WalkSegmentAdmin(CityAdminWrites, LeafletGeoAdminMixin, admin.ModelAdmin):
    list_display = ("code", "kind", "name", "length_m", "is_barrier", "is_crossing")
    list_filter = ("kind", "is_barrier", "is_crossing")
    search_fields = ("code", "name")
    readonly_fields = ("length_m", "created_at", "updated_at")


@admin.register(models.PopulationRaster)
class PopulationRasterAdmin(CityAdminWrites, LeafletGeoAdminMixin, admin.ModelAdmin):
    list_display = ("name", "srid", "resolution_m", "width", "height", "total", "units")
    search_fields = ("name",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(models.LayerStamp)
class LayerStampAdmin(CityAdminWrites, admin.ModelAdmin):
    """Read-only: the rows are written by database triggers (layers/stamps.py)."""

    list_display = ("layer", "epoch", "version", "changed_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.MappingTemplate)
class MappingTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "layer", "created_by", "updated_at")
    list_filter = ("layer",)
    search_fields = ("name",)
    readonly_fields = ("created_at", "updated_at")
