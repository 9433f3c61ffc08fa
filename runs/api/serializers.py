"""An analysis run as every API shows it."""

from rest_framework import serializers

from runs.models import AnalysisRun


class AnalysisRunOutput(serializers.ModelSerializer):
    ruleset = serializers.CharField(source="ruleset.name", default=None)

    class Meta:
        model = AnalysisRun
        fields = (
            "id",
            "kind",
            "status",
            "progress",
            "parameters",
            "ruleset",
            "ruleset_version",
            "data_time",
            "engine",
            "duration_s",
            "created_at",
            "finished_at",
            "error",
            "summary",
        )
