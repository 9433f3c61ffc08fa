"""Planner page: what waits to be published to the public map, and the Publish button.

GET shows, per public layer, what publishing now would add, change and remove (the
public columns only, :func:`public.publishing.pending_changes`) and the last
publications; POST publishes (:func:`public.publishing.publish`, which checks the role
itself: city administrators only). Who may open the page is the policy's (signed-in
users, ``accounts/policy.py``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import ADMINS, actor_of
from public import publishing
from public.models import Publication

#: how many past publications the page lists
HISTORY = 10


@require_GET
def publish_page(request):
    layers = publishing.pending_changes()
    actor = actor_of(request.user)
    context = {
        "layers": layers,
        "pending": sum(layer["pending"] for layer in layers),
        "latest": publishing.latest(),
        "history": Publication.objects.select_related("published_by")[:HISTORY],
        "can_publish": actor.role in ADMINS,
        "labels": {s.key: str(s.label) for s in publishing.SNAPSHOTS},
    }
    return render(request, "planner/publish.html", context)


@require_POST
def publish_view(request):
    try:
        publication = publishing.publish(request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("planner-publish")
    done = publication.counts
    messages.success(
        request,
        _("已发布到公众地图：新增 %(a)d、修改 %(c)d、移除 %(r)d 项。")
        % {
            "a": sum(c["added"] for c in done.values()),
            "c": sum(c["changed"] for c in done.values()),
            "r": sum(c["removed"] for c in done.values()),
        },
    )
    return redirect("planner-publish")
