"""Residents' voice: the public submit/read API and the moderation queue."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from public.caching import unavailable
from public.selectors import PublicQueryTimeout, public_query

from . import selectors, services
from .models import Kind, Status, Suggestion, Topic

MAX_BODY = 16 * 1024


def _errors(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {k: " ".join(v) for k, v in exc.message_dict.items()}
    return {"detail": " ".join(exc.messages)}


@require_POST
def submit(request):
    """POST /api/public/voice/ (JSON or form): a new suggestion, pending moderation."""
    if len(request.body) > MAX_BODY:
        return JsonResponse({"detail": _("内容太长。")}, status=413)
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            data = None
    else:
        data = request.POST.dict()
    try:
        s = services.submit(data)
    except ValidationError as exc:
        return JsonResponse(_errors(exc), status=400)
    # nothing of the stored row comes back but its number: the contact stays inside
    return JsonResponse(
        {
            "id": s.pk,
            "status": Status.PENDING.value,
            "detail": _("感谢您的意见！审核后将公开答复。"),
        },
        status=201,
    )


@require_GET
@ensure_csrf_cookie
def community_voice(request, code: str):
    """GET /api/public/voice/<code>/: counts by topic and the published replies.

    Sets the CSRF cookie the public map's form posts with, hence never cached shared.
    """
    try:
        with public_query():
            data = selectors.community_voice(code[:64])
    except PublicQueryTimeout:
        return unavailable()
    if data is None:
        raise Http404
    resp = JsonResponse(data)
    resp["Cache-Control"] = "private, no-cache"
    return resp


@require_GET
def queue(request):
    """/voice/: the suggestions the user moderates, pending first."""
    status = request.GET.get("status", Status.PENDING)
    if status not in Status.values:
        status = Status.PENDING
    items = list(services.queue(request.user, status=status)[:200])
    return render(
        request,
        "voice/queue.html",
        {
            "items": items,
            "status": status,
            "statuses": Status.choices,
            "topics": dict(Topic.choices),
            "kinds": dict(Kind.choices),
        },
    )


@require_POST
def moderate(request, pk: int):
    """POST /voice/<pk>/: publish with a reply, or reject."""
    suggestion = get_object_or_404(
        Suggestion.objects.select_related("community"), pk=pk
    )
    try:
        s = services.moderate(request.user, suggestion, request.POST)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if s.status == Status.PUBLISHED:
            messages.success(request, _("已公开答复 #%(pk)s。") % {"pk": s.pk})
        else:
            messages.success(request, _("已不予公开 #%(pk)s。") % {"pk": s.pk})
    return redirect("voice-queue")
