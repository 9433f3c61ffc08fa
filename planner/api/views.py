"""Planner API: edit features (version-checked), undo, history, search, start analyses."""

from __future__ import annotations

import json

from django.db.models import Value
from django.http import Http404, HttpResponse
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import PLANNERS, actor_of
from blocks.api.serializers import RunRequestSerializer
from layers import geojson
from layers.api.params import parse_bbox
from layers.models import Community
from layers.selectors import in_bbox
from lifecircle import services as lc
from lifecircle.api.serializers import LifeCircleRunInput
from planner import search, services, tiles
from public.params import parse_tile
from runs.models import AnalysisRun
from runs.queue import analysis_run_enqueue
from siting.api.serializers import SitingRunInput


def _properties(kind: str, request) -> dict:
    """The feature's properties as PostgreSQL expressions: its version, the kind's
    editable fields (private ones only for roles that see them) and, for communities,
    stage and places."""
    k = services.kind_get(kind)
    hidden = {"internal_notes"}
    if not actor_of(request.user).sees_private:
        hidden |= set(k.model.private_fields)
    props: dict = {"code": "code", "version": "version", "kind_layer": Value(kind)}
    for name in k.fields:
        if name not in hidden:
            props[name] = "category__code" if name == "category" else name
    names = {f.name for f in k.model._meta.get_fields()}
    if "area_m2" in names:
        props["area_m2"] = "area_m2"
    if kind == "community":
        props |= {"stage": "stage", "district": "district__name"}
        props["street"] = "street__name"
    return props


def _features(qs, kind: str, request) -> list[str]:
    """Features for editing: full precision (9 decimals, ~0.1 mm), id = code."""
    return geojson.features(qs, _properties(kind, request), id="code", precision=9)


def _feature(obj, kind: str, request) -> dict:
    """One feature as read back from the database after a write."""
    qs = type(obj).objects.filter(pk=obj.pk)
    return json.loads(_features(qs, kind, request)[0])


class FeatureInput(serializers.Serializer):
    properties = serializers.DictField(required=False, default=dict)
    geometry = serializers.JSONField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False, min_value=1)
    snap_m = serializers.FloatField(
        required=False, default=2.0, min_value=0, max_value=10
    )


