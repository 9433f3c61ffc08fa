"""Planner page: community candidates from OpenStreetMap, reviewed on a map and a table.

GET lists them (pending first) with the map; POST confirms one (completion year and
households, the estimate offered) or dismisses it, through :mod:`layers.candidates`,
which checks the district. Who may open the page is the policy's (planners,
``accounts/policy.py``). Only confirmed candidates become communities.
"""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.gis.db.models.functions import Transform
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from layers.candidates import candidate_confirm, candidate_dismiss, candidate_list
from layers.models import CommunityCandidate
from public.tiles import tiles_config


class ConfirmForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("小区名称"), max_length=128, required=False
    )
    completion_year = forms.IntegerField(
        label=gettext_lazy("建成年份"), min_value=1900, max_value=2100
    )
    households = forms.IntegerField(
        label=gettext_lazy("户数"), min_value=0, max_value=100_000, required=False
    )
    households_estimated = forms.BooleanField(
        label=gettext_lazy("户数为估算"), required=False
    )


def _geojson(rows) -> str:
    features = [
        {
            "type": "Feature",
            "id": c.pk,
            "geometry": json.loads(c.api_geom.geojson),
            "properties": {
                "id": c.pk,
                "name": c.name,
                "status": c.status,
                "households_estimate": c.households_estimate,
            },
        }
        for c in rows
    ]
    return {"type": "FeatureCollection", "features": features}


@require_GET
def candidates(request):
    rows = list(
        candidate_list()
        .annotate(api_geom=Transform("geom", settings.API_SRID))
        .order_by("-status", "name", "code")
    )
    pending = [c for c in rows if c.status == CommunityCandidate.Status.PENDING]
    context = {
        "pending": pending,
        "reviewed": [c for c in rows if c.status != CommunityCandidate.Status.PENDING],
        "geojson": _geojson(rows),
        "tiles": tiles_config(),
    }
    return render(request, "planner/candidates.html", context)


@require_POST
def candidate_confirm_view(request, pk: int):
    candidate = get_object_or_404(CommunityCandidate, pk=pk)
    form = ConfirmForm(request.POST, prefix=f"c{pk}")
    if not form.is_valid():
        messages.error(
            request, _("%(c)s：%(e)s") % {"c": candidate, "e": form.errors.as_text()}
        )
        return redirect("planner-candidates")
    d = form.cleaned_data
    try:
        community = candidate_confirm(
            user=request.user,
            candidate=candidate,
            completion_year=d["completion_year"],
            households=d["households"],
            households_estimated=d["households_estimated"],
            name=d["name"],
        )
    except ValidationError as exc:
        messages.error(
            request, _("%(c)s：%(e)s") % {"c": candidate, "e": "; ".join(exc.messages)}
        )
        return redirect("planner-candidates")
    messages.success(
        request,
        _("已确认 %(name)s（%(code)s），进入分析。")
        % {"name": community.name, "code": community.code},
    )
    return redirect("planner-candidates")


@require_POST
def candidate_dismiss_view(request, pk: int):
    candidate = get_object_or_404(CommunityCandidate, pk=pk)
    try:
        candidate_dismiss(
            user=request.user, candidate=candidate, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("planner-candidates")
    messages.success(request, _("已排除 %(c)s。") % {"c": candidate})
    return redirect("planner-candidates")
