"""The planner workspace page."""

from django.shortcuts import render
from django.urls import reverse

from accounts.permissions import PLANNERS, actor_of
from layers.models import District
from programme.boards import default_plan_year
from public.maps import map_config


def workspace(request):
    actor = actor_of(request.user)
    config = map_config()
    config.update(
        {
            "features": reverse("planner-features", args=["KIND"]).replace("KIND/", ""),
            "search": reverse("planner-search"),
            "analyses": reverse("planner-analysis", args=["KIND"]).replace("KIND/", ""),
            "run_detail": reverse("analysis-run", args=[0]),
            "run_requeue": reverse("analysis-run-requeue", args=[0]),
            "blocks_export": reverse("blocks-run-geojson", args=[0]),
            "siting_export": reverse("siting-export", kwargs={"pk": 0, "fmt": "xlsx"}),
            "export": reverse("lifecircle-export", args=[0, "FMT"]),
            "role": actor.role,
            "district": actor.district_code or None,
            "can_run": actor.role in PLANNERS,
            "districts": list(District.objects.values("code", "name")),
        }
    )
    year = default_plan_year()
    return render(
        request,
        "planner/workspace.html",
        {
            "map_config": config,
            "programme_district": actor.district_code or "",
            "plan_year": year,
        },
    )
