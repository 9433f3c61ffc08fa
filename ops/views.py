"""Health (load balancer), metrics (Prometheus) and the error page of a lost database."""

from __future__ import annotations

import sys

import prometheus_client
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import server_error as django_server_error

from accounts.monitoring import is_monitor
from accounts.permissions import ADMINS, actor_of
from layers.files import is_write_error

from . import health as checks
from . import metrics as exposition

#: seconds a client should wait before retrying while the database is away
RETRY_AFTER_S = 5


def _sees_figures(request) -> bool:
    return is_monitor(request) or actor_of(request.user).role in ADMINS


@never_cache
@require_GET
def health(request):
    """``{"status": ok|degraded|fail, "checks": {name: {"status": …}}}``; 503 when the
    database fails. Figures only for the monitoring and city administrators."""
    status, results = checks.health()
    detail = status != checks.FAIL and _sees_figures(request)
    body = {
        "status": status,
        "checks": {
            name: {"status": c.status, **(c.figures if detail else {})}
            for name, c in results.items()
        },
    }
    response = JsonResponse(body, status=503 if status == checks.FAIL else 200)
    if status == checks.FAIL:
        response["Retry-After"] = str(RETRY_AFTER_S)
    return response


@never_cache
@require_GET
def metrics(request):
    """Prometheus text exposition (who may scrape: the access policy, ``metrics``)."""
    return HttpResponse(
        exposition.exposition(), content_type=prometheus_client.CONTENT_TYPE_LATEST
    )


def _plain(request, message: str, status: int):
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(
        f"<!DOCTYPE html><meta charset=utf-8><title>{status}</title><p>{message}</p>",
        status=status,
    )


def server_error(request, *args, **kwargs):
    """``handler500``: a lost database answers 503 with Retry-After (the app
    reconnects by itself once it is back); a full disk or failed write 507 (the
    writer has removed what it had started); anything else is Django's 500."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        response = _plain(request, _("数据库暂时不可用，请稍后重试。"), 503)
        response["Retry-After"] = str(RETRY_AFTER_S)
        return response
    if exc is not None and is_write_error(exc):
        return _plain(
            request,
            _(
                "服务器无法写入文件（磁盘已满或写入失败），未保存任何内容；请联系管理员。"
            ),
            507,
        )
    return django_server_error(request, *args, **kwargs)
