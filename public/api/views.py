"""Read-only public JSON/GeoJSON/MVT endpoints (anonymous, allowlisted, cached).

Views parse and validate every parameter first (400 before any query), then call one
selector through :func:`public.caching.cached_response` (ETag, 304, statement timeout).
No authentication class runs, so no session is read and responses never vary by user.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.views import APIView

from layers import geojson
from public import params, selectors, tiles
from public.caching import cached_response

from . import serializers

GEOJSON = "application/geo+json"
P = OpenApiParameter
FILTER_PARAMS = [
    P("bbox", OpenApiTypes.STR, description="min_lon,min_lat,max_lon,max_lat (4326)"),
    P("zoom", OpenApiTypes.INT, description="map zoom 0–20: geometry simplification"),
    P("district", OpenApiTypes.STR, description="district code"),
    P("stage", OpenApiTypes.STR, description="comma-separated stages"),
    P("year_min", OpenApiTypes.INT, description="completion year from"),
    P("year_max", OpenApiTypes.INT, description="completion year to"),
    P("q", OpenApiTypes.STR, description="name contains"),
]


class PublicView(APIView):
    """Anonymous read-only endpoint: no authentication, no session, no throttle state."""

    authentication_classes: list = []


def _dump(data) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


class CommunitiesGeoJSON(PublicView):
    """Communities coloured by stage: GeoJSON, bbox-filtered, simplified per zoom."""

    @extend_schema(
        parameters=FILTER_PARAMS,
        responses={200: serializers.CommunityFeatureCollectionSerializer},
        tags=["public"],
    )
    def get(self, request):
        filters = params.parse_filters(request.query_params)
        zoom = params.parse_zoom(request.query_params.get("zoom"))

        def build():
            return geojson.collection_text(
                selectors.community_features(zoom=zoom, **filters)
            )

        return cached_response(
            request,
            name="communities",
            params={**filters, "zoom": zoom},
            build=build,
            content_type=GEOJSON,
        )


class DistrictsGeoJSON(PublicView):
    """District outlines (code, name), simplified per zoom."""

    @extend_schema(
        parameters=FILTER_PARAMS[:2],
        responses={200: serializers.DistrictFeatureCollectionSerializer},
        tags=["public"],
    )
    def get(self, request):
        bbox = params.parse_bbox(request.query_params.get("bbox"))
        zoom = params.parse_zoom(request.query_params.get("zoom"))

        def build():
            return geojson.collection_text(
                selectors.district_features(zoom=zoom, bbox=bbox)
            )

        return cached_response(
            request,
            name="districts",
            params={"bbox": bbox, "zoom": zoom},
            build=build,
            content_type=GEOJSON,
        )


class CommunityDetail(PublicView):
    """The public card of one community: fields, stage history, photos, coverage, works."""

    @extend_schema(
        responses={200: serializers.CommunityCardSerializer, 404: None},
        tags=["public"],
    )
    def get(self, request, code: str):
        code = params.parse_code(code)
        holder: dict = {}

        def build():
            card = selectors.community_card(code)
            if card is None:
                holder["missing"] = True
                return b""
            return _dump(serializers.CommunityCardSerializer(card).data)

        resp = cached_response(
            request,
            name="card",
            # the card names facilities and stages in the reader's language
            params={"code": code, "lang": get_language()},
            build=build,
            content_type="application/json",
        )
        if holder.get("missing") or (resp.status_code == 200 and not resp.content):
            raise NotFound
        patch_vary_headers(resp, ("Cookie", "Accept-Language"))
        return resp


class CommunitySearch(PublicView):
    """Communities whose name contains ``q`` (at most 20), with a point to fly to."""

    @extend_schema(
        parameters=[P("q", OpenApiTypes.STR, required=True)],
        responses={200: serializers.SearchResultSerializer(many=True)},
        tags=["public"],
    )
    def get(self, request):
        q = (request.query_params.get("q") or "").strip()
        if not q or len(q) > 64:
            raise ValidationError({"q": "1 to 64 characters"})
        return cached_response(
            request,
            name="search",
            params={"q": q},
            build=lambda: _dump(selectors.community_search(q)),
            content_type="application/json",
        )


class Districts(PublicView):
    """District codes and names (for the filter)."""

    @extend_schema(
        responses={200: serializers.DistrictSerializer(many=True)}, tags=["public"]
    )
    def get(self, request):
        return cached_response(
            request,
            name="district-list",
            params={},
            build=lambda: _dump(selectors.district_list()),
            content_type="application/json",
        )


class ProgressStats(PublicView):
    """Renovation progress per district and city against the three-year target."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, tags=["public"])
    def get(self, request):
        return cached_response(
            request,
            name="stats",
            params={},
            build=lambda programme: _dump(selectors.progress_stats(programme)),
            content_type="application/json",
            prepare=selectors.programme_targets,
        )


class FundingMix(PublicView):
    """Money by source per district and year (三, 六(二)): aggregates of the projects
    whose funding is public, read from the funding-mix view."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, tags=["public"])
    def get(self, request):
        return cached_response(
            request,
            name="funding-mix",
            params={},
            build=lambda: _dump(selectors.funding_mix()),
            content_type="application/json",
        )


class _VectorTile(PublicView):
    """A Mapbox vector tile for validated z/x/y, cached like every public answer."""

    cache_name = ""
    max_age = 300

    def tile(self, z: int, x: int, y: int) -> bytes:  # pragma: no cover - abstract
        raise NotImplementedError

    @extend_schema(
        responses={
            (200, "application/vnd.mapbox-vector-tile"): OpenApiResponse(
                OpenApiTypes.BINARY
            ),
            400: None,
        },
        parameters=[
            P("z", OpenApiTypes.INT, OpenApiParameter.PATH),
            P("x", OpenApiTypes.INT, OpenApiParameter.PATH),
            P("y", OpenApiTypes.INT, OpenApiParameter.PATH),
        ],
        tags=["public"],
    )
    def get(self, request, z: str, x: str, y: str):
        zi, xi, yi = params.parse_tile(z, x, y)
        if tiles.city_clip(zi, xi, yi) is None:
            # outside the city: nothing is stored there, answer without a query
            resp = HttpResponse(b"", content_type="application/vnd.mapbox-vector-tile")
            resp["Cache-Control"] = "public, max-age=86400"
            return resp
        return cached_response(
            request,
            name=self.cache_name,
            params={"z": zi, "x": xi, "y": yi},
            build=lambda: self.tile(zi, xi, yi),
            content_type="application/vnd.mapbox-vector-tile",
            max_age=self.max_age,
        )


class Tile(_VectorTile):
    """Mapbox vector tile: layers ``districts`` (all zooms) and ``communities`` (z ≥ 9)."""

    cache_name = "tile"

    def tile(self, z: int, x: int, y: int) -> bytes:
        return tiles.tile_bytes(z, x, y)


class BasemapTile(_VectorTile):
    """Mapbox vector tile of the city's basemap: layer ``basemap`` (``kind`` water / river
    / park / road / building, ``name``, ``class``), each kind from its own zoom
    (``public.tiles.BASEMAP_MIN_ZOOM``). Drawn by the maps when no online tiles are set."""

    cache_name = "basemap"
    max_age = 3600

    def tile(self, z: int, x: int, y: int) -> bytes:
        return tiles.basemap_tile_bytes(z, x, y)
