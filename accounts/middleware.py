"""Every request passes the access policy before its view runs (fail closed)."""

from __future__ import annotations

import logging

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.views import APIView

from .monitoring import is_monitor
from .permissions import MONITOR, actor_of
from .policy import Access, access_for
from .ratelimits import over_rate

log = logging.getLogger(__name__)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _forbidden(request, message: str):
    if _is_api(request):
        return JsonResponse({"detail": message}, status=403)
    raise PermissionDenied(message)


def _rate_limited(request, name: str, access: Access, role: str):
    """429 with Retry-After once the URL's rate is exceeded; None otherwise."""
    if not over_rate(request, name, access, role):
        return None
    response = JsonResponse({"detail": _("请求过于频繁，请稍后再试。")}, status=429)
    response["Retry-After"] = "60"
    return response


class PolicyMiddleware:
    """Look the resolved view up in ``accounts.policy.POLICY`` and refuse what it does
    not allow: anonymous visitors are sent to the login page (pages) or get 403 (API);
    a signed-in user without the role gets 403; a URL missing from the table gets 403
    and an error in the log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)
        if isinstance(view_class, type) and issubclass(view_class, APIView):
            return None  # DRF authenticates, then applies the same table (drf.py)
        match = request.resolver_match
        name = match.view_name if match else None
        access = access_for(name)
        if access is None:
            log.error(
                "URL %s (%s) is not in the access policy table", request.path, name
            )
            return _forbidden(request, _("该地址不在访问策略中。"))
        roles = access.roles(request.method)
        if roles is None:
            allowed = list(access.methods())
            if "GET" in allowed:
                allowed += ["HEAD", "OPTIONS"]
            return HttpResponseNotAllowed(allowed)
        if MONITOR in roles and is_monitor(request):
            return None
        actor = actor_of(request.user)
        if actor.role in roles:
            return _rate_limited(request, name, access, actor.role)
        if not actor.signed_in and not _is_api(request):
            return redirect_to_login(request.get_full_path())
        if not actor.signed_in:
            return _forbidden(request, _("请先登录。"))
        return _forbidden(
            request, _("您的角色（%(role)s）无权访问该地址。") % {"role": actor.label()}
        )
