"""GeoJSON, built one way: each Feature is rendered as text by PostgreSQL, pasted as is.

The geometry is transformed to ``settings.API_SRID`` (EPSG:4326) and written by
``ST_AsGeoJSON``; the properties by ``json_build_object`` from the expressions a caller
names (model lookups, ``KT``/``Case`` expressions over JSON columns, …), so Python never
holds a geometry or a property dict per feature. Every GeoJSON the app serves — layers,
public map, life-circle results, siting candidates, blocks, review lists — goes through
:func:`feature_expr` and :func:`collection_text`.

``properties`` maps an output key to a lookup (``"district__name"``) or an expression;
keys keep their order. ``json_build_object`` takes at most 100 arguments, so wide
property sets are built in chunks and joined as text (still in order).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db.models import Expression, F, Func, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce
from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

#: pairs per json_build_object call (PostgreSQL's limit is 100 arguments)
_CHUNK = 45
#: the text inside an object's braces
_INNER = "left(right(%(expressions)s, -1), -1)"

Props = Mapping[str, "str | Expression | Func"]


def _expr(value: Any):
    return F(value) if isinstance(value, str) else value


class _JsonObject(Func):
    """``json_build_object(k1, v1, …)::text``."""

    function = "json_build_object"
    template = "%(function)s(%(expressions)s)::text"
    output_field = TextField()

    def __init__(self, pairs: list[tuple[str, Any]]):
        args: list[Any] = []
        for key, value in pairs:
            args += [Cast(Value(key), TextField()), _expr(value)]
        super().__init__(*args)


def properties_expr(properties: Props | Expression) -> Func | Expression:
    """The properties object as JSON text, keys in the given order (an expression
    that already yields a JSON object, as text or json/jsonb, is taken as it is)."""
    if isinstance(properties, Expression):
        return properties
    items = list(properties.items())
    if not items:
        return Value("{}", output_field=TextField())
    chunks = [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]
    if len(chunks) == 1:
        return _JsonObject(chunks[0])
    # '{"a" : 1}' → '"a" : 1' so that the chunks join into one object, in order
    parts: list[Any] = [Value("{")]
    for n, chunk in enumerate(chunks):
        if n:
            parts.append(Value(","))
        parts.append(
            Func(_JsonObject(chunk), template=_INNER, output_field=TextField())
        )
    parts.append(Value("}"))
    return Func(*parts, function="concat", output_field=TextField())


def geometry_expr(
    geom: str | Expression | None = "geom",
    *,
    simplify_m: float = 0.0,
    precision: int = 6,
) -> Func | Value:
    """The geometry as GeoJSON text in API_SRID, ``null`` when missing (or None)."""
    if geom is None:
        return Value("null", output_field=TextField())
    g = _expr(geom)
    if simplify_m > 0:
        g = Func(
            g,
            Value(simplify_m),
            function="ST_SimplifyPreserveTopology",
            output_field=GeometryField(srid=settings.SRID),
        )
    return Coalesce(
        AsGeoJSON(Transform(g, settings.API_SRID), precision=precision),
        Value("null"),
        output_field=TextField(),
    )


def feature_expr(
    properties: Props | Expression,
    *,
    id: str | Expression | None = None,
    geom: str | Expression | None = "geom",
    simplify_m: float = 0.0,
    precision: int = 6,
) -> Func:
    """One Feature as JSON text (``id`` left out when None)."""
    head: list[Any] = [Value('{"type":"Feature",')]
    if id is not None:
        head += [
            Value('"id":'),
            Func(_expr(id), function="to_json", output_field=TextField()),
            Value(","),
        ]
    return Func(
        *head,
        Value('"geometry":'),
        geometry_expr(geom, simplify_m=simplify_m, precision=precision),
        Value(',"properties":'),
        properties_expr(properties),
        Value("}"),
        function="concat",
        output_field=TextField(),
    )


def features(qs: QuerySet, properties: Props | Expression, **options) -> list[str]:
    """The queryset's features as text, in the queryset's order."""
    return list(
        qs.annotate(_feature=feature_expr(properties, **options)).values_list(
            "_feature", flat=True
        )
    )


def collection_text(feats: Iterable[str], head: Mapping[str, Any] | None = None) -> str:
    """A FeatureCollection from feature texts; ``head`` members come before features."""
    top = {"type": "FeatureCollection", **(head or {})}
    prefix = json.dumps(top, ensure_ascii=False, default=str)[:-1]
    return prefix + ',"features":[' + ",".join(feats) + "]}"


def collection(
    qs: QuerySet,
    properties: Props | Expression,
    *,
    head: Mapping[str, Any] | None = None,
    limit: int | None = None,
    **options,
) -> str:
    """A FeatureCollection of the queryset; with ``limit``, ``truncated`` says whether
    features were left out (never silently)."""
    top = dict(head or {})
    if limit is None:
        return collection_text(features(qs, properties, **options), top)
    feats = features(qs[: limit + 1], properties, **options)
    top["truncated"] = len(feats) > limit
    return collection_text(feats[:limit], top)


class JsonbMerge(Func):
    """``(a::jsonb || b::jsonb)::text``: the objects merged, later keys added (a ``CASE``
    may give ``'{}'`` so that a key is present only where it applies)."""

    template = "(((%(expressions)s)::jsonb)::text)"
    arg_joiner = ")::jsonb || ("
    output_field = TextField()


#: what ``json_script`` escapes, so that a text can sit inside <script> (in JSON these
#: characters only occur inside strings, where the escapes mean the same)
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def script_json(text: str, element_id: str) -> SafeString:
    """``<script type="application/json">`` holding a GeoJSON text (cf. ``json_script``)."""
    return format_html(
        '<script id="{}" type="application/json">{}</script>',
        element_id,
        mark_safe(text.translate(_SCRIPT_ESCAPES)),
    )


def response(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(text, content_type="application/json", status=status)
