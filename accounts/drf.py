"""The access policy for DRF views (their default permission class)."""

from __future__ import annotations

from rest_framework import exceptions, permissions

from .monitoring import is_monitor
from .permissions import MONITOR, actor_of
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
        if roles is not None and MONITOR in roles and is_monitor(request):
            return True
        role = actor_of(request.user).role
        if roles is None or role not in roles:
            return False
        if over_rate(request, name, access, role):
            raise exceptions.Throttled(wait=60)
        return True


class PrivateFieldsMixin:
    """A serializer that leaves out ``Meta.private_fields`` unless the requesting user's
    role sees private columns (accounts.permissions.PRIVATE_READERS)."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not actor_of(request.user).sees_private:
            private = set(getattr(self.Meta, "private_fields", ()))
            target = data.get("properties", data) if "properties" in data else data
            for name in private & set(target):
                del target[name]
        return data


def ctx(request) -> dict:
    """The serializer context of a view: the request (for PrivateFieldsMixin)."""
    return {"request": request}
