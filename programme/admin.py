"""Admin for the programme records (list filters, search).

The admin edits reference data (data versions, the works catalogue) and descriptive
fields. The process fields — stages, votes' results, reserve scores, the annual plan's
``locked``/``reopened``/``projects``, recorded scope decisions, public revenue moved
to the fund — change only through :mod:`programme.services` (the planner pages), which
check the rules and record who and why: they are read-only here.
"""

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
    readonly_fields = [
        "stage",
        "reserve_sub_status",
        "documents",
        "created_by",
        "created_at",
    ]
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


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Records written by the services only: listed and shown, never edited here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.ReserveEntry)
class ReserveEntryAdmin(ReadOnlyAdmin):
    list_display = ["project", "district", "year", "total", "rank", "computed_at"]
    list_filter = ["district", "year", "rules_version"]
    search_fields = ["project__name"]


class AnnualPlanEntryInline(admin.TabularInline):
    model = models.AnnualPlanEntry
    extra = 0
    fields = ["project", "added_at", "added_by", "fixed_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.AnnualPlan)
class AnnualPlanAdmin(CityAdminWrites, SimpleHistoryAdmin):
    list_display = ["district", "year", "locked", "reopened", "reopened_by"]
    list_filter = ["locked", "reopened", "year", "district"]
    search_fields = ["district__name", "reopened_why"]
    # fixed by 31 October and reopened with a reason through the services only
    readonly_fields = [
        "district",
        "year",
        "locked",
        "fixed_at",
        "fixed_by",
        "reopened",
        "reopened_at",
        "reopened_by",
        "reopened_why",
    ]
    inlines = [AnnualPlanEntryInline]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.AnnualPlanEntry)
class AnnualPlanEntryAdmin(ReadOnlyAdmin):
    list_display = ["plan", "project", "added_at", "added_by", "fixed_at"]
    list_filter = ["plan__year", "plan__district"]
    search_fields = ["project__name", "plan__district__name"]


@admin.register(models.ScopeDecision)
class ScopeDecisionAdmin(ReadOnlyAdmin):
    list_display = ["community", "kind", "decided_by", "decided_at"]
    list_filter = ["kind"]
    search_fields = ["community__name", "community__code", "reason"]


@admin.register(models.PublicRevenue)
class PublicRevenueAdmin(CityAdminWrites, SimpleHistoryAdmin):
    list_display = ["community", "year", "kind", "amount", "moved_to_fund", "published"]
    list_filter = ["kind", "year", "moved_to_fund", "published"]
    search_fields = ["community__name", "community__code"]
    raw_id_fields = ["community"]
    # moved into the maintenance fund (and published) by the service only (五(四))
    readonly_fields = ["moved_to_fund", "moved_at", "published"]


@admin.register(models.ProjectUtility)
class ProjectUtilityAdmin(CityAdminWrites, SimpleHistoryAdmin):
    """Utilities of a project; the project page checks the shares (≤ 100 %) on save and
    shows a project whose shares were edited beyond that here."""

    list_display = [
        "project",
        "utility",
        "cost_share",
        "amount",
        "handover_date",
        "maintains_after_acceptance",
    ]
    list_filter = ["utility", "maintains_after_acceptance"]
    search_fields = ["project__name", "note"]
    raw_id_fields = ["project"]


@admin.register(models.FundingSource)
class FundingSourceAdmin(CityAdminWrites, SimpleHistoryAdmin):
    """Money by source and year; the project page reconciles it with the split."""

    list_display = ["project", "year", "source", "amount"]
    list_filter = ["source", "year", "project__district"]
    search_fields = ["project__name", "note"]
    raw_id_fields = ["project"]
