"""Health for a load balancer (statuses for everyone, figures for the monitoring),
Prometheus metrics (never public), request ids, JSON logs, the error pages of a lost
database and of a full disk."""

from __future__ import annotations

import errno
import json
import logging
import os
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import Role
from ops import logs, requestid
from ops.views import server_error
from runs.models import AnalysisRun, WorkerHeartbeat
from tests import factories

pytestmark = pytest.mark.django_db
TOKEN = "monitoring-token-for-tests-0123456789"


@pytest.fixture
def monitoring(settings):
    settings.GEOAPP_MONITORING_TOKEN = TOKEN
    settings.GEOAPP_MONITORING_ADDRESSES = []
    return {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


def beat(**kw) -> WorkerHeartbeat:
    now = timezone.now()
    fields = {
        "worker_id": "w-test",
        "hostname": __import__("socket").gethostname(),
        "pid": os.getpid(),
        "started_at": now,
        "last_seen": now,
    }
    fields.update(kw)
    return WorkerHeartbeat.objects.create(**fields)


def test_anonymous_health_has_statuses_and_no_figures(client, monitoring):
    r = client.get("/health/")
    assert r.status_code == 200
    body = r.json()
    # no worker has ever beaten: degraded, still 200 (the map is served)
    assert body["status"] == "degraded"
    assert body["checks"]["worker"] == {"status": "warn"}
    assert body["checks"]["database"] == {"status": "ok"}
    assert set(body["checks"]["disk"]) == {"status"}
    assert r["Cache-Control"].startswith("max-age=0")


def test_monitoring_sees_the_figures(client, monitoring):
    beat()
    run = AnalysisRun.objects.create(kind="lifecircle", status="pending")
    AnalysisRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - timedelta(minutes=2)
    )
    r = client.get("/health/", **monitoring)
    body = r.json()
    assert body["status"] == "ok"
    checks = body["checks"]
    assert checks["worker"]["alive"] == 1
    assert checks["worker"]["heartbeat_age_s"] < 5
    assert checks["queue"]["pending"] == 1
    assert 120 <= checks["queue"]["oldest_pending_s"] < 180
    assert checks["disk"]["media_free_bytes"] > 0
    assert checks["database"]["latency_ms"] > 0


def test_a_silent_or_stopped_worker_is_not_alive(client, monitoring):
    beat(last_seen=timezone.now() - timedelta(seconds=120))
    beat(worker_id="stopped", stopped_at=timezone.now())
    beat(worker_id="gone", pid=2**22 + 12345)  # no such process on this host
    checks = client.get("/health/", **monitoring).json()["checks"]
    assert checks["worker"] == {"status": "warn", "alive": 0, "heartbeat_age_s": None}


def test_old_pending_run_degrades(client, monitoring, settings):
    settings.GEOAPP_QUEUE_MAX_WAIT_S = 60
    beat()
    run = AnalysisRun.objects.create(kind="lifecircle", status="pending")
    AnalysisRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    body = client.get("/health/", **monitoring).json()
    assert body["status"] == "degraded"
    assert body["checks"]["queue"]["status"] == "warn"


def test_metrics_are_not_public(client, monitoring):
    assert client.get("/metrics").status_code in (302, 403)
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code in (
        302,
        403,
    )
    client.force_login(factories.user("street-s", Role.VIEWER))
    assert client.get("/metrics").status_code == 403


def test_metrics_for_the_token_an_address_or_a_city_admin(client, monitoring, settings):
    AnalysisRun.objects.create(kind="siting", status="done", duration_s=2.5)
    r = client.get("/metrics", **monitoring)
    assert r.status_code == 200
    text = r.content.decode()
    assert 'geoapp_analysis_runs{kind="siting",status="done"} 1.0' in text
    assert (
        'geoapp_analysis_run_duration_seconds_sum{kind="siting",status="done"} 2.5'
        in (text)
    )
    assert "geoapp_queue_pending_runs 0.0" in text
    assert "django_http_requests_total_by_method_total" in text
    settings.GEOAPP_MONITORING_TOKEN = ""
    settings.GEOAPP_MONITORING_ADDRESSES = ["127.0.0.0/8"]
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    settings.GEOAPP_MONITORING_ADDRESSES = ["10.1.2.3/32"]
    assert client.get("/metrics").status_code in (302, 403)
    client.force_login(factories.user("admin-c", Role.CITY_ADMIN))
    assert client.get("/metrics").status_code == 200


def test_request_id_is_kept_or_made_and_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="geoapp.request")
    given = "lb-5f2d9c0e-aaaa"
    r = client.get("/health/", HTTP_X_REQUEST_ID=given)
    assert r["X-Request-ID"] == given
    line = next(rec for rec in caplog.records if rec.name == "geoapp.request")
    assert (line.status, line.path) == (200, "/health/")
    made = client.get("/health/", HTTP_X_REQUEST_ID="bad id with spaces")[
        "X-Request-ID"
    ]
    assert made != "bad id with spaces" and len(made) == 32


def test_json_log_lines_carry_the_request_id():
    record = logging.LogRecord(
        "geoapp.x", logging.WARNING, __file__, 1, "水 %s", ("ok",), None
    )
    token = requestid.set_current("req-12345678")
    try:
        requestid.RequestIdFilter().filter(record)
    finally:
        requestid.reset(token)
    line = json.loads(logs.json_formatter().format(record))
    assert line["message"] == "水 ok"
    assert line["request_id"] == "req-12345678"
    assert line["level"] == "WARNING" and line["logger"] == "geoapp.x"
    assert line["time"].endswith("+00:00")


def test_lost_database_answers_503_with_retry_after():
    request = RequestFactory().get("/api/public/stats/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "数据库暂时不可用" in json.loads(response.content)["detail"]


def test_failed_write_answers_507():
    request = RequestFactory().get("/layers/export/amenity.csv")
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as exc:
            raise RuntimeError("writer failed") from exc
    except RuntimeError:
        response = server_error(request)
    assert response.status_code == 507
    assert "磁盘已满" in response.content.decode()
