"""Validation of query parameters shared by the map endpoints (refused with 400, never 500)."""

import math

from django.conf import settings
from rest_framework.exceptions import ValidationError


def parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    """Parse ``min_lon,min_lat,max_lon,max_lat``; refuse malformed, non-finite or absurd boxes."""
    if raw in (None, ""):
        return None
    parts = raw.split(",")
    if len(parts) != 4:
        raise ValidationError(
            {"bbox": "expected 4 numbers: min_lon,min_lat,max_lon,max_lat"}
        )
    try:
        vals = tuple(float(p) for p in parts)
    except ValueError as exc:
        raise ValidationError({"bbox": "bbox values must be numbers"}) from exc
    if not all(math.isfinite(v) for v in vals):
        raise ValidationError({"bbox": "bbox values must be finite"})
    minx, miny, maxx, maxy = vals
    if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
        raise ValidationError(
            {"bbox": "bbox must be ordered and within lon/lat bounds"}
        )
    ex = settings.CITY_EXTENT
    # clip to the city: nothing outside is stored anyway
    clipped = (max(minx, ex[0]), max(miny, ex[1]), min(maxx, ex[2]), min(maxy, ex[3]))
    if clipped[0] >= clipped[2] or clipped[1] >= clipped[3]:
        raise ValidationError({"bbox": "bbox does not overlap the city"})
    return clipped
