"""Admin of barriers and renovation blocks (history through django-simple-history).

Map widgets from django-leaflet, as for every layer: served by the app, and their inline
scripts carry the Content-Security-Policy nonce (GISModelAdmin's OpenLayers widget loads
its library from a CDN and runs un-nonced inline script, which the policy refuses).
"""

from django.contrib.gis import admin
from leaflet.admin import LeafletGeoAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import CityAdminWrites

from .models import Barrier, BlockMembership, RenovationBlock


@admin.register(Barrier)
class BarrierAdmin(CityAdminWrites, LeafletGeoAdminMixin, SimpleHistoryAdmin):
    list_display = ("code", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name")


class MembershipInline(CityAdminWrites, admin.TabularInline):
    model = BlockMembership
    extra = 0
    raw_id_fields = ("community",)
    readonly_fields = ("active",)


@admin.register(RenovationBlock)
class RenovationBlockAdmin(CityAdminWrites, LeafletGeoAdminMixin, SimpleHistoryAdmin):
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
