"""Blocks API: parse, call one selector or service, serialise (STYLE §4.2 rule 6).

Who may call what: ``accounts/policy.py``; service errors map to HTTP in one place
(``accounts.errors.exception_handler``).
"""

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.drf import ctx
from accounts.permissions import actor_of
from layers import geojson
from runs.models import AnalysisRun
from runs.queue import analysis_run_enqueue

from .. import selectors, services
from . import serializers as s


class RunsView(APIView):
    """GET: bundling runs (latest first). POST: queue a run (202; poll the run)."""

    @extend_schema(responses=s.RunSerializer(many=True))
    def get(self, request):
        runs = selectors.run_list().order_by("-created_at")[:50]
        return Response(s.RunSerializer(runs, many=True).data)

    @extend_schema(request=s.RunRequestSerializer, responses=s.RunSerializer)
    def post(self, request):
        body = s.RunRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = analysis_run_enqueue(
            kind=AnalysisRun.Kind.BUNDLING,
            parameters=body.validated_data,
            user=request.user,
        )
        return Response(s.RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class RunDetailView(APIView):
    @extend_schema(responses=s.RunSerializer)
    def get(self, request, pk: int):
        return Response(s.RunSerializer(selectors.run_get(run_id=pk)).data)


class RunLatestView(APIView):
    @extend_schema(responses=s.RunSerializer)
    def get(self, request):
        run = selectors.run_latest()
        if run is None:
            raise NotFound("no bundling run yet")
        return Response(s.RunSerializer(run).data)


class RunBlocksGeoJSONView(APIView):
    """The run's active blocks as a FeatureCollection in EPSG:4326 (``?all=1``: inactive too)."""

    @extend_schema(responses=s.BlockFeatureSerializer(many=True))
    def get(self, request, pk: int):
        run = selectors.run_get(run_id=pk)
        include = request.query_params.get("all") in ("1", "true")
        qs = selectors.block_list(run=run, include_inactive=include)
        private = () if actor_of(request.user).sees_private else s.PRIVATE_FIELDS
        props = {f: f for f in s.BLOCK_FIELDS if f not in private}
        props["run"] = "run_id"
        props["member_names"] = selectors.member_names()
        # each block's parking (its members' spaces, demand, gap), by block code
        head = {"parking": services.blocks_parking(qs)}
        return geojson.response(geojson.collection(qs, props, head=head, precision=7))


class RunBlocksExportView(APIView):
    """Download the run's active blocks: csv, xlsx, geojson or gpkg, in the user's
    language (members and gaps by name, money in 万元)."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int, fmt: str):
        if fmt not in services.EXPORT_FORMATS:
            raise ValidationError(
                {"format": f"one of {', '.join(services.EXPORT_FORMATS)}"}
            )
        body, ctype, name = services.blocks_export(
            run=selectors.run_get(run_id=pk),
            fmt=fmt,
            private=actor_of(request.user).sees_private,
        )
        resp = HttpResponse(body, content_type=ctype)
        resp["Content-Disposition"] = f'attachment; filename="{name}"'
        return resp


class BlockDetailView(APIView):
    @extend_schema(responses=s.BlockDetailSerializer)
    def get(self, request, code: str):
        return Response(
            s.BlockDetailSerializer(
                selectors.block_get(code=code), context=ctx(request)
            ).data
        )


class BlockActionView(APIView):
    """POST: accept, lock, unlock, split, move or merge one block (the service checks
    the planner's district)."""

    ACTIONS = ("accept", "lock", "unlock", "split", "move", "merge")

    @extend_schema(request=s.WhySerializer, responses=s.BlockDetailSerializer)
    def post(self, request, code: str, action: str):
        if action not in self.ACTIONS:
            raise NotFound(f"unknown action {action!r}")
        block = selectors.block_get(code=code)
        user = request.user
        if action in ("accept", "lock", "unlock"):
            body = s.WhySerializer(data=request.data)
            body.is_valid(raise_exception=True)
            fn = getattr(services, f"block_{action}")
            result = fn(block=block, user=user, why=body.validated_data["why"])
        elif action == "split":
            body = s.SplitSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            result = services.block_split(block=block, user=user, **body.validated_data)
        elif action == "move":
            # Move ``community`` INTO this block.
            body = s.MoveSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            result = services.block_move_community(
                community=body.validated_data["community"],
                to_block=block,
                user=user,
                why=body.validated_data["why"],
            )
        else:
            body = s.MergeSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            try:
                other = selectors.block_get(code=body.validated_data["other"])
            except ObjectDoesNotExist as exc:
                raise ValidationError({"other": "unknown block code"}) from exc
            result = services.block_merge(
                block=block, other=other, user=user, why=body.validated_data["why"]
            )
        result.refresh_from_db()
        return Response(s.BlockDetailSerializer(result, context=ctx(request)).data)
