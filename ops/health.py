"""What the health endpoint and the metrics report: database, queue, workers, disk.

Each check gives a status (``ok``, ``warn``, ``fail``) and figures. The database is the
only check that makes the whole answer ``fail`` (HTTP 503: take this server out of
rotation); a missing analysis worker, an old pending run or a filling disk make it
``degraded`` (HTTP 200: the server still answers the map, someone should look).
Every query runs under a short statement timeout, so the check itself cannot hang.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from runs import workers
from runs.models import AnalysisRun

OK, WARN, FAIL = "ok", "warn", "fail"
#: statement timeout of the health queries (ms)
TIMEOUT_MS = 2000


@dataclass
class Check:
    status: str
    figures: dict[str, Any] = field(default_factory=dict)


def _database() -> Check:
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL statement_timeout = %s", [TIMEOUT_MS])
        cur.execute("SELECT 1")
        cur.fetchone()
    return Check(OK, {"latency_ms": round((time.perf_counter() - started) * 1000, 1)})


def queue_figures() -> dict[str, Any]:
    """Pending and running runs, and the age of the oldest pending one (seconds)."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL statement_timeout = %s", [TIMEOUT_MS])
        pending = AnalysisRun.objects.filter(status=AnalysisRun.Status.PENDING)
        oldest = pending.order_by("created_at").values_list("created_at", flat=True)
        first = oldest.first()
        return {
            "pending": pending.count(),
            "running": AnalysisRun.objects.filter(
                status=AnalysisRun.Status.RUNNING
            ).count(),
            "oldest_pending_s": round((timezone.now() - first).total_seconds(), 1)
            if first
            else None,
        }


def _queue() -> Check:
    figures = queue_figures()
    old = figures["oldest_pending_s"]
    late = old is not None and old > settings.GEOAPP_QUEUE_MAX_WAIT_S
    return Check(WARN if late else OK, figures)


def worker_figures() -> dict[str, Any]:
    alive = workers.workers_alive()
    now = timezone.now()
    ages = [(now - b.last_seen).total_seconds() for b in alive]
    return {
        "alive": len(alive),
        "heartbeat_age_s": round(min(ages), 1) if ages else None,
    }


def _worker() -> Check:
    figures = worker_figures()
    return Check(OK if figures["alive"] else WARN, figures)


def disk_paths() -> dict[str, Path]:
    """Where the app writes: media (photos, rasters) and the scratch directory
    (uploads, exports)."""
    scratch = getattr(settings, "GEOAPP_UPLOAD_TMP_DIR", None) or tempfile.gettempdir()
    return {"media": Path(settings.MEDIA_ROOT), "scratch": Path(scratch)}


def _existing(p: Path) -> Path:
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _disk() -> Check:
    figures, status = {}, OK
    for name, path in disk_paths().items():
        usage = shutil.disk_usage(_existing(path))
        free = usage.free / usage.total if usage.total else 0.0
        figures[f"{name}_free_bytes"] = usage.free
        figures[f"{name}_free_fraction"] = round(free, 4)
        if usage.free < settings.GEOAPP_DISK_MIN_FREE_MB * 1024 * 1024:
            status = WARN
    return Check(status, figures)


CHECKS = {"database": _database, "queue": _queue, "worker": _worker, "disk": _disk}


def health() -> tuple[str, dict[str, Check]]:
    """The overall status (``ok`` / ``degraded`` / ``fail``) and every check."""
    results: dict[str, Check] = {}
    for name, fn in CHECKS.items():
        try:
            results[name] = fn()
        except (DatabaseError, OSError) as exc:
            results[name] = Check(FAIL, {"error": type(exc).__name__})
            if isinstance(exc, DatabaseError):
                connection.close_if_unusable_or_obsolete()
    if results["database"].status == FAIL:
        return FAIL, results
    if any(c.status != OK for c in results.values()):
        return "degraded", results
    return OK, results
