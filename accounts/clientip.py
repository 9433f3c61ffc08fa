"""The client's address, trusting X-Forwarded-For only as far as the configured proxies."""

from __future__ import annotations

from django.conf import settings


def client_ip(request, *_args) -> str:
    """``REMOTE_ADDR``, or with ``GEOAPP_TRUSTED_PROXIES = n`` the address the outermost
    of our n proxies saw (the n-th entry of ``X-Forwarded-For`` from the right): a
    client cannot choose its address by sending the header itself."""
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
    n = settings.GEOAPP_TRUSTED_PROXIES
    if n <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    return hops[-n] if len(hops) >= n else remote
