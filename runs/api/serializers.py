"""An analysis run as every API shows it."""

from rest_framework import serializers

from runs.models import AnalysisRun


class AnalysisRunOutput(serializers.ModelSerializer):
    ruleset = serializers.CharField(source="ruleset.name", default=None)
    #: the status in the user's language (排队中 / Queued …)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = AnalysisRun
        fields = (
            "id",
            "kind",
            "status",
            "status_label",
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


class AnalysisRunStatusOutput(AnalysisRunOutput):
    """A run with what the page shows while it waits (``runs.status.RunStatus``)."""

    queue_position = serializers.IntegerField(allow_null=True, read_only=True)
    elapsed_s = serializers.FloatField(read_only=True)
    workers = serializers.IntegerField(allow_null=True, read_only=True)
    timeout_s = serializers.FloatField(read_only=True)
    cancellable = serializers.BooleanField(read_only=True)

    class Meta(AnalysisRunOutput.Meta):
        fields = (
            *AnalysisRunOutput.Meta.fields,
            "queue_position",
            "elapsed_s",
            "workers",
            "timeout_s",
            "cancellable",
        )

    @classmethod
    def of(cls, status) -> dict:
        data = cls(status.run).data
        data.update(
            queue_position=status.queue_position,
            elapsed_s=status.elapsed_s,
            workers=status.workers,
            timeout_s=status.timeout_s,
            cancellable=status.cancellable,
        )
        return data
