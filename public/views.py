"""Public pages: the progress map, the statistics page and photos (no login)."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from layers.models import Stage

from . import charts, selectors, tiles
from .caching import cached_data, unavailable

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


@require_GET
def public_map(request):
    try:
        with selectors.public_query():
            districts = selectors.district_list()
            extent = selectors.district_extent()
            published_at = selectors.published_at()
    except selectors.PublicQueryTimeout:
        return unavailable()
    config = {
        "api": {
            "communities": reverse("public-communities"),
            "districts": reverse("public-districts"),
            "search": reverse("public-search"),
            "card": reverse("public-community", kwargs={"code": "CODE"}),
            # districts and communities (the allowlisted properties) as vector tiles
            "tiles": reverse(
                "public-tile", kwargs={"z": "0", "x": "0", "y": "0"}
            ).replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt"),
            "community_min_zoom": tiles.COMMUNITY_MIN_ZOOM,
        },
        "extent": extent,
        "stages": dict(Stage.choices),
        "districts": districts,
        "works": {"basic": "基础类", "improvement": "完善类", "enhancement": "提升类"},
        "tiles": tiles.tiles_config(),
    }
    return render(
        request,
        "public/map.html",
        {
            "map_config": config,
            "stages": Stage.choices,
            "districts": districts,
            "published_at": published_at,
        },
    )


@require_GET
def stats_page(request):
    try:
        # version-keyed like /api/public/stats/ (public_query inside, on a miss)
        stats = cached_data(
            "stats",
            {},
            selectors.progress_stats,
            prepare=selectors.programme_targets,
        )
    except selectors.PublicQueryTimeout:
        return unavailable()
    rows = [*stats["districts"], {**stats["city"], "name": _("全市")}]
    chart_list = [
        charts.bar_chart_svg(
            _("已改造小区（个）对比三年目标"),
            [(d["name"], d["renovated"], d["target"]) for d in rows],
        ),
        charts.bar_chart_svg(
            _("已改造户数对比三年目标"),
            [
                (d["name"], d["renovated_households"], d["target_households"])
                for d in rows
            ],
            colour="#00897b",
        ),
        charts.bar_chart_svg(
            _("改造范围内危房栋数（目标 0）"),
            [(d["name"], d["dangerous_buildings"], 0) for d in rows],
            colour="#e53935",
        ),
        charts.bar_chart_svg(
            _("加装电梯（部）"),
            [(d["name"], d["lifts_installed"], None) for d in rows],
            colour="#8e24aa",
        ),
        charts.bar_chart_svg(
            _("新增配套设施（处）"),
            [(d["name"], d["facilities_added"], None) for d in rows],
            colour="#43a047",
        ),
    ]
    return render(
        request,
        "public/stats.html",
        {"stats": stats, "rows": rows, "charts": chart_list},
    )


@require_GET
def photo(request, code: str, photo_id: int):
    """A before/after photo, only if it belongs to the public community ``code``."""
    try:
        with selectors.public_query():
            obj = selectors.photo_get(code=code, photo_id=photo_id)
    except selectors.PublicQueryTimeout:
        return unavailable()
    if obj is None or not obj.image:
        raise Http404
    ctype = mimetypes.guess_type(obj.image.name)[0] or ""
    if ctype not in IMAGE_TYPES:
        raise Http404
    try:
        fh = obj.image.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    resp = FileResponse(fh, content_type=ctype)
    resp["Cache-Control"] = "public, max-age=3600"
    return resp
