"""Admin: rule sets (editable, versioned with history), population shares and run results."""

from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import CityAdminWrites

from . import models


class FacilityRuleInline(CityAdminWrites, admin.TabularInline):
    model = models.FacilityRule
    extra = 0
    autocomplete_fields = ("category",)


@admin.register(models.RuleSet)
class RuleSetAdmin(CityAdminWrites, SimpleHistoryAdmin):
    list_display = (
        "name",
        "version",
        "is_default",
        "distance_5_m",
        "distance_10_m",
        "distance_15_m",
        "updated_at",
    )
    list_filter = ("is_default",)
    search_fields = ("name", "description")
    readonly_fields = ("version", "created_at", "updated_at")
    inlines = [FacilityRuleInline]

    def save_related(self, request, form, formsets, change):
        """Every saved edit of a rule set or its rules is a new version."""
        super().save_related(request, form, formsets, change)
        if change and (form.has_changed() or any(fs.has_changed() for fs in formsets)):
            with transaction.atomic():
                rs = form.instance
                rs.version += 1
                rs._change_reason = "admin edit"
                rs.save(update_fields=["version", "updated_at"])


@admin.register(models.FacilityRule)
class FacilityRuleAdmin(CityAdminWrites, SimpleHistoryAdmin):
    list_display = (
        "ruleset",
        "category",
        "tier_minutes",
        "required",
        "service_radius_m",
        "min_floor_area_m2",
        "min_site_area_m2",
        "verified",
    )
    list_filter = ("ruleset", "tier_minutes", "required", "verified")
    search_fields = ("category__code", "category__name", "source_clause")


@admin.register(models.CoverageResult)
class CoverageResultAdmin(CityAdminWrites, admin.ModelAdmin):
    list_display = ("run", "community", "residents", "score", "reachable")
    list_filter = ("run", "reachable")
    search_fields = ("community__name", "community__code")
    list_select_related = ("run", "community")
    raw_id_fields = ("run", "community")


@admin.register(models.PopulationShares)
class PopulationSharesAdmin(CityAdminWrites, SimpleHistoryAdmin):
    list_display = ("version_id", "effective_from", "effective_to")
    search_fields = ("version_id", "source")


@admin.register(models.ParkingRatios)
class ParkingRatiosAdmin(CityAdminWrites, SimpleHistoryAdmin):
    list_display = ("version_id", "effective_from", "effective_to")
    search_fields = ("version_id", "source")


@admin.register(models.FacilitySupply)
class FacilitySupplyAdmin(CityAdminWrites, admin.ModelAdmin):
    list_display = ("run", "amenity_code", "category", "supply", "unit", "basis")
    list_filter = ("category", "basis")
    search_fields = ("amenity_code",)
    raw_id_fields = ("run",)
    readonly_fields = [f.name for f in models.FacilitySupply._meta.fields]