class Me(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        actor = actor_of(request.user)
        return Response(
            {
                "username": actor.username,
                "role": actor.role,
                "district": actor.district_code or None,
                "street": actor.street_name or None,
                "can_run_analyses": actor.role in PLANNERS,
            }
        )


class FeatureCollection(APIView):
    """GET: a layer's features with their versions (EPSG:4326). POST: create one."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, kind: str):
        k = services.kind_get(kind)
        qs = k.model.objects.all()
        bbox = parse_bbox(request.query_params.get("bbox"))
        qs = in_bbox(qs, bbox)
        if k.model is Community:
            qs = (
                qs.none()
            )  # communities are read through /api/layers/communities.geojson
        feats = _features(qs.order_by("pk")[:5000], kind, request)
        return geojson.response(geojson.collection_text(feats))

    @extend_schema(request=FeatureInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, kind: str):
        inp = FeatureInput(data=request.data)
        inp.is_valid(raise_exception=True)
        v = inp.validated_data
        out = services.feature_create(
            kind=kind,
            data=v["properties"],
            geometry=v.get("geometry"),
            user=request.user,
            snap_m=v["snap_m"],
        )
        return Response(
            {"feature": _feature(out.obj, kind, request), "warnings": out.warnings},
            status=status.HTTP_201_CREATED,
        )


class FeatureDetail(APIView):
    def _call(self, fn, **kw):
        """The service's answer; a stale version is a 409 with the current feature
        (every other service error is mapped by accounts.errors)."""
        try:
            return fn(**kw)
        except services.Conflict as exc:
            return Response(
                {
                    "detail": str(exc),
                    "current": _feature(exc.current, kw["kind"], self.request),
                },
                status=status.HTTP_409_CONFLICT,
            )

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, kind: str, code: str):
        k = services.kind_get(kind)
        obj = k.model.objects.filter(code=code).first()
        if obj is None:
            return Response({"detail": "not found"}, status=404)
        data = _feature(obj, kind, request)
        if k.model is Community:
            # spaces, demand from the ratios in force, gap and the ratios' source
            data["properties"]["parking"] = lc.community_parking_record(obj)
        return Response(data)

    @extend_schema(request=FeatureInput, responses=OpenApiTypes.OBJECT)
    def patch(self, request, kind: str, code: str):
        inp = FeatureInput(data=request.data)
        inp.is_valid(raise_exception=True)
        v = inp.validated_data
        if "version" not in v:
            raise DRFValidationError({"version": "the version you edited is required"})
        out = self._call(
            services.feature_update,
            kind=kind,
            code=code,
            version=v["version"],
            data=v["properties"],
            geometry=v.get("geometry"),
            user=request.user,
            snap_m=v["snap_m"],
        )
        if isinstance(out, Response):
            return out
        return Response(
            {"feature": _feature(out.obj, kind, request), "warnings": out.warnings}
        )

    @extend_schema(responses={204: None})
    def delete(self, request, kind: str, code: str):
        try:
            version = int(request.query_params.get("version", ""))
        except ValueError as exc:
            raise DRFValidationError({"version": "?version=N is required"}) from exc
        out = self._call(
            services.feature_delete,
            kind=kind,
            code=code,
            version=version,
            user=request.user,
        )
        if isinstance(out, Response):
            return out
        return Response(status=status.HTTP_204_NO_CONTENT)


class FeatureUndo(FeatureDetail):
    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, kind: str, code: str):
        out = self._call(services.feature_undo, kind=kind, code=code, user=request.user)
        if isinstance(out, Response):
            return out
        return Response({"feature": _feature(out.obj, kind, request), "warnings": []})


class FeatureHistory(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, kind: str, code: str):
        return Response(services.feature_history(kind=kind, code=code))


class Search(APIView):
    """Communities (name, code, address, 社区), amenities (name, category) and planning
    areas (name) for the map's search box, grouped by kind and ranked
    (``planner.search``); ``?q=`` up to 64 characters."""

    @extend_schema(
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="1–64 chars")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        try:
            hits = search.search(request.query_params.get("q"), actor_of(request.user))
        except search.QueryError as exc:
            raise DRFValidationError({"q": str(exc)}) from exc
        return Response(hits)


#: each analysis's own input serializer (the same limits as its app's API)
INPUTS = {
    AnalysisRun.Kind.LIFECIRCLE: LifeCircleRunInput,
    AnalysisRun.Kind.BUNDLING: RunRequestSerializer,
    AnalysisRun.Kind.SITING: SitingRunInput,
}


class AnalysisEnqueue(APIView):
    """Queue an analysis (lifecircle, bundling, siting) for the background worker; poll
    ``/api/lifecircle/runs/<id>/`` (any kind) for status and progress."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def post(self, request, kind: str):
        if kind not in INPUTS:
            raise DRFValidationError({"kind": f"one of {', '.join(INPUTS)}"})
        inp = INPUTS[kind](data=request.data)
        inp.is_valid(raise_exception=True)
        params = {k: v for k, v in inp.validated_data.items() if v not in ("", None)}
        run = analysis_run_enqueue(kind=kind, parameters=params, user=request.user)
        return Response(
            {"id": run.pk, "status": run.status}, status=status.HTTP_202_ACCEPTED
        )


MVT = "application/vnd.mapbox-vector-tile"
#: tiles change when a feature is edited: the maps ask again after a save (``?v=``)
TILE_CACHE = "private, max-age=30"


def _tile_response(
    request, keys: tuple[str, ...], z: str, x: str, y: str, run: int | None = None
) -> HttpResponse:
    """The tile of ``keys``; its ETag follows the layers' change stamps (a matching
    ``If-None-Match``: 304 after one tiny query), its body comes from the tile cache.
    ``?category=`` (with a run): the ``results`` carry that category's gaps."""
    zi, xi, yi = parse_tile(z, x, y)
    gaps = _tile_gaps(request, run) if "results" in keys else None
    versions = tiles.layer_versions(keys, run, gaps)
    etag = tiles.tile_etag(versions, zi, xi, yi)
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        resp = HttpResponse(status=304)
    else:
        body = tiles.cached_tiles_bytes(versions, zi, xi, yi, run, gaps)
        resp = HttpResponse(body, content_type=MVT)
    resp["ETag"] = etag
    resp["Cache-Control"] = TILE_CACHE
    return resp


def _tile_gaps(request, run: int | None) -> tiles.Gaps | None:
    """The category of ``?category=`` (one of the run's, else 404) with its threshold."""
    category = request.query_params.get("category") or None
    if category is None or run is None:
        return None
    summary = AnalysisRun.objects.values_list("summary", flat=True).get(pk=run) or {}
    thresholds = summary.get("thresholds_m") or {}
    if category not in thresholds:
        raise Http404
    return tiles.Gaps(category, thresholds[category])


def _lifecircle_run(text: str) -> int:
    """The pk of a life-circle run named in a tile URL, else 404."""
    if (
        not text.isdigit()
        or not AnalysisRun.objects.filter(
            pk=int(text), kind=AnalysisRun.Kind.LIFECIRCLE
        ).exists()
    ):
        raise Http404
    return int(text)


class LayerTile(APIView):
    """A Mapbox vector tile of internal map layers (``planner.tiles.CITY_LAYERS``; one,
    or several joined by ``+``: one tile layer each), no private columns; every feature
    of the tile, each layer from its own zoom. With ``?run=<pk>`` also a life-circle
    run's layers (``RUN_LAYERS``), so that a map asks for everything in one request."""

    @extend_schema(responses={(200, MVT): OpenApiTypes.BINARY})
    def get(self, request, layer: str, z: str, x: str, y: str):
        keys = tiles.layer_keys(layer, tiles.CITY_LAYERS + tiles.RUN_LAYERS)
        if keys is None:
            raise Http404
        run = None
        if set(keys) & set(tiles.RUN_LAYERS):
            # a run's layers in the same request as the city's: ?run=<life-circle run>
            run = _lifecircle_run(request.query_params.get("run", ""))
        return _tile_response(request, keys, z, x, y, run=run)


class RunTile(APIView):
    """A vector tile of a life-circle run: ``islands``, the walk-network components it
    left out of snapping, and ``results``, each community's score (the choropleth);
    one or both (``islands+results``)."""

    @extend_schema(responses={(200, MVT): OpenApiTypes.BINARY})
    def get(self, request, pk: int, layer: str, z: str, x: str, y: str):
        keys = tiles.layer_keys(layer, tiles.RUN_LAYERS)
        if keys is None:
            raise Http404
        return _tile_response(request, keys, z, x, y, run=_lifecircle_run(str(pk)))
