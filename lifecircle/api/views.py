"""Life-circle API: runs (create, list, detail), results as GeoJSON/CSV/GPKG/GeoTIFF, what-if."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KT, KeyTransform
from django.db.models.functions import Cast, Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from layers import geojson
from layers.io import writers
from layers.models import Amenity, Community
from lifecircle import services
from lifecircle.models import CoverageResult, FacilitySupply
from runs.api.serializers import AnalysisRunOutput
from runs.models import AnalysisRun
from runs.queue import analysis_run_enqueue

from . import serializers

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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


class _Round(Func):
    """``round(x::numeric, n)`` (PostgreSQL has no round(double precision, int))."""

    template = "round((%(expressions)s)::numeric, %(digits)s)"
    output_field = FloatField()

    def __init__(self, expression, digits: int = 1):
        super().__init__(expression, digits=int(digits))


def _from_capacity(key: str, by_cap: bool, fallback: str):
    """The capacity-aware value where the row has one and it drives the gaps."""
    if not by_cap:
        return F(fallback)
    return Coalesce(KeyTransform(key, "capacity"), F(fallback))


def _coverage_properties(
    category: str | None, threshold: float | None, unit: str | None, gaps: str
):
    by_cap = gaps == "capacity"
    score = F("score")
    if by_cap:
        score = Coalesce(Cast(KT("capacity__score"), FloatField()), F("score"))
    base = {
        "code": "community__code",
        "name": "community__name",
        "district": "community__district__name",
        "street": Coalesce("community__street__name", Value("")),
        "residents": "residents",
        "score": _Round(score),
        "score_distance": _Round(F("score")),
        "score_capacity": KeyTransform("score", "capacity"),
        "tiers_met": _from_capacity("tiers_met", by_cap, "tiers_met"),
        "missing": _from_capacity("missing", by_cap, "missing"),
        "reachable": "reachable",
    }
    if not category:
        return geojson.properties_expr(base), {}
    distance = Cast(KT(f"distances_m__{category}"), FloatField())
    base |= {
        "category": Value(category),
        "distance_m": KeyTransform(category, "distances_m"),
        "covered": (
            Value(False)
            if threshold is None
            else Case(
                When(Q(distance__lte=threshold), then=Value(True)),
                default=Value(False),
            )
        ),
    }
    figures = KeyTransform(category, KeyTransform("categories", "capacity"))
    capacity = Case(
        When(
            Q(_figures__isnull=False),
            then=geojson.properties_expr(
                {
                    "demand": KeyTransform("demand", figures),
                    "ratio": KeyTransform("ratio", figures),
                    "shortfall": KeyTransform("shortfall", figures),
                    "adequate": KeyTransform("adequate", figures),
                    "unit": Value(unit),
                }
            ),
        ),
        default=Value("{}"),
        output_field=TextField(),
    )
    return geojson.JsonbMerge(geojson.properties_expr(base), capacity), {
        "distance": distance,
        "_figures": figures,
    }


def _coverage_features(
    run: AnalysisRun, category: str | None, gaps: str = "distance"
) -> str:
    threshold = (
        (run.summary.get("thresholds_m") or {}).get(category) if category else None
    )
    standards = (run.summary.get("capacity") or {}).get("standards") or {}
    unit = (standards.get(category) or {}).get("unit") if category else None
    qs = CoverageResult.objects.filter(run=run).order_by("pk")
    props, annotations = _coverage_properties(category, threshold, unit, gaps)
    return geojson.collection(
        qs.annotate(**annotations),
        props,
        id="community__code",
        geom="community__geom",
        head={"run": run.pk, "gaps": gaps},
    )


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
        return geojson.response(_coverage_features(run, category, _gaps(request)))


class LifeCircleSupply(APIView):
    """The facilities of a category with their supply, its basis and source (GeoJSON)."""

    @extend_schema(parameters=[CATEGORY_PARAM], responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        run = _run(pk)
        category = request.query_params.get("category", "")
        rows = FacilitySupply.objects.filter(run=run, category=category)
        if not rows.exists() and category not in (
            (run.summary.get("capacity") or {}).get("categories") or []
        ):
            raise ValidationError(
                {"category": f"no capacity-aware result for {category!r}"}
            )
        amenity = Amenity.objects.filter(code=OuterRef("amenity_code"))
        qs = (
            rows.filter(Exists(amenity))
            .annotate(
                _name=Subquery(amenity.values("name")[:1]),
                _geom=Subquery(amenity.values("geom")[:1]),
            )
            .order_by("amenity_code")
        )
        props = {
            "code": "amenity_code",
            "name": "_name",
            "category": "category",
            "supply": _Round(F("supply"), 2),
            "unit": "unit",
            "basis": "basis",
            "note": "note",
            "ratio": _Round(F("ratio"), 6),
            "idle": Q(ratio=0),
        }
        return geojson.response(
            geojson.collection(qs, props, geom="_geom", head={"run": run.pk})
        )


class LifeCircleExport(APIView):
    """Download the per-community results: csv, geojson, gpkg or xlsx."""

    FORMATS = ("csv", "geojson", "gpkg", "xlsx")

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int, fmt: str):
        if fmt not in self.FORMATS:
            raise ValidationError({"format": f"one of {', '.join(self.FORMATS)}"})
        run = _run(pk)
        gdf = services.lifecircle_result_rows(run)
        name = f"lifecircle_run{run.pk}.{fmt}"
        table = pd.DataFrame(gdf.drop(columns="geometry"))
        table["wkt"] = gdf.geometry.to_wkt().to_numpy()
        if fmt == "csv":
            body, ctype = writers.table_csv_bytes(table), "text/csv; charset=utf-8"
        elif fmt == "xlsx":
            body, ctype = writers.table_xlsx_bytes({"lifecircle": table}), XLSX
        else:
            with tempfile.TemporaryDirectory(prefix="lifecircle-") as tmp:
                path = Path(tmp) / name
                if fmt == "geojson":
                    writers.write_geojson(gdf, path)
                    ctype = "application/geo+json"
                else:
                    writers.write_gpkg(gdf, path, layer="lifecircle")
                    ctype = "application/geopackage+sqlite3"
                body = path.read_bytes()
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
        result = services.lifecircle_what_if(  # a ValueError is a 400 (accounts.errors)
            run=_run(pk),
            facilities=v["facilities"],
            idle_land=v["idle_land"],
            vacant_housing=v["vacant_housing"],
            category=v.get("category") or None,
        )
        return Response(result)


class LifeCircleUnreachable(APIView):
    """Amenities and communities that could not join the walk network, as GeoJSON points."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        run = _run(pk)
        amen = {r["code"]: r for r in run.summary.get("unreachable_amenities", [])}
        comm = {r["code"]: r for r in run.summary.get("unreachable_communities", [])}
        amenities = geojson.features(
            Amenity.objects.filter(code__in=list(amen)).order_by("code"),
            {
                "kind": Value("amenity"),
                "code": "code",
                "name": "name",
                "category": "category__name",
                "distance_to_network_m": _distance_to_network(amen),
            },
        )
        communities = geojson.features(
            Community.objects.filter(code__in=list(comm)).order_by("code"),
            {
                "kind": Value("community"),
                "code": "code",
                "name": "name",
                "distance_to_network_m": _distance_to_network(comm),
            },
            geom=PointOnSurface("geom"),
        )
        return geojson.response(
            geojson.collection_text(amenities + communities, {"run": run.pk})
        )


def _distance_to_network(rows: dict[str, dict]):
    """The run summary's distance to the network per code, as a CASE on the code."""
    whens = [
        When(code=code, then=Value(r.get("distance_to_network_m")))
        for code, r in rows.items()
        if r.get("distance_to_network_m") is not None
    ]
    if not whens:
        return Value(None, output_field=FloatField())
    return Case(*whens, default=Value(None), output_field=FloatField())


class LifeCircleIslands(APIView):
    """The walk-network islands a run left out of snapping, as GeoJSON lines (4326).

    Internal diagnostics (signed in, accounts/policy.py): each island's size and how
    many facilities and community gates had it as their nearest edge.
    """

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        run = _run(pk)
        return geojson.response(
            geojson.collection(
                run.islands.all(),
                {
                    "component": "component",
                    "nodes": "nodes",
                    "edges": "edges",
                    "length_m": _Round(F("length_m"), 1),
                    "amenities_nearest": "amenities_nearest",
                    "access_points_nearest": "access_points_nearest",
                },
                head={
                    "run": run.pk,
                    "min_component_nodes": run.parameters.get("min_component_nodes"),
                },
            )
        )
