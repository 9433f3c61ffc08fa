"""Public pages: the progress map, the statistics page and photos (no login)."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from layers.models import Stage

from . import charts, selectors, tiles
from .caching import cached_data, unavailable
from .definitions import stats_definitions

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}

#: the funding sources of the public funding mix (三, 六(二)), in the selector's order
SOURCE_LABELS = {
    "central_special": gettext_lazy("中央补助资金"),
    "special_bonds": gettext_lazy("专项债券"),
    "district_special": gettext_lazy("区级专项资金"),
    "city_subsidy": gettext_lazy("市级补助"),
    "utilities": gettext_lazy("管线单位"),
    "original_units": gettext_lazy("原产权单位"),
    "owners_direct": gettext_lazy("居民直接出资"),
    "provident_fund": gettext_lazy("个人提取公积金"),
    "maintenance_fund": gettext_lazy("专项维修资金"),
    "social_capital": gettext_lazy("社会资本"),
    "bank_insurance": gettext_lazy("银行、保险融资"),
}
#: payer groups of the funding split and their chart colours (≥ 3:1 on white)
GROUP_LABELS = {
    "government": (gettext_lazy("政府资金"), "#1565c0"),
    "owners": (gettext_lazy("居民出资"), "#2e7d32"),
    "utilities": (gettext_lazy("管线单位"), "#c43e00"),
    "social_capital": (gettext_lazy("社会资金"), "#6a1b9a"),
}


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
        "works": {
            "basic": _("基础类"),
            "improvement": _("完善类"),
            "enhancement": _("提升类"),
        },
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
    try:
        mix = cached_data("funding-mix", {}, selectors.funding_mix)
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
        {
            "stats": stats,
            "rows": rows,
            "charts": chart_list,
            **_funding_mix_context(mix),
            "definitions": [
                *stats_definitions(
                    stats, selectors.targets().get("renovated_stages", [])
                ),
                (
                    _("资金来源构成"),
                    _(
                        "已列入年度计划及以后阶段的改造项目的资金来源（中央补助资金、"
                        "专项债券、区级专项资金、市级补助、管线单位、原产权单位、居民出资"
                        "（含公积金、维修资金）、社会资本、银行保险融资），按区县和资金"
                        "安排年度汇总；只公开汇总数。"
                    ),
                ),
            ],
        },
    )


def _funding_mix_context(mix: dict) -> dict:
    """The funding mix section: a 100 % bar per district and year by payer group,
    and the table of every source (the same numbers, readable without the chart)."""
    groups = list(GROUP_LABELS)
    lines = [(f"{r['district_name']} {r['year']}", r) for r in mix["rows"]] + [
        (_("全市 %(year)s") % {"year": r["year"]}, r) for r in mix["city"]
    ]
    chart = None
    if lines:
        chart = charts.stacked_bar_svg(
            _("改造资金来源构成（按区县、年度）"),
            [(label, [float(r["by_group"][g]) for g in groups]) for label, r in lines],
            [(str(GROUP_LABELS[g][0]), GROUP_LABELS[g][1]) for g in groups],
            unit=_("元"),
        )
    return {
        "mix_chart": chart,
        "mix_sources": [(s, SOURCE_LABELS.get(s, s)) for s in mix["sources"]],
        "mix_rows": [
            {
                "label": label,
                "total": r["total_yuan"],
                "amounts": [r["by_source"][s] for s in mix["sources"]],
                "city": "district_code" not in r,
            }
            for label, r in lines
        ],
        "mix_definition": mix["definition"],
    }


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
