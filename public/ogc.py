"""OGC API – Features (Part 1 Core + GeoJSON) for the public layers, read-only.

/public/ogc/ landing, /conformance, /collections, /collections/<id>,
/collections/<id>/items (bbox, limit ≤ 1000, offset, next/prev links),
/collections/<id>/items/<fid>. QGIS: Layer ▸ Add WFS / OGC API – Features layer.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from rest_framework.exceptions import ValidationError

from layers import geojson

from . import params, selectors
from .caching import cached_response

GEOJSON = "application/geo+json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
COLLECTIONS = {
    "communities": {
        "title": "老旧小区改造进度 (communities by renovation stage)",
        "description": "Public fields only: " + ", ".join(selectors.COMMUNITY_FIELDS),
    },
    "districts": {
        "title": "区县 (districts)",
        "description": "Public fields only: " + ", ".join(selectors.DISTRICT_FIELDS),
    },
}


def _bad_request(exc: ValidationError) -> JsonResponse:
    return JsonResponse(
        {"code": "InvalidParameterValue", "detail": exc.detail}, status=400
    )


def _abs(request, name: str, **kw) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kw or None))


def _json(data, *, content_type="application/json") -> JsonResponse:
    resp = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    resp["Content-Type"] = content_type
    resp["Cache-Control"] = "public, max-age=300"
    resp["Access-Control-Allow-Origin"] = "*"
    return resp


@require_GET
def landing(request):
    return _json(
        {
            "title": f"{settings.CITY_NAME} 老旧小区改造公开数据",
            "description": "OGC API – Features: public renovation-progress layers.",
            "links": [
                {
                    "href": _abs(request, "ogc-landing"),
                    "rel": "self",
                    "type": "application/json",
                    "title": "this document",
                },
                {
                    "href": request.build_absolute_uri(reverse("schema"))
                    + "?format=json",
                    "rel": "service-desc",
                    "type": "application/vnd.oai.openapi+json;version=3.0",
                    "title": "OpenAPI definition",
                },
                {
                    "href": _abs(request, "ogc-conformance"),
                    "rel": "conformance",
                    "type": "application/json",
                    "title": "conformance classes",
                },
                {
                    "href": _abs(request, "ogc-collections"),
                    "rel": "data",
                    "type": "application/json",
                    "title": "collections",
                },
            ],
        }
    )


@require_GET
def conformance(request):
    return _json({"conformsTo": CONFORMANCE})


def _collection(request, cid: str) -> dict:
    ex = settings.CITY_EXTENT
    items = _abs(request, "ogc-items", cid=cid)
    return {
        "id": cid,
        "title": COLLECTIONS[cid]["title"],
        "description": COLLECTIONS[cid]["description"],
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [list(ex)], "crs": CRS84}},
        "links": [
            {
                "href": _abs(request, "ogc-collection", cid=cid),
                "rel": "self",
                "type": "application/json",
            },
            {"href": items, "rel": "items", "type": GEOJSON},
        ],
    }


@require_GET
def collections(request):
    return _json(
        {
            "links": [
                {
                    "href": _abs(request, "ogc-collections"),
                    "rel": "self",
                    "type": "application/json",
                }
            ],
            "collections": [_collection(request, cid) for cid in COLLECTIONS],
        }
    )


@require_GET
def collection(request, cid: str):
    if cid not in COLLECTIONS:
        raise Http404
    return _json(_collection(request, cid))


@require_GET
def items(request, cid: str):
    if cid not in COLLECTIONS:
        raise Http404
    try:
        limit, offset = params.parse_page(request.GET)
        bbox = params.parse_bbox(request.GET.get("bbox"))
    except ValidationError as exc:
        return _bad_request(exc)
    base = _abs(request, "ogc-items", cid=cid)

    def link(rel: str, off: int) -> dict:
        q = {"limit": limit, "offset": off}
        if request.GET.get("bbox"):
            q["bbox"] = ",".join(str(v) for v in bbox)
        qs = "&".join(f"{k}={v}" for k, v in q.items())
        return {"href": f"{base}?{qs}", "rel": rel, "type": GEOJSON}

    def build():
        if cid == "communities":
            rows, matched = selectors.community_feature_page(
                limit=limit, offset=offset, bbox=bbox
            )
        else:
            rows = selectors.district_features(zoom=None, bbox=bbox)
            matched = len(rows)
            rows = rows[offset : offset + limit]
        links = [link("self", offset)]
        if offset + len(rows) < matched:
            links.append(link("next", offset + limit))
        if offset > 0:
            links.append(link("prev", max(0, offset - limit)))
        return geojson.collection_text(
            rows,
            {
                "numberMatched": matched,
                "numberReturned": len(rows),
                "links": links,
            },
        )

    return cached_response(
        request,
        name=f"ogc-items-{cid}",
        params={
            "limit": limit,
            "offset": offset,
            "bbox": bbox,
            "host": request.get_host(),
        },
        build=build,
        content_type=GEOJSON,
    )


@require_GET
def item(request, cid: str, fid: str):
    if cid not in COLLECTIONS:
        raise Http404
    try:
        code = params.parse_code(fid, "featureId")
    except ValidationError as exc:
        return _bad_request(exc)

    def build():
        if cid == "communities":
            rows, _n = selectors.community_feature_page(limit=1, offset=0, code=code)
        else:
            rows = selectors.district_features(zoom=None, code=code)
        if not rows:
            return b""
        feature = json.loads(rows[0])
        feature["links"] = [
            {
                "href": _abs(request, "ogc-item", cid=cid, fid=code),
                "rel": "self",
                "type": GEOJSON,
            },
            {
                "href": _abs(request, "ogc-collection", cid=cid),
                "rel": "collection",
                "type": "application/json",
            },
        ]
        return json.dumps(feature, ensure_ascii=False)

    resp = cached_response(
        request,
        name=f"ogc-item-{cid}",
        params={"code": code, "host": request.get_host()},
        build=build,
        content_type=GEOJSON,
    )
    if resp.status_code == 200 and not resp.content:
        raise Http404
    return resp
