"""Prometheus metrics: requests (django-prometheus middleware) and runs (from the database).

Request counters and latency histograms are kept per process by django-prometheus;
with several gunicorn workers they are written to ``PROMETHEUS_MULTIPROC_DIR`` and
summed at scrape time (prometheus_client's multiprocess mode; ``make serve`` sets it).
Run figures are read from the database when scraped, so they are the same whichever
process answers and survive restarts.
"""

from __future__ import annotations

import os

import prometheus_client
from django.db.models import Count, Sum
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily, SummaryMetricFamily

from runs.models import AnalysisRun

from . import health


class RunCollector:
    """Analysis runs by kind and status, durations, the queue and the workers."""

    def collect(self):
        runs = GaugeMetricFamily(
            "geoapp_analysis_runs",
            "Analysis runs recorded, by kind and status",
            labels=["kind", "status"],
        )
        duration = SummaryMetricFamily(
            "geoapp_analysis_run_duration_seconds",
            "Duration of finished analysis runs",
            labels=["kind", "status"],
        )
        rows = AnalysisRun.objects.values("kind", "status").annotate(
            n=Count("id"), seconds=Sum("duration_s")
        )
        for row in rows.order_by():
            labels = [row["kind"], row["status"]]
            runs.add_metric(labels, row["n"])
            if row["status"] in (AnalysisRun.Status.DONE, AnalysisRun.Status.FAILED):
                duration.add_metric(labels, row["n"], row["seconds"] or 0.0)
        yield runs
        yield duration
        q = health.queue_figures()
        yield GaugeMetricFamily(
            "geoapp_queue_pending_runs", "Runs waiting for a worker", value=q["pending"]
        )
        yield GaugeMetricFamily(
            "geoapp_queue_oldest_pending_seconds",
            "Age of the oldest pending run (0 when none)",
            value=q["oldest_pending_s"] or 0.0,
        )
        w = health.worker_figures()
        yield GaugeMetricFamily(
            "geoapp_workers_alive",
            "Analysis workers with a fresh heartbeat",
            w["alive"],
        )
        yield GaugeMetricFamily(
            "geoapp_worker_heartbeat_age_seconds",
            "Age of the freshest worker heartbeat (-1 when none is alive)",
            value=-1.0 if w["heartbeat_age_s"] is None else w["heartbeat_age_s"],
        )


def exposition() -> bytes:
    """The text a scrape receives."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(RunCollector())
        return prometheus_client.generate_latest(registry)
    registry = prometheus_client.CollectorRegistry()
    registry.register(RunCollector())
    return prometheus_client.generate_latest(
        prometheus_client.REGISTRY
    ) + prometheus_client.generate_latest(registry)
