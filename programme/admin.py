"""Admin for the programme records (list filters, search); writes of rules stay in services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import CityAdminWrites

from . import models


@admin.register(models.DataVersion)
class DataVersionAdmin(CityAdminWrites, SimpleHistoryAdmin):
    list_display = ["kind", "version_id", "effective_from", "effective_to"]
    list_filter = ["kind"]
    search_fields = ["version_id", "source"]


@admin.register(models.WorksItem)
class WorksItemAdmin(CityAdminWrites, SimpleHistoryAdmin):
    list_display = [
        "code",
        "name_zh",
        "category",
        "unit_zh",
        "unit_cost",
        "owners_copay",
        "special_item",
        "area_project_only",
    ]
    list_filter = ["category", "owners_copay", "special_item", "area_project_only"]
    search_fields = ["code", "name_zh", "name_en"]


class ProjectItemInline(CityAdminWrites, admin.TabularInline):
    model = models.ProjectItem
    extra = 0


@admin.register(models.Project)
class ProjectAdmin(CityAdminWrites, SimpleHistoryAdmin):
    list_display = ["name", "community", "block_code", "district", "year", "stage"]
    list_filter = ["stage", "reserve_sub_status", "year", "district", "area_project"]
    search_fields = ["name", "block_code", "community__name", "community__code"]
    raw_id_fields = ["community"]
    # Stages move only through services.project_advance, which records the step.
    readonly_fields = ["stage", "reserve_sub_status", "created_by", "created_at"]
    inlines = [ProjectItemInline]


@admin.register(models.ProjectItem)
class ProjectItemAdmin(CityAdminWrites, SimpleHistoryAdmin):
    list_display = ["project", "works_item", "quantity", "budget", "final_account"]
    list_filter = ["works_item__category"]
    search_fields = ["project__name", "works_item__code", "works_item__name_zh"]


@admin.register(models.Vote)
class VoteAdmin(CityAdminWrites, admin.ModelAdmin):
    list_display = ["project", "kind", "matter", "held_on", "passed", "law"]
    list_filter = ["kind", "matter", "passed", "law"]
    search_fields = ["project__name"]
    readonly_fields = ["passed", "law", "ratios", "reasons", "recorded_by"]


@admin.register(models.StageTransition)
class StageTransitionAdmin(CityAdminWrites, admin.ModelAdmin):
    list_display = ["project", "from_stage", "to_stage", "public_stage", "by", "at"]
    list_filter = ["to_stage", "public_stage"]
    search_fields = ["project__name", "why"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.ReserveEntry)
class ReserveEntryAdmin(CityAdminWrites, SimpleHistoryAdmin):
    list_display = ["project", "district", "year", "total", "rank", "computed_at"]
    list_filter = ["district", "year", "rules_version"]
    search_fields = ["project__name"]


@admin.register(models.AnnualPlan)
class AnnualPlanAdmin(CityAdminWrites, SimpleHistoryAdmin):
    list_display = ["district", "year", "locked", "reopened", "reopened_by"]
    list_filter = ["locked", "reopened", "year", "district"]
    search_fields = ["district__name", "reopened_why"]
    filter_horizontal = ["projects"]


@admin.register(models.PublicRevenue)
class PublicRevenueAdmin(CityAdminWrites, SimpleHistoryAdmin):
    list_display = ["community", "year", "kind", "amount", "moved_to_fund", "published"]
    list_filter = ["kind", "year", "moved_to_fund", "published"]
    search_fields = ["community__name", "community__code"]
    raw_id_fields = ["community"]
