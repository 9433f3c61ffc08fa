"""Siting API: parse, call one service, serialise. Runs go through the queue.

Who may call what: ``accounts/policy.py``; bad input (a service ``ValueError``) becomes
a 400 with its message (``accounts.errors.exception_handler``), never a 500.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.drf import ctx
from accounts.permissions import actor_of
from layers import geojson
from runs.models import AnalysisRun
from runs.queue import analysis_run_enqueue
from siting import services
from siting.models import SitingScenario

from . import serializers as s


def _run(pk: int) -> AnalysisRun:
    try:
        return services.siting_run_get(pk)
    except AnalysisRun.DoesNotExist:
        raise NotFound(f"no siting run {pk}") from None


def _scenario(pk: int) -> SitingScenario:
    try:
        return (
            SitingScenario.objects.select_related("run")
            .exclude(method=SitingScenario.Method.WHATIF)
            .get(pk=pk)
        )
    except SitingScenario.DoesNotExist:
        raise NotFound(f"no siting scenario {pk}") from None


class SitingRuns(APIView):
    @extend_schema(responses=s.SitingRunOutput(many=True))
    def get(self, request):
        data = s.SitingRunOutput(services.siting_run_list(), many=True).data
        for row in data:
            row.pop("summary", None)
        return Response(data)

    @extend_schema(request=s.SitingRunInput, responses={202: s.SitingRunOutput})
    def post(self, request):
        """Queue a siting run (202); poll ``/api/runs/<id>/``."""
        inp = s.SitingRunInput(data=request.data)
        inp.is_valid(raise_exception=True)
        run = analysis_run_enqueue(
            kind=AnalysisRun.Kind.SITING,
            parameters=inp.validated_data,
            user=request.user,
        )
        return Response(s.SitingRunOutput(run).data, status=status.HTTP_202_ACCEPTED)


class SitingRunDetail(APIView):
    @extend_schema(responses=s.SitingRunOutput)
    def get(self, request, pk: int):
        return Response(s.SitingRunOutput(_run(pk)).data)


CANDIDATE_PARAMS = [
    OpenApiParameter("category", OpenApiTypes.STR),
    OpenApiParameter("chosen", OpenApiTypes.STR, enum=["greedy", "exact"]),
    OpenApiParameter("limit", OpenApiTypes.INT),
]


class SitingCandidates(APIView):
    """Ranked candidates with gains, chosen flags and served communities (EPSG:4326)."""

    @extend_schema(parameters=CANDIDATE_PARAMS, responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        limit = request.query_params.get("limit")
        try:
            limit = int(limit) if limit not in (None, "") else None
        except ValueError:
            raise ValidationError({"limit": "an integer"}) from None
        text = services.siting_candidates_geojson(
            run=_run(pk),
            category=request.query_params.get("category") or None,
            chosen=request.query_params.get("chosen") or None,
            limit=limit,
            private=actor_of(request.user).sees_private,
        )
        return geojson.response(text)


class SitingExport(APIView):
    """Download the run's candidates and chosen sites: geojson, gpkg or xlsx."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int, fmt: str):
        body, ctype, name = services.siting_export(
            run=_run(pk), fmt=fmt, private=actor_of(request.user).sees_private
        )
        resp = HttpResponse(body, content_type=ctype)
        resp["Content-Disposition"] = f'attachment; filename="{name}"'
        return resp


class SitingScenarios(APIView):
    @extend_schema(responses=s.ScenarioOutput(many=True))
    def get(self, request):
        rows = SitingScenario.objects.select_related("created_by").exclude(
            method=SitingScenario.Method.WHATIF
        )[:100]
        return Response(s.ScenarioOutput(rows, many=True, context=ctx(request)).data)

    @extend_schema(request=s.ScenarioInput, responses={201: s.ScenarioOutput})
    def post(self, request):
        inp = s.ScenarioInput(data=request.data)
        inp.is_valid(raise_exception=True)
        v = inp.validated_data
        try:
            run = services.siting_run_get(v["run"])
        except AnalysisRun.DoesNotExist:
            raise ValidationError({"run": f"no siting run {v['run']}"}) from None
        scenario = services.scenario_create(
            run=run,
            method=v["method"],
            name=v.get("name", ""),
            notes=v.get("notes", ""),
            user=request.user,
        )
        return Response(
            s.ScenarioOutput(scenario, context=ctx(request)).data,
            status=status.HTTP_201_CREATED,
        )


class SitingScenarioDetail(APIView):
    @extend_schema(responses=s.ScenarioOutput)
    def get(self, request, pk: int):
        return Response(s.ScenarioOutput(_scenario(pk), context=ctx(request)).data)


class SitingScenarioWhatIf(APIView):
    """Coverage before/after the scenario's sites (life-circle what-if; nothing stored)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        return Response(services.scenario_what_if(_scenario(pk)))


def _whatif_scenario(pk: int) -> SitingScenario:
    try:
        return services.whatif_scenario_get(pk)
    except SitingScenario.DoesNotExist:
        raise NotFound(f"no what-if scenario {pk}") from None


class WhatIfScenarios(APIView):
    """The what-if scenarios saved from the planner's map: list (newest first), save."""

    @extend_schema(responses=s.WhatIfScenarioOutput(many=True))
    def get(self, request):
        rows = services.whatif_scenario_list()[:100]
        return Response(
            s.WhatIfScenarioOutput(rows, many=True, context=ctx(request)).data
        )

    @extend_schema(
        request=s.WhatIfScenarioInput, responses={201: s.WhatIfScenarioOutput}
    )
    def post(self, request):
        inp = s.WhatIfScenarioInput(data=request.data)
        inp.is_valid(raise_exception=True)
        v = inp.validated_data
        try:
            run = AnalysisRun.objects.get(
                pk=v["lifecircle_run"], kind=AnalysisRun.Kind.LIFECIRCLE
            )
        except AnalysisRun.DoesNotExist:
            raise ValidationError(
                {"lifecircle_run": f"no life-circle run {v['lifecircle_run']}"}
            ) from None
        sites = [
            {k: val for k, val in site.items() if val is not None}
            for site in v["sites"]
        ]
        scenario = services.whatif_scenario_create(
            lifecircle_run=run, sites=sites, name=v.get("name", ""), user=request.user
        )
        return Response(
            s.WhatIfScenarioOutput(scenario, context=ctx(request)).data,
            status=status.HTTP_201_CREATED,
        )


class WhatIfScenarioDetail(APIView):
    """One saved what-if scenario: its sites to reopen; delete it."""

    @extend_schema(responses=s.WhatIfScenarioOutput)
    def get(self, request, pk: int):
        return Response(
            s.WhatIfScenarioOutput(_whatif_scenario(pk), context=ctx(request)).data
        )

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.whatif_scenario_delete(_whatif_scenario(pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
