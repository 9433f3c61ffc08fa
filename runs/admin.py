"""Admin: analysis runs (read-only records)."""

from django.contrib import admin

from accounts.admin import CityAdminWrites

from . import models


@admin.register(models.AnalysisRun)
class AnalysisRunAdmin(CityAdminWrites, admin.ModelAdmin):
    list_display = (
        "id",
        "kind",
        "status",
        "progress",
        "ruleset",
        "ruleset_version",
        "duration_s",
        "created_by",
        "created_at",
    )
    list_filter = ("kind", "status")
    search_fields = ("id", "engine", "error")
    readonly_fields = [f.name for f in models.AnalysisRun._meta.fields]
