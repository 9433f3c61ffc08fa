"""Admin of barriers and renovation blocks (history through django-simple-history)."""

from django.contrib.gis import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import CityAdminWrites

from .models import Barrier, BlockMembership, RenovationBlock


@admin.register(Barrier)
class BarrierAdmin(CityAdminWrites, SimpleHistoryAdmin, admin.GISModelAdmin):
    list_display = ("code", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name")


class MembershipInline(CityAdminWrites, admin.TabularInline):
    model = BlockMembership
    extra = 0
    raw_id_fields = ("community",)
    readonly_fields = ("active",)


@admin.register(RenovationBlock)
class RenovationBlockAdmin(CityAdminWrites, SimpleHistoryAdmin, admin.GISModelAdmin):
    """Read-mostly: membership edits go through the services (contiguity checks)."""

    list_display = (
        "code",
        "name",
        "run",
        "n_communities",
        "households",
        "status",
        "locked",
        "is_active",
    )
    list_filter = ("status", "locked", "is_active")
    search_fields = ("code", "name", "group_code")
    inlines = [MembershipInline]
    readonly_fields = (
        "run",
        "member_codes",
        "n_communities",
        "households",
        "residents",
        "floor_area_m2",
        "completion_year_min",
        "completion_year_max",
        "dangerous_buildings",
        "gaps_all",
        "gaps_most",
        "idle_land",
        "vacant_housing",
        "cost_estimate_yuan",
        "cost_basis",
        "status",
        "locked",
        "is_active",
    )

    def has_add_permission(self, request):
        return False
