"""Rate limits of the access policy (``Access.rate``), counted by django-ratelimit."""

from __future__ import annotations

from django.conf import settings
from django_ratelimit.core import is_ratelimited

from .policy import RATE_LIMITED, Access


def over_rate(request, name: str, access: Access, role: str) -> bool:
    """Has an anonymous visitor (per address) or a viewer (per user) exceeded the
    URL's rate? Counts this request."""
    if not (access.rate and role in RATE_LIMITED and settings.RATELIMIT_ENABLE):
        return False
    return is_ratelimited(
        request, group=name, key="user_or_ip", rate=access.rate, increment=True
    )
