"""Serializers of the blocks API: GeoJSON blocks (EPSG:4326), block detail, runs, actions."""

from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from accounts.drf import PrivateFieldsMixin
from analysis.bundling import DEFAULT_MAX_HOUSEHOLDS, DEFAULT_MIN_HOUSEHOLDS
from runs.models import AnalysisRun

from ..models import RenovationBlock

BLOCK_FIELDS = (
    "code",
    "name",
    "run",
    "group_code",
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
    "below_floor",
    "status",
    "locked",
    "is_active",
)


#: shown to roles that see private columns only: the cost of draft works and who
#: changed the block, why
PRIVATE_FIELDS = ("cost_estimate_yuan", "cost_basis", "history")


class BlockFeatureSerializer(PrivateFieldsMixin, GeoFeatureModelSerializer):
    """One block as a GeoJSON feature; the selector's ``api_geom`` is the outline in 4326."""

    # named after the model field so drf-spectacular documents it as a geometry
    geom = GeometryField(source="api_geom", read_only=True, precision=7)
    #: the active members' names, in the order of ``member_codes`` (the selector's
    #: ``member_names``)
    member_names = serializers.SerializerMethodField()

    class Meta:
        model = RenovationBlock
        geo_field = "geom"
        id_field = False
        fields = (*BLOCK_FIELDS, "member_names", "geom")
        private_fields = PRIVATE_FIELDS

    def get_member_names(self, obj) -> list[str]:
        return list(getattr(obj, "member_names", None) or [])


class BlockDetailSerializer(PrivateFieldsMixin, serializers.ModelSerializer):
    members = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta:
        model = RenovationBlock
        fields = (*BLOCK_FIELDS, "cost_basis", "members", "history", "updated_at")
        private_fields = PRIVATE_FIELDS

    def get_members(self, obj):
        return list(
            obj.members.filter(block_memberships__active=True)
            .order_by("code")
            .values("code", "name", "households", "completion_year")
        )

    def get_history(self, obj):
        return [
            {
                "when": h.history_date.isoformat(),
                "who": h.history_user.get_username() if h.history_user else None,
                "why": h.history_change_reason,
                "status": h.status,
                "locked": h.locked,
                "member_codes": h.member_codes,
            }
            for h in obj.history.select_related("history_user").order_by(
                "-history_date"
            )[:50]
        ]


class RunSerializer(serializers.ModelSerializer):
    blocks_geojson = serializers.SerializerMethodField()

    class Meta:
        model = AnalysisRun
        fields = (
            "id",
            "kind",
            "status",
            "parameters",
            "summary",
            "error",
            "engine",
            "duration_s",
            "created_at",
            "finished_at",
            "blocks_geojson",
        )

    def get_blocks_geojson(self, obj):
        return f"/api/blocks/runs/{obj.pk}/blocks.geojson"


class RunRequestSerializer(serializers.Serializer):
    district = serializers.CharField(required=False, allow_null=True, default=None)
    street = serializers.CharField(required=False, allow_null=True, default=None)
    selected = serializers.JSONField(required=False, default=None)
    group_by = serializers.ChoiceField(["street", "district"], default="street")
    gap_m = serializers.FloatField(default=30.0, min_value=0, max_value=500)
    min_households = serializers.FloatField(default=DEFAULT_MIN_HOUSEHOLDS, min_value=0)
    max_households = serializers.FloatField(default=DEFAULT_MAX_HOUSEHOLDS, min_value=0)
    min_communities = serializers.IntegerField(default=2, min_value=1)
    max_communities = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1
    )
    use_barriers = serializers.BooleanField(default=True)
    barrier_road_class = serializers.CharField(
        required=False, allow_null=True, default=None
    )
    use_gaps = serializers.BooleanField(default=True)
    seed = serializers.IntegerField(default=0)

    def validate_selected(self, value):
        if value in (None, "all"):
            return None
        if value == "eligible":
            return value
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        msg = 'selected must be null, "all", "eligible" or a list of community codes'
        raise serializers.ValidationError(msg)


class WhySerializer(serializers.Serializer):
    why = serializers.CharField(required=False, allow_blank=True, default="")


class SplitSerializer(WhySerializer):
    codes = serializers.ListField(child=serializers.CharField(), allow_empty=False)
    name = serializers.CharField(required=False, allow_blank=True, default="")


class MoveSerializer(WhySerializer):
    community = serializers.CharField()


class MergeSerializer(WhySerializer):
    other = serializers.CharField()
