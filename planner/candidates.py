"""Planner page: community candidates from OpenStreetMap, reviewed on a map and a table.

GET lists them (pending first) with the map; POST confirms one (completion year and
households, the estimate offered) or dismisses it, through :mod:`layers.candidates`,
which checks the district. Who may open the page is the policy's (planners,
``accounts/policy.py``). Only confirmed candidates become communities.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from layers import geojson
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


@require_GET
def candidates(request):
    qs = candidate_list().order_by("-status", "name", "code")
    rows = list(qs.defer("geom"))
    pending = [c for c in rows if c.status == CommunityCandidate.Status.PENDING]
    context = {
        "pending": pending,
        "reviewed": [c for c in rows if c.status != CommunityCandidate.Status.PENDING],
        "geojson": geojson.script_json(
            geojson.collection(
                qs,
                {
                    "id": "pk",
                    "name": "name",
                    "status": "status",
                    "households_estimate": "households_estimate",
                },
                id="pk",
            ),
            "candidates-data",
        ),
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
