"""Any analysis run (life circle, bundling, siting): its status, a re-queue, a cancel."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from runs.models import AnalysisRun
from runs.queue import analysis_run_cancel, analysis_run_requeue
from runs.status import run_status

from . import serializers


class AnalysisRunDetail(APIView):
    """Any analysis run: status (in the user's language), progress, queue position,
    elapsed time, living workers, summary. A run past the timeout is failed first."""

    @extend_schema(responses=serializers.AnalysisRunStatusOutput)
    def get(self, request, pk: int):
        get_object_or_404(AnalysisRun, pk=pk)
        return Response(serializers.AnalysisRunStatusOutput.of(run_status(pk)))


class AnalysisRunRequeue(APIView):
    """Queue a failed run again with the same parameters (202, a new run)."""

    @extend_schema(request=None, responses={202: serializers.AnalysisRunOutput})
    def post(self, request, pk: int):
        get_object_or_404(AnalysisRun, pk=pk)
        run = analysis_run_requeue(run_id=pk, user=request.user)
        return Response(
            serializers.AnalysisRunOutput(run).data, status=status.HTTP_202_ACCEPTED
        )


class AnalysisRunCancel(APIView):
    """Cancel a pending or running run (planners; district planners: their district's
    runs). A pending run is never started; a running one stops at its next step."""

    @extend_schema(request=None, responses=serializers.AnalysisRunStatusOutput)
    def post(self, request, pk: int):
        get_object_or_404(AnalysisRun, pk=pk)
        analysis_run_cancel(run_id=pk, user=request.user)
        return Response(serializers.AnalysisRunStatusOutput.of(run_status(pk)))
