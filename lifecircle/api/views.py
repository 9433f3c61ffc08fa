"""Life-circle API: runs (create, list, detail), results as GeoJSON/CSV/GPKG/GeoTIFF, what-if."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.gis.db.models.functions import PointOnSurface, Transform
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from layers.models import Amenity, Community
from lifecircle import services
from lifecircle.models import CoverageResult, FacilitySupply
from lifecircle.services.exporting import EXPORT_FORMATS, lifecircle_export
from runs.api.serializers import AnalysisRunOutput
from runs.models import AnalysisRun
from runs.queue import analysis_run_enqueue

from . import serializers

CATEGORY_PARAM = OpenApiParameter(
    "category", OpenApiTypes.STR, description="facility category"
)
GAPS = ("distance", "capacity")
GAPS_PARAM = OpenApiParameter(
    "gaps",
    OpenApiTypes.STR,
    enum=list(GAPS),
    description="what drives the gaps (tiers met, missing, score): 'distance' "
    "(a facility within reach) or 'capacity' (enough for the residents, E2SFCA)",
)


def _run(pk: int) -> AnalysisRun:
    return get_object_or_404(AnalysisRun, pk=pk, kind=AnalysisRun.Kind.LIFECIRCLE)


class LifeCircleRuns(APIView):
    @extend_schema(responses=AnalysisRunOutput(many=True))
    def get(self, request):
        runs = AnalysisRun.objects.filter(
            kind=AnalysisRun.Kind.LIFECIRCLE
        ).select_related("ruleset")[:50]
        data = AnalysisRunOutput(runs, many=True).data
        for row in data:
            row.pop("summary", None)
        return Response(data)

    @extend_schema(
        request=serializers.LifeCircleRunInput,
        responses={202: AnalysisRunOutput},
    )
    def post(self, request):
        """Queue a life-circle run (202); poll ``/api/runs/<id>/``."""
        inp = serializers.LifeCircleRunInput(data=request.data)
        inp.is_valid(raise_exception=True)
        params = {k: v for k, v in inp.validated_data.items() if v not in ("", None)}
        run = analysis_run_enqueue(
            kind=AnalysisRun.Kind.LIFECIRCLE, parameters=params, user=request.user
        )
        return Response(AnalysisRunOutput(run).data, status=status.HTTP_202_ACCEPTED)


class LifeCircleRunDetail(APIView):
    @extend_schema(responses=AnalysisRunOutput)
    def get(self, request, pk: int):
        return Response(AnalysisRunOutput(_run(pk)).data)


class LifeCircleLatest(APIView):
    @extend_schema(responses=AnalysisRunOutput)
    def get(self, request):
        run = services.lifecircle_latest()
        if run is None:
            return Response({"detail": "no finished life-circle run yet"}, status=404)
        return Response(AnalysisRunOutput(run).data)


def _gaps(request) -> str:
    gaps = request.query_params.get("gaps") or "distance"
    if gaps not in GAPS:
        raise ValidationError({"gaps": f"one of {', '.join(GAPS)}"})
    return gaps


def _coverage_features(
    run: AnalysisRun, category: str | None, gaps: str = "distance"
) -> dict:
    qs = (
        CoverageResult.objects.filter(run=run)
        .select_related("community", "community__district", "community__street")
        .annotate(api_geom=Transform("community__geom", settings.API_SRID))
    )
    threshold = (
        (run.summary.get("thresholds_m") or {}).get(category) if category else None
    )
    standards = (run.summary.get("capacity") or {}).get("standards") or {}
    units = {k: v.get("unit") for k, v in standards.items()}
    features = []
    for r in qs:
        c = r.community
        cap = r.capacity or {}
        by_cap = gaps == "capacity" and bool(cap)
        props = {
            "code": c.code,
            "name": c.name,
            "district": c.district.name,
            "street": c.street.name if c.street else "",
            "residents": r.residents,
            "score": round(cap["score"] if by_cap else r.score, 1),
            "score_distance": round(r.score, 1),
            "score_capacity": cap.get("score"),
            "tiers_met": cap["tiers_met"] if by_cap else r.tiers_met,
            "missing": cap["missing"] if by_cap else r.missing,
            "reachable": r.reachable,
        }
        if category:
            d = r.distances_m.get(category)
            props["category"] = category
            props["distance_m"] = d
            props["covered"] = (
                d is not None and threshold is not None and d <= threshold
            )
            figures = (cap.get("categories") or {}).get(category)
            if figures is not None:
                props.update(
                    {
                        "demand": figures["demand"],
                        "ratio": figures["ratio"],
                        "shortfall": figures["shortfall"],
                        "adequate": figures["adequate"],
                        "unit": units.get(category),
                    }
                )
        features.append(
            {
                "type": "Feature",
                "id": c.code,
                "geometry": json.loads(r.api_geom.geojson),
                "properties": props,
            }
        )
    return {
        "type": "FeatureCollection",
        "run": run.pk,
        "gaps": gaps,
        "features": features,
    }


class LifeCircleCommunities(APIView):
    """Per-community results as GeoJSON (EPSG:4326), optionally for one category.

    With a category of a capacity standard, each community also carries the
    capacity-aware figures: ``demand``, ``ratio`` (supply per person against the
    standard), ``shortfall`` (places, beds or m²) and ``adequate``; ``gaps``
    chooses whether the tiers met, missing categories and score are those of the
    distance-only or the capacity-aware result.
    """

    @extend_schema(
        parameters=[CATEGORY_PARAM, GAPS_PARAM], responses=OpenApiTypes.OBJECT
    )
    def get(self, request, pk: int):
        run = _run(pk)
        category = request.query_params.get("category") or None
        if category and category not in (run.summary.get("thresholds_m") or {}):
            raise ValidationError({"category": f"unknown category {category!r}"})
        return Response(_coverage_features(run, category, _gaps(request)))


class LifeCircleSupply(APIView):
    """The facilities of a category with their supply, its basis and source (GeoJSON)."""

    @extend_schema(parameters=[CATEGORY_PARAM], responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        run = _run(pk)
        category = request.query_params.get("category", "")
        rows = {
            s.amenity_code: s
            for s in FacilitySupply.objects.filter(run=run, category=category)
        }
        if not rows and category not in (
            (run.summary.get("capacity") or {}).get("categories") or []
        ):
            raise ValidationError(
                {"category": f"no capacity-aware result for {category!r}"}
            )
        features = []
        for a in Amenity.objects.filter(code__in=list(rows)).annotate(
            api_geom=Transform("geom", settings.API_SRID)
        ):
            s = rows[a.code]
            features.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(a.api_geom.geojson),
                    "properties": {
                        "code": a.code,
                        "name": a.name,
                        "category": category,
                        "supply": round(s.supply, 2),
                        "unit": s.unit,
                        "basis": s.basis,
                        "note": s.note,
                        "ratio": round(s.ratio, 6),
                        "idle": s.ratio == 0,
                    },
                }
            )
        return Response(
            {"type": "FeatureCollection", "run": run.pk, "features": features}
        )


class LifeCircleExport(APIView):
    """Download the per-community results: csv, geojson, gpkg or xlsx."""

    FORMATS = EXPORT_FORMATS

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int, fmt: str):
        if fmt not in self.FORMATS:
            raise ValidationError({"format": f"one of {', '.join(self.FORMATS)}"})
        body, ctype, name = lifecircle_export(_run(pk), fmt)
        resp = HttpResponse(body, content_type=ctype)
        resp["Content-Disposition"] = f'attachment; filename="{name}"'
        return resp


class LifeCircleDistanceTiff(APIView):
    """GeoTIFF of walking distance to the nearest facility of a category (50 m grid)."""

    @extend_schema(
        parameters=[CATEGORY_PARAM],
        responses={(200, "image/tiff"): OpenApiTypes.BINARY},
    )
    def get(self, request, pk: int):
        run = _run(pk)
        category = request.query_params.get("category", "")
        name = f"distance_{category}_run{run.pk}.tif"
        # written to a private folder removed before the response leaves
        with tempfile.TemporaryDirectory(prefix="distance-") as tmp:
            path = Path(tmp) / "distance.tif"
            services.lifecircle_distance_tiff(run=run, category=category, path=path)
            body = path.read_bytes()
        resp = HttpResponse(body, content_type="image/tiff")
        resp["Content-Disposition"] = f'attachment; filename="{name}"'
        return resp


class LifeCircleWhatIf(APIView):
    """Coverage with hypothetical facilities added; nothing is stored."""

    @extend_schema(request=serializers.WhatIfInput, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int):
        inp = serializers.WhatIfInput(data=request.data)
        inp.is_valid(raise_exception=True)
        v = inp.validated_data
        try:
            result = services.lifecircle_what_if(
                run=_run(pk),
                facilities=v["facilities"],
                idle_land=v["idle_land"],
                vacant_housing=v["vacant_housing"],
                category=v.get("category") or None,
            )
        except ValueError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(result)


class LifeCircleUnreachable(APIView):
    """Amenities and communities that could not join the walk network, as GeoJSON points."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        run = _run(pk)
        features = []
        amen = {r["code"]: r for r in run.summary.get("unreachable_amenities", [])}
        for a in (
            Amenity.objects.filter(code__in=list(amen))
            .select_related("category")
            .annotate(api_geom=Transform("geom", settings.API_SRID))
        ):
            features.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(a.api_geom.geojson),
                    "properties": {
                        "kind": "amenity",
                        "code": a.code,
                        "name": a.name,
                        "category": a.category.name,
                        "distance_to_network_m": amen[a.code].get(
                            "distance_to_network_m"
                        ),
                    },
                }
            )
        comm = {r["code"]: r for r in run.summary.get("unreachable_communities", [])}
        for c in Community.objects.filter(code__in=list(comm)).annotate(
            api_geom=Transform(PointOnSurface("geom"), settings.API_SRID)
        ):
            features.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(c.api_geom.geojson),
                    "properties": {
                        "kind": "community",
                        "code": c.code,
                        "name": c.name,
                        "distance_to_network_m": comm[c.code].get(
                            "distance_to_network_m"
                        ),
                    },
                }
            )
        return Response(
            {"type": "FeatureCollection", "run": run.pk, "features": features}
        )


class LifeCircleIslands(APIView):
    """The walk-network islands a run left out of snapping, as GeoJSON lines (4326).

    Internal diagnostics (signed in, accounts/policy.py): each island's size and how
    many facilities and community gates had it as their nearest edge.
    """

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        run = _run(pk)
        rows = run.islands.annotate(api_geom=Transform("geom", settings.API_SRID))
        features = [
            {
                "type": "Feature",
                "geometry": json.loads(i.api_geom.geojson),
                "properties": {
                    "component": i.component,
                    "nodes": i.nodes,
                    "edges": i.edges,
                    "length_m": round(i.length_m, 1),
                    "amenities_nearest": i.amenities_nearest,
                    "access_points_nearest": i.access_points_nearest,
                },
            }
            for i in rows
        ]
        return Response(
            {
                "type": "FeatureCollection",
                "run": run.pk,
                "min_component_nodes": run.parameters.get("min_component_nodes"),
                "features": features,
            }
        )
