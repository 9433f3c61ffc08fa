"""Programme API serializers: input validation and the shapes of the answers."""

from rest_framework import serializers

from analysis.stages import STAGES
from layers.models import Community, District

from ..models import Project, ProjectItem, StageTransition, Vote, WorksItem


class ReasonSerializer(serializers.Serializer):
    clause = serializers.CharField()
    text_zh = serializers.CharField()
    text_en = serializers.CharField()


class EligibilitySerializer(serializers.Serializer):
    """二(一) decision of one community, line by line (public)."""

    community_code = serializers.CharField()
    community_name = serializers.CharField()
    status = serializers.CharField()
    eligible = serializers.BooleanField()
    reasons = ReasonSerializer(many=True)


class FigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    amount_yuan = serializers.DecimalField(max_digits=20, decimal_places=4)
    clause = serializers.CharField()
    rule = serializers.CharField()


class ItemSplitSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_zh = serializers.CharField()
    category = serializers.CharField()
    special_item = serializers.CharField(allow_null=True)
    basis = serializers.CharField()
    base_yuan = serializers.DecimalField(max_digits=20, decimal_places=2)
    shares = serializers.DictField(
        child=serializers.DecimalField(max_digits=20, decimal_places=2)
    )
    rule_id = serializers.CharField()
    city_subsidy_eligible = serializers.BooleanField()
    figures = FigureSerializer(many=True)


class FundingSerializer(serializers.Serializer):
    """三 funding split of one project: every figure with its clause and rule."""

    project_id = serializers.IntegerField()
    project_name = serializers.CharField()
    district_is_central = serializers.BooleanField()
    items = ItemSplitSerializer(many=True)
    totals = serializers.DictField(
        child=serializers.DecimalField(max_digits=20, decimal_places=2)
    )
    total_yuan = serializers.DecimalField(max_digits=20, decimal_places=2)
    city_subsidy_base_yuan = serializers.DecimalField(max_digits=20, decimal_places=2)
    city_subsidy_yuan = serializers.DecimalField(max_digits=20, decimal_places=2)
    city_subsidy_provisional = serializers.BooleanField()
    district_net_yuan = serializers.DecimalField(max_digits=20, decimal_places=2)
    rates_version = serializers.CharField()
    figures = FigureSerializer(many=True)
    reasons = ReasonSerializer(many=True)


class ProgressQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2020, max_value=2100)


class ProgressRowSerializer(serializers.Serializer):
    """一(二) aggregates of one district (or ``city``); no community is named."""

    district_code = serializers.CharField()
    target_communities = serializers.IntegerField(allow_null=True)
    renovated_communities = serializers.IntegerField(allow_null=True)
    communities_pct = serializers.FloatField(allow_null=True)
    target_households = serializers.IntegerField(allow_null=True)
    renovated_households = serializers.IntegerField(allow_null=True)
    dangerous_cleared = serializers.IntegerField(allow_null=True)
    dangerous_remaining = serializers.IntegerField(allow_null=True)
    lifts_installed = serializers.IntegerField(allow_null=True)
    facilities_added = serializers.IntegerField(allow_null=True)


class ProgressSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    clause = serializers.CharField()
    rows = ProgressRowSerializer(many=True)


class ProjectSerializer(serializers.ModelSerializer):
    """Staff view of a project; stages move only through ``advance``."""

    community = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Community.objects.all(),
        required=False,
        allow_null=True,
    )
    district = serializers.SlugRelatedField(
        slug_field="code", queryset=District.objects.all(), required=False
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "community",
            "block_code",
            "district",
            "year",
            "stage",
            "reserve_sub_status",
            "area_project",
            "plan_design",
            "funding_plan",
            "long_term_management",
            "documents",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "stage",
            "reserve_sub_status",
            "documents",
            "created_at",
            "updated_at",
        ]


class ProjectUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = [
            "name",
            "block_code",
            "area_project",
            "plan_design",
            "funding_plan",
            "long_term_management",
        ]


class ProjectItemSerializer(serializers.ModelSerializer):
    works_item = serializers.SlugRelatedField(
        slug_field="code", queryset=WorksItem.objects.all()
    )
    name_zh = serializers.CharField(source="works_item.name_zh", read_only=True)
    category = serializers.CharField(source="works_item.category", read_only=True)
    unit_cost = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    budget = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True
    )

    class Meta:
        model = ProjectItem
        fields = [
            "id",
            "works_item",
            "name_zh",
            "category",
            "quantity",
            "unit_cost",
            "budget",
            "final_account",
            "owners_share",
            "government_share",
        ]
        read_only_fields = ["id"]
        # Range checks live in the service so API and admin refuse alike.
        extra_kwargs = {
            "quantity": {"validators": []},
            "final_account": {"validators": []},
            "owners_share": {"validators": []},
            "government_share": {"validators": []},
        }


class VoteSerializer(serializers.ModelSerializer):
    """Aggregates of an owners' vote on one matter; household votes are never taken.

    The majority and the clause are derived from the matter and the law in force.
    """

    class Meta:
        model = Vote
        fields = [
            "id",
            "kind",
            "matter",
            "majority",
            "clause",
            "total_owners",
            "total_area_m2",
            "participants_owners",
            "participants_area_m2",
            "consent_owners",
            "consent_area_m2",
            "held_on",
            "passed",
            "law",
            "ratios",
            "reasons",
        ]
        read_only_fields = [
            "id",
            "majority",
            "clause",
            "passed",
            "law",
            "ratios",
            "reasons",
        ]
        extra_kwargs = {
            **{
                f: {"validators": []}
                for f in (
                    "total_owners",
                    "participants_owners",
                    "consent_owners",
                )
            },
            # the will vote's matter is fixed; a plan vote names one of the plan's
            "matter": {"required": False, "allow_blank": True},
        }


class AdvanceSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=STAGES)
    why = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.DictField(required=False, default=dict)


class TransitionSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.get_username", default=None, read_only=True)

    class Meta:
        model = StageTransition
        fields = [
            "id",
            "from_stage",
            "to_stage",
            "sub_status",
            "public_stage",
            "by",
            "at",
            "why",
            "evidence",
            "reasons",
        ]
