"""The planner workspace page."""

from django.shortcuts import render

from accounts.permissions import PLANNERS, actor_of
from layers.models import District
from programme.boards import default_plan_year
from public.publishing import pending_total
from runs.workers import workers_available

from .mapconfig import editable_kinds, map_config


def workspace(request):
    actor = actor_of(request.user)
    config = map_config()
    config.update(
        {
            "kinds": editable_kinds(),
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
            "kinds": config["kinds"],
            "programme_district": actor.district_code or "",
            "plan_year": year,
            # no living analysis worker: queued analyses would wait forever
            "no_worker": actor.role in PLANNERS and workers_available() == 0,
            # imports and edits waiting to reach the public map (planner/publish.py)
            "unpublished": pending_total(),
        },
    )
