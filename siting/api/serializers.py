"""Input and output shapes of the siting API."""

from rest_framework import serializers

from accounts.drf import PrivateFieldsMixin
from runs.models import AnalysisRun
from siting.models import SitingScenario


class SitingRunInput(serializers.Serializer):
    category = serializers.CharField(required=False, allow_blank=False)
    categories = serializers.ListField(
        child=serializers.CharField(), required=False, allow_empty=False, max_length=20
    )
    tier = serializers.IntegerField(required=False, allow_null=True)
    k = serializers.IntegerField(required=False, default=5)
    method = serializers.ChoiceField(
        choices=["both", "greedy", "exact"], required=False, default="both"
    )
    kinds = serializers.ListField(
        child=serializers.CharField(), required=False, allow_null=True
    )
    districts = serializers.ListField(
        child=serializers.CharField(), required=False, allow_null=True
    )
    min_area_m2 = serializers.FloatField(required=False, allow_null=True, min_value=0)
    consent_scope = serializers.ChoiceField(
        choices=["granted", "pending", "all"], required=False, default="granted"
    )
    lifecircle_run = serializers.IntegerField(required=False, allow_null=True)
    embedded = serializers.BooleanField(required=False, default=False)
    embedded_bonus = serializers.FloatField(
        required=False, allow_null=True, min_value=0
    )
    time_limit_s = serializers.FloatField(
        required=False, default=30.0, min_value=0.1, max_value=600
    )
    gaps = serializers.ChoiceField(
        choices=["distance", "capacity"], required=False, default="distance"
    )
    #: residents per space of parking shortage removed (0: parking not weighed)
    parking_weight = serializers.FloatField(
        required=False, default=0.0, min_value=0, max_value=100
    )

    def validate(self, attrs):
        if not attrs.get("category") and not attrs.get("categories"):
            raise serializers.ValidationError("give a category (or categories)")
        if attrs.get("category") and attrs.get("categories"):
            raise serializers.ValidationError("give category or categories, not both")
        return attrs


class SitingRunOutput(serializers.ModelSerializer):
    class Meta:
        model = AnalysisRun
        fields = [
            "id",
            "kind",
            "status",
            "parameters",
            "ruleset_version",
            "data_time",
            "engine",
            "duration_s",
            "summary",
            "error",
            "created_at",
            "finished_at",
        ]


class ScenarioInput(serializers.Serializer):
    run = serializers.IntegerField()
    method = serializers.ChoiceField(choices=["greedy", "exact"], default="exact")
    name = serializers.CharField(required=False, allow_blank=True, max_length=128)
    notes = serializers.CharField(required=False, allow_blank=True)


class ScenarioOutput(PrivateFieldsMixin, serializers.ModelSerializer):
    created_by = serializers.StringRelatedField()

    class Meta:
        model = SitingScenario
        fields = [
            "id",
            "name",
            "run",
            "method",
            "chosen",
            "notes",
            "created_by",
            "created_at",
        ]
        private_fields = ("notes", "created_by")


class WhatIfSiteInput(serializers.Serializer):
    category = serializers.CharField(max_length=64)
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    capacity = serializers.FloatField(required=False, allow_null=True, min_value=0)


class WhatIfScenarioInput(serializers.Serializer):
    lifecircle_run = serializers.IntegerField()
    sites = serializers.ListField(
        child=WhatIfSiteInput(), allow_empty=False, max_length=50
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=128)


class WhatIfScenarioOutput(PrivateFieldsMixin, serializers.ModelSerializer):
    created_by = serializers.StringRelatedField()

    class Meta:
        model = SitingScenario
        fields = [
            "id",
            "name",
            "lifecircle_run",
            "sites",
            "district_code",
            "created_by",
            "created_at",
        ]
        private_fields = ("created_by",)
