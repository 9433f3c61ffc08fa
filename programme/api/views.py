"""Programme API: parse, call one selector or service, serialise (STYLE §4.2 rule 6).

Public: eligibility of a community, funding split of a project, programme
progress (JSON and XLSX). Staff only: project CRUD and its actions.
A service's ``ValidationError`` becomes a 400 with its message, never a 500.
"""

import dataclasses

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import scope, selectors, services
from . import serializers as s

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CommunityEligibilityView(APIView):
    """二(一): is the community in scope of the programme? Reasons line by line."""

    @extend_schema(responses=s.EligibilitySerializer)
    def get(self, request, code: str):
        community = selectors.community_get(code=code)
        decision = scope.community_eligibility(community=community)
        data = {
            "community_code": community.code,
            "community_name": community.name,
            "status": decision.status,
            "eligible": decision.eligible,
            "reasons": [dataclasses.asdict(r) for r in decision.reasons],
        }
        return Response(s.EligibilitySerializer(data).data)


def funding_payload(project, breakdown) -> dict:
    central, _ = services.district_is_central(
        district=project.district, on=timezone.localdate()
    )
    data = dataclasses.asdict(breakdown)
    data.update(
        project_id=project.pk, project_name=project.name, district_is_central=central
    )
    return data


class ProjectFundingView(APIView):
    """三: who pays for the project, item by item, every figure with clause and rule.

    Public from the annual plan on; before that (a draft) only for signed-in users.
    """

    @extend_schema(responses=s.FundingSerializer)
    def get(self, request, pk: int):
        project = selectors.project_get_for_funding(project_id=pk, user=request.user)
        breakdown = services.project_funding(project=project)
        return Response(s.FundingSerializer(funding_payload(project, breakdown)).data)


YEAR_PARAM = OpenApiParameter("year", OpenApiTypes.INT, required=True)


class ProgressView(APIView):
    """一(二): programme progress per district and city-wide (aggregates only)."""

    @extend_schema(parameters=[YEAR_PARAM], responses=s.ProgressSerializer)
    def get(self, request):
        query = s.ProgressQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data["year"]
        frame = services.programme_progress_report(year=year)
        data = {
            "year": year,
            "clause": "一(二)",
            "rows": services.progress_records(frame),
        }
        return Response(s.ProgressSerializer(data).data)


class ProgressXlsxView(APIView):
    """一(二): the progress table as an XLSX workbook."""

    @extend_schema(
        parameters=[YEAR_PARAM],
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request):
        query = s.ProgressQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data["year"]
        body = services.programme_progress_xlsx(year=year)
        response = HttpResponse(body, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="progress-{year}.xlsx"'
        return response


class ProjectViewSet(viewsets.ModelViewSet):
    """Renovation projects (staff): create, edit, delete, advance, votes, items."""

    serializer_class = s.ProjectSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.project_list()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.project_create(
            user=self.request.user,
            name=data["name"],
            year=data["year"],
            community=data.get("community"),
            block_code=data.get("block_code", ""),
            district=data.get("district"),
            area_project=data.get("area_project", False),
        )

    @extend_schema(request=s.ProjectUpdateSerializer, responses=s.ProjectSerializer)
    def partial_update(self, request, pk=None):
        project = self.get_object()
        form = s.ProjectUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        project = services.project_update(
            user=request.user, project=project, **form.validated_data
        )
        return Response(s.ProjectSerializer(project).data)

    def perform_destroy(self, instance):
        services.project_delete(user=self.request.user, project=instance)

    @extend_schema(request=s.AdvanceSerializer, responses=s.TransitionSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        project = self.get_object()
        form = s.AdvanceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        record = services.project_advance(
            user=request.user, project=project, **form.validated_data
        )
        return Response(s.TransitionSerializer(record).data)

    @extend_schema(responses=s.TransitionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def transitions(self, request, pk=None):
        rows = selectors.transition_list(project=self.get_object())
        return Response(s.TransitionSerializer(rows, many=True).data)

    @extend_schema(request=s.VoteSerializer, responses=s.VoteSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def votes(self, request, pk=None):
        project = self.get_object()
        if request.method == "GET":
            rows = selectors.vote_list(project=project)
            return Response(s.VoteSerializer(rows, many=True).data)
        form = s.VoteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        vote = services.vote_record(
            user=request.user, project=project, **form.validated_data
        )
        return Response(s.VoteSerializer(vote).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ProjectItemSerializer, responses=s.ProjectItemSerializer(many=True)
    )
    @action(detail=True, methods=["get", "post"])
    def items(self, request, pk=None):
        project = self.get_object()
        if request.method == "GET":
            rows = selectors.project_item_list(project=project)
            return Response(s.ProjectItemSerializer(rows, many=True).data)
        form = s.ProjectItemSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        item = services.project_item_add(
            user=request.user, project=project, **form.validated_data
        )
        return Response(
            s.ProjectItemSerializer(item).data, status=status.HTTP_201_CREATED
        )


class SpecialWorkConflictsView(APIView):
    """四(四)2: the projects in conflict with special works and those works, as GeoJSON
    (EPSG:4326) for the planner map; the user's district (city admins: all)."""

    @extend_schema(responses={(200, "application/geo+json"): OpenApiTypes.OBJECT})
    def get(self, request):
        return Response(services.conflicts_features(user=request.user))
