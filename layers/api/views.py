"""Read-only GeoJSON endpoints, one per layer, with bbox filtering and a feature cap."""

import json
from decimal import Decimal

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from accounts.permissions import actor_of
from layers import selectors
from layers.models import AmenityCategory

from . import serializers
from .params import parse_bbox

MAX_FEATURES = 20_000

BBOX_PARAM = OpenApiParameter(
    "bbox", OpenApiTypes.STR, description="min_lon,min_lat,max_lon,max_lat (EPSG:4326)"
)


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


class LayerView(generics.GenericAPIView):
    """GeoJSON FeatureCollection of a layer, optionally within a bbox; capped at MAX_FEATURES.

    The serializer documents the schema; the response is assembled from ``values()`` with the
    geometry already GeoJSON from PostGIS (``ST_AsGeoJSON``), ~20× faster than serializing
    model instances field by field.
    """

    selector = None

    def get_queryset(self):
        return type(self).selector()

    def _lookups(self) -> dict[str, str]:
        """Output property → ORM lookup, from the serializer's allowlisted fields."""
        return {
            name: (fld.source or name).replace(".", "__")
            for name, fld in self._serializer_fields()
        }

    def _serializer_fields(self):
        ser = self.get_serializer_class()()
        hidden = {ser.Meta.geo_field}
        if not actor_of(self.request.user).sees_private:
            hidden |= set(ser.Meta.model.private_fields)
        return [(n, f) for n, f in ser.fields.items() if n not in hidden]

    @extend_schema(parameters=[BBOX_PARAM])
    def get(self, request):
        bbox = parse_bbox(request.query_params.get("bbox"))
        qs = selectors.in_bbox(self.get_queryset(), bbox)
        lookups = self._lookups()
        qs = qs.annotate(_gj=AsGeoJSON("api_geom", precision=7))
        rows = list(
            qs.values("code", "_gj", *set(lookups.values()))[: MAX_FEATURES + 1]
        )
        truncated = len(rows) > MAX_FEATURES
        parts = []
        for r in rows[:MAX_FEATURES]:
            props = {name: _plain(r[lk]) for name, lk in lookups.items()}
            parts.append(
                '{"type":"Feature","id":'
                + json.dumps(r["code"])
                + ',"geometry":'
                + r["_gj"]
                + ',"properties":'
                + json.dumps(props, ensure_ascii=False)
                + "}"
            )
        body = (
            '{"type":"FeatureCollection","truncated":'
            + ("true" if truncated else "false")
            + ',"features":['
            + ",".join(parts)
            + "]}"
        )
        return HttpResponse(body, content_type="application/json")


class DistrictLayer(LayerView):
    serializer_class = serializers.DistrictSerializer
    selector = staticmethod(selectors.district_list)


class StreetLayer(LayerView):
    serializer_class = serializers.StreetSerializer
    selector = staticmethod(selectors.street_list)


class CommunityLayer(LayerView):
    serializer_class = serializers.CommunitySerializer
    selector = staticmethod(selectors.community_list)


class IdleLandLayer(LayerView):
    serializer_class = serializers.IdleLandSerializer
    selector = staticmethod(selectors.idle_land_list)


class VacantHousingLayer(LayerView):
    serializer_class = serializers.VacantHousingSerializer
    selector = staticmethod(selectors.vacant_housing_list)


class AmenityLayer(LayerView):
    serializer_class = serializers.AmenitySerializer
    selector = staticmethod(selectors.amenity_list)


class WalkSegmentLayer(LayerView):
    serializer_class = serializers.WalkSegmentSerializer
    selector = staticmethod(selectors.walk_segment_list)


class AmenityCategoryList(generics.ListAPIView):
    """The facility categories of the life-circle standard."""

    serializer_class = serializers.AmenityCategorySerializer
    queryset = AmenityCategory.objects.all()
