"""The access policy for DRF views (their default permission class)."""

from __future__ import annotations

from rest_framework import exceptions, permissions

from .permissions import actor_of
from .policy import access_for
from .ratelimits import over_rate


class PolicyPermission(permissions.BasePermission):
    """DRF's default permission: the view's URL name and method in ``POLICY``, with
    the user DRF authenticated; the URL's rate for anonymous visitors and viewers."""

    def has_permission(self, request, view) -> bool:
        match = getattr(request, "resolver_match", None)
        name = match.view_name if match else None
        access = access_for(name)
        if access is None:
            return False
        roles = access.roles(request.method)
        role = actor_of(request.user).role
        if roles is None or role not in roles:
            return False
        if over_rate(request, name, access, role):
            raise exceptions.Throttled(wait=60)
        return True
