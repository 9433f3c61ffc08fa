"""Blocks API: parse, call one selector or service, serialise (STYLE §4.2 rule 6).

Reads are public (like the life-circle results); runs and block edits are staff only.
A service's ``ValidationError`` becomes a 400 with its message, never a 500.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from . import serializers as s


class ServiceErrors:
    """Map service errors onto HTTP: bad input → 400, missing row → 404."""

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = ValidationError({"detail": " ".join(exc.messages)})
        elif isinstance(exc, ObjectDoesNotExist):
            exc = NotFound()
        return super().handle_exception(exc)


class IsStaffOrReadOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)


class RunsView(ServiceErrors, APIView):
    """GET: bundling runs (latest first). POST (staff): start a run."""

    permission_classes = [IsStaffOrReadOnly]

    @extend_schema(responses=s.RunSerializer(many=True))
    def get(self, request):
        runs = selectors.run_list().order_by("-created_at")[:50]
        return Response(s.RunSerializer(runs, many=True).data)

    @extend_schema(request=s.RunRequestSerializer, responses=s.RunSerializer)
    def post(self, request):
        body = s.RunRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = services.bundle_run(**body.validated_data, user=request.user)
        return Response(s.RunSerializer(run).data, status=status.HTTP_201_CREATED)


class RunDetailView(ServiceErrors, APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=s.RunSerializer)
    def get(self, request, pk: int):
        return Response(s.RunSerializer(selectors.run_get(run_id=pk)).data)


class RunLatestView(ServiceErrors, APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=s.RunSerializer)
    def get(self, request):
        run = selectors.run_latest()
        if run is None:
            raise NotFound("no bundling run yet")
        return Response(s.RunSerializer(run).data)


class RunBlocksGeoJSONView(ServiceErrors, APIView):
    """The run's active blocks as a FeatureCollection in EPSG:4326 (``?all=1``: inactive too)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=s.BlockFeatureSerializer(many=True))
    def get(self, request, pk: int):
        run = selectors.run_get(run_id=pk)
        include = request.query_params.get("all") in ("1", "true")
        qs = selectors.block_list_api(run=run, include_inactive=include)
        return Response(s.BlockFeatureSerializer(qs, many=True).data)


class BlockDetailView(ServiceErrors, APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=s.BlockDetailSerializer)
    def get(self, request, code: str):
        return Response(s.BlockDetailSerializer(selectors.block_get(code=code)).data)


class BlockActionView(ServiceErrors, APIView):
    """POST (staff): accept, lock, unlock, split, move or merge one block."""

    permission_classes = [IsStaffOrReadOnly]
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
        return Response(s.BlockDetailSerializer(result).data)
