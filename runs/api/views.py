"""Any analysis run (life circle, bundling, siting): its status, and a re-queue."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from runs.models import AnalysisRun
from runs.queue import analysis_run_requeue

from . import serializers


class AnalysisRunDetail(APIView):
    """Any analysis run (life circle, bundling, siting): status, progress, summary."""

    @extend_schema(responses=serializers.AnalysisRunOutput)
    def get(self, request, pk: int):
        run = get_object_or_404(AnalysisRun.objects.select_related("ruleset"), pk=pk)
        return Response(serializers.AnalysisRunOutput(run).data)


class AnalysisRunRequeue(APIView):
    """Queue a failed run again with the same parameters (202, a new run)."""

    @extend_schema(request=None, responses={202: serializers.AnalysisRunOutput})
    def post(self, request, pk: int):
        get_object_or_404(AnalysisRun, pk=pk)
        run = analysis_run_requeue(run_id=pk, user=request.user)
        return Response(
            serializers.AnalysisRunOutput(run).data, status=status.HTTP_202_ACCEPTED
        )
