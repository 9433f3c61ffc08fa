"""Public serializers: plain ``Serializer`` classes whose declared fields are the allowlist.

They serialize dicts already restricted by :mod:`public.selectors`; a key the selector
might add by mistake is dropped here (second line of defence) and the schema documents
exactly what is public.
"""

from rest_framework import serializers

from layers.models import Stage


class DistrictSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CommunityPropertiesSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    district = serializers.CharField()
    completion_year = serializers.IntegerField()
    households = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=Stage.choices)


class _Feature(serializers.Serializer):
    type = serializers.CharField(default="Feature")
    id = serializers.CharField()
    geometry = serializers.JSONField(help_text="GeoJSON geometry, EPSG:4326")


class CommunityFeatureSerializer(_Feature):
    properties = CommunityPropertiesSerializer()


class DistrictFeatureSerializer(_Feature):
    properties = DistrictSerializer()


class CommunityFeatureCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(default="FeatureCollection")
    features = CommunityFeatureSerializer(many=True)


class DistrictFeatureCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(default="FeatureCollection")
    features = DistrictFeatureSerializer(many=True)


class HistoryEntrySerializer(serializers.Serializer):
    date = serializers.CharField()
    stage = serializers.CharField()


class PhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    caption = serializers.CharField(allow_blank=True)
    taken_on = serializers.CharField(allow_null=True)
    url = serializers.CharField()


class CoverageSnapshotSerializer(serializers.Serializer):
    date = serializers.CharField(allow_null=True)
    score = serializers.FloatField()
    missing = serializers.ListField(child=serializers.CharField())
    tiers_met = serializers.JSONField()


class CoverageSerializer(serializers.Serializer):
    before = CoverageSnapshotSerializer(allow_null=True)
    after = CoverageSnapshotSerializer(allow_null=True)
    #: when the works started (the "before" run is the last one before it), or null
    started = serializers.CharField(allow_null=True)


class VoteAggregateSerializer(serializers.Serializer):
    kind = serializers.CharField()
    held_on = serializers.CharField()
    passed = serializers.BooleanField()
    participation_ratio = serializers.FloatField(required=False)
    consent_ratio = serializers.FloatField(required=False)


class CommunityCardSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    district = serializers.CharField()
    district_name = serializers.CharField()
    street_name = serializers.CharField(allow_null=True)
    completion_year = serializers.IntegerField()
    households = serializers.IntegerField()
    buildings = serializers.IntegerField()
    lifts = serializers.IntegerField()
    stage = serializers.CharField()
    public_notes = serializers.CharField(allow_blank=True)
    history = HistoryEntrySerializer(many=True)
    photos = PhotoSerializer(many=True)
    coverage = CoverageSerializer()
    works = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    votes = VoteAggregateSerializer(many=True, required=False)


class SearchResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    district_name = serializers.CharField()
    stage = serializers.CharField()
    lon = serializers.FloatField()
    lat = serializers.FloatField()
