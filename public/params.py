"""Query-parameter checks for the public endpoints: refuse with 400 before any query.

Every function here is pure (no database); views call them before touching the DB,
so abusive input (SECURITY.md G1/G2) costs no query at all.
"""

from __future__ import annotations

import re

from rest_framework.exceptions import ValidationError

from layers.api.params import parse_bbox
from layers.models import Stage

MAX_ZOOM = 20
MAX_PAGE = 1000
MAX_OFFSET = 10_000_000
_INT = re.compile(r"^\d{1,12}$")
_CODE = re.compile(r"^[\w-]{1,64}$")

__all__ = [
    "parse_bbox",
    "parse_code",
    "parse_filters",
    "parse_int",
    "parse_page",
    "parse_tile",
    "parse_zoom",
]


def parse_int(raw: str | None, name: str, lo: int, hi: int) -> int | None:
    """A decimal integer in [lo, hi]; ``None`` when absent."""
    if raw in (None, ""):
        return None
    raw = raw.strip()
    neg = raw.startswith("-")
    digits = raw[1:] if neg else raw
    if not _INT.match(digits):
        raise ValidationError({name: "expected an integer"})
    val = -int(digits) if neg else int(digits)
    if not lo <= val <= hi:
        raise ValidationError({name: f"must be between {lo} and {hi}"})
    return val


def parse_zoom(raw: str | None) -> int | None:
    return parse_int(raw, "zoom", 0, MAX_ZOOM)


def parse_code(raw: str | None, name: str = "code") -> str | None:
    if raw in (None, ""):
        return None
    if not _CODE.match(raw):
        raise ValidationError({name: "invalid code"})
    return raw


def parse_filters(params) -> dict:
    """bbox, district, stage (comma list), year_min, year_max, q — validated."""
    stages = None
    if params.get("stage"):
        stages = [s for s in params["stage"].split(",") if s]
        bad = [s for s in stages if s not in Stage.values]
        if bad or len(stages) > len(Stage.values):
            raise ValidationError({"stage": f"unknown stage(s): {bad[:3]}"})
    q = params.get("q") or None
    if q is not None and len(q) > 64:
        raise ValidationError({"q": "at most 64 characters"})
    out = {
        "bbox": parse_bbox(params.get("bbox")),
        "district": parse_code(params.get("district"), "district"),
        "stages": stages,
        "year_min": parse_int(params.get("year_min"), "year_min", 1900, 2100),
        "year_max": parse_int(params.get("year_max"), "year_max", 1900, 2100),
        "q": q,
    }
    if (
        out["year_min"] is not None
        and out["year_max"] is not None
        and out["year_min"] > out["year_max"]
    ):
        raise ValidationError({"year_min": "year_min > year_max"})
    return out


def parse_page(params, *, default: int = 100) -> tuple[int, int]:
    """OGC ``limit`` (clamped to MAX_PAGE, as the standard allows) and ``offset``."""
    limit = parse_int(params.get("limit"), "limit", 1, 10**12)
    limit = default if limit is None else min(limit, MAX_PAGE)
    offset = parse_int(params.get("offset"), "offset", 0, MAX_OFFSET) or 0
    return limit, offset


def parse_tile(z: str, x: str, y: str) -> tuple[int, int, int]:
    """z in [0, MAX_ZOOM], x and y in [0, 2^z); anything else is a 400 (tegola #334)."""
    zi = parse_int(z, "z", 0, MAX_ZOOM)
    if zi is None:
        raise ValidationError({"z": "required"})
    n = 2**zi
    xi = parse_int(x, "x", 0, n - 1)
    yi = parse_int(y, "y", 0, n - 1)
    if xi is None or yi is None:
        raise ValidationError({"tile": "x and y required"})
    return zi, xi, yi
