"""Read-only GeoJSON endpoints, one per layer, with bbox filtering and a feature cap."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from accounts.permissions import actor_of
from layers import geojson, selectors
from layers.models import AmenityCategory

from . import serializers
from .params import parse_bbox

MAX_FEATURES = 20_000

BBOX_PARAM = OpenApiParameter(
    "bbox", OpenApiTypes.STR, description="min_lon,min_lat,max_lon,max_lat (EPSG:4326)"
)


class LayerView(generics.GenericAPIView):
    """GeoJSON FeatureCollection of a layer, optionally within a bbox; capped at MAX_FEATURES.

    The serializer documents the schema and names the allowlisted properties; PostgreSQL
    renders the features (:mod:`layers.geojson`), ~20× faster than serializing model
    instances field by field.
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
        return geojson.response(
            geojson.collection(
                qs,
                self._lookups(),
                id="code",
                precision=7,
                limit=MAX_FEATURES,
            )
        )


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


class SpecialWorkLayer(LayerView):
    serializer_class = serializers.SpecialWorkSerializer
    selector = staticmethod(selectors.special_work_list)


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
