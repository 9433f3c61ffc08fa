"""Input serializers of the life-circle API (runs are shown by :mod:`runs.api`)."""

from rest_framework import serializers

from analysis.network import MIN_COMPONENT_NODES


class LifeCircleRunInput(serializers.Serializer):
    ruleset = serializers.CharField(required=False, allow_blank=True, max_length=128)
    district = serializers.CharField(required=False, allow_blank=True, max_length=64)
    strict = serializers.BooleanField(default=False)
    profile = serializers.ChoiceField(choices=["adult", "elderly"], required=False)
    snap_limit_m = serializers.FloatField(default=150.0, min_value=1, max_value=1000)
    min_component_nodes = serializers.IntegerField(
        default=MIN_COMPONENT_NODES, min_value=1, max_value=100_000
    )
    capacity = serializers.BooleanField(default=True)


class FacilityInput(serializers.Serializer):
    category = serializers.CharField(max_length=64)
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    code = serializers.CharField(required=False, max_length=64)
    capacity = serializers.IntegerField(required=False, min_value=0, max_value=100000)
    floor_area_m2 = serializers.FloatField(
        required=False, min_value=0, max_value=1_000_000
    )


class WhatIfInput(serializers.Serializer):
    facilities = FacilityInput(many=True, required=False, default=list)
    idle_land = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        max_length=200,
    )
    vacant_housing = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        max_length=200,
    )
    category = serializers.CharField(required=False, allow_blank=True, max_length=64)

    def validate_facilities(self, value):
        if len(value) > 200:
            raise serializers.ValidationError("at most 200 facilities per what-if")
        return value
