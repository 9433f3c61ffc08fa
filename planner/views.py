"""The planner workspace page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from geoapp.views.home import map_config
from layers.models import District

from . import permissions


@login_required
def workspace(request):
    role, profile = permissions.role_of(request.user)
    config = map_config()
    config.update(
        {
            "features": reverse("planner-features", args=["KIND"]).replace("KIND/", ""),
            "search": reverse("planner-search"),
            "analyses": reverse("planner-analysis", args=["KIND"]).replace("KIND/", ""),
            "run_detail": reverse("analysis-run", args=[0]),
            "blocks_export": reverse("blocks-run-geojson", args=[0]),
            "siting_export": reverse("siting-export", kwargs={"pk": 0, "fmt": "xlsx"}),
            "export": reverse("lifecircle-export", args=[0, "FMT"]),
            "role": role,
            "district": profile.district.code if profile and profile.district else None,
            "can_run": permissions.can_run_analyses(request.user),
            "districts": list(District.objects.values("code", "name")),
        }
    )
    return render(request, "planner/workspace.html", {"map_config": config})
