"""Read-mostly admin for siting results and scenarios."""

from django.contrib import admin

from accounts.admin import CityAdminWrites

from .models import SitingCandidateResult, SitingScenario


@admin.register(SitingCandidateResult)
class SitingCandidateResultAdmin(CityAdminWrites, admin.ModelAdmin):
    list_display = (
        "run",
        "category",
        "rank",
        "candidate_kind",
        "candidate_code",
        "name",
        "gain_residents",
        "gain_communities",
        "chosen_greedy",
        "chosen_exact",
    )
    list_filter = ("category", "candidate_kind", "chosen_greedy", "chosen_exact")
    search_fields = ("candidate_code", "name")
    raw_id_fields = ("run",)

    def has_add_permission(self, request):
        return False


@admin.register(SitingScenario)
class SitingScenarioAdmin(CityAdminWrites, admin.ModelAdmin):
    list_display = (
        "name",
        "run",
        "lifecircle_run",
        "method",
        "district_code",
        "created_by",
        "created_at",
    )
    list_filter = ("method",)
    search_fields = ("name", "notes")
    raw_id_fields = ("run", "lifecircle_run")
    readonly_fields = ("created_by", "created_at")
