"""The monitoring role: a scraper or a load balancer, known by a token or its address.

Not a user: a request is a monitoring request when it carries
``Authorization: Bearer <GEOAPP_MONITORING_TOKEN>`` (compared in constant time) or
comes from an address in ``GEOAPP_MONITORING_ADDRESSES`` (networks, e.g.
``10.0.0.5/32``; the client address as :func:`accounts.clientip.client_ip` sees it,
so X-Forwarded-For counts only through the configured proxies). Both are empty by
default: then only city administrators qualify.
"""

from __future__ import annotations

import hmac
import ipaddress
from functools import lru_cache

from django.conf import settings

from .clientip import client_ip


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(s.strip(), strict=False) for s in spec if s)


def is_monitor(request) -> bool:
    """Does ``request`` come from the configured monitoring (token or address)?"""
    token = settings.GEOAPP_MONITORING_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if (
        token
        and header.startswith("Bearer ")
        and hmac.compare_digest(header[7:].strip().encode(), token.encode())
    ):
        return True
    nets = _networks(tuple(settings.GEOAPP_MONITORING_ADDRESSES))
    if not nets:
        return False
    try:
        addr = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(addr in net for net in nets)
