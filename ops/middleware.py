"""A request id for every request (``X-Request-ID``) and one access-log line per request."""

from __future__ import annotations

import logging
import time

from accounts.clientip import client_ip

from . import requestid

log = logging.getLogger("geoapp.request")


class RequestIdMiddleware:
    """Outermost: takes the proxy's ``X-Request-ID`` (when well-formed) or makes one,
    puts it on every log line written while serving, returns it in the response and
    logs method, path, status and duration (gunicorn's own access log is off)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = requestid.request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.id = rid
        token = requestid.set_current(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "client": client_ip(request),
                },
            )
            return response
        finally:
            requestid.reset(token)
