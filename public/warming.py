"""Render the public map's first responses once, into the shared cache.

Called by the process that stores an analysis run (the analysis worker), after the
commit (``PUBLIC_WARM_AFTER_RUN``, on in production): the new run changes the public
data version, and these are the answers every visitor's first view asks for and the
slowest to build (statistics over the whole city, the city-wide GeoJSON). They go
through the same views as a visitor's request (same keys, same allowlists, anonymous),
are stored in the shared cache only (the access policy checks them as an anonymous
visitor's), and a key that a web process is building at that
moment is left to it (the builders' lock, public/caching.py).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import transaction
from django.test import RequestFactory
from django.urls import resolve

from .caching import shared_only

log = logging.getLogger(__name__)

#: what the public map and statistics page ask for first (static/maps/js/public.js)
WARM_PATHS = (
    "/api/public/stats/",
    "/api/public/districts.geojson?zoom=10",
    "/api/public/communities.geojson?zoom=11",
    "/api/public/districts/",
)


def warm() -> dict[str, str]:
    """{path: "hit" | "miss" | "stale" | status}; never raises (a failed warm-up only
    leaves the first visitor to build the body)."""
    factory = RequestFactory()
    out: dict[str, str] = {}
    t0 = time.perf_counter()
    with shared_only():
        for path in WARM_PATHS:
            try:
                request = factory.get(path)  # anonymous, as a visitor
                match = request.resolver_match = resolve(request.path)  # the policy
                resp = match.func(request, *match.args, **match.kwargs)
                out[path] = resp.get("X-Public-Cache") or str(resp.status_code)
            except Exception:
                log.warning("public warm-up of %s failed", path, exc_info=True)
                out[path] = "error"
    log.info(
        "public cache warmed in %.2f s: %s",
        time.perf_counter() - t0,
        ", ".join(f"{p} {s}" for p, s in out.items()),
    )
    return out


def warm_after_run(sender, instance, **_kwargs) -> None:
    """post_save of AnalysisRun: once the finished run is committed, :func:`warm`."""
    if not getattr(settings, "PUBLIC_WARM_AFTER_RUN", False):
        return
    if instance.finished_at is None or instance.status != instance.Status.DONE:
        return
    transaction.on_commit(warm)
