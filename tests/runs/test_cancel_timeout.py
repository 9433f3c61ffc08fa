"""Runs that say what they are doing: queue position, elapsed time, living workers,
cancel (checked against role and district, honoured by the worker) and the timeout,
on real PostGIS with real life-circle runs (tests/lifecircle/city.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import Role
from lifecircle.models import CoverageResult
from runs import queue
from runs.lifecycle import RunStopped
from runs.models import AnalysisRun
from runs.registry import run_kind_get
from runs.status import run_status
from runs.workers import worker_register, worker_stop
from tests import factories
from tests.lifecircle import city as lifecircle_city

pytestmark = pytest.mark.django_db(transaction=True)

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def city(reference_data):
    data = lifecircle_city.build()
    data["root"] = get_user_model().objects.create_superuser(
        "root", "r@example.org", "pw-123456"
    )
    return data


@pytest.fixture
def queued(settings):
    """Runs wait in the PostgreSQL queue (no worker takes them here)."""
    settings.TASKS = DB_QUEUE


def _enqueue(user, district=None):
    params = {"district": district} if district else {}
    return queue.analysis_run_enqueue(kind="lifecircle", parameters=params, user=user)


def test_a_pending_run_shows_its_place_in_the_queue_and_no_worker(city, queued):
    first = _enqueue(city["root"])
    second = _enqueue(city["root"])
    s1, s2 = run_status(first.pk), run_status(second.pk)
    assert (s1.queue_position, s2.queue_position) == (1, 2)
    assert s1.workers == 0 and s1.cancellable
    assert s2.elapsed_s >= 0
    # a worker's fresh heartbeat (this process) counts; a stopped one does not
    worker_register("test-worker")
    assert run_status(first.pk).workers == 1
    worker_stop("test-worker")
    assert run_status(first.pk).workers == 0


def test_a_cancelled_pending_run_is_never_started(city, queued):
    run = _enqueue(city["root"])
    queue.analysis_run_cancel(run_id=run.pk, user=city["root"])
    # the worker takes the task later: it must not start the run
    queue.analysis_run_execute.call(run.pk)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.CANCELLED
    assert run.progress == 0 and run.summary == {}
    assert "取消" in run.error and "root" in run.error
    assert not CoverageResult.objects.filter(run=run).exists()


def test_a_running_run_stops_at_its_next_step_leaving_no_results(city, queued):
    """The planner cancels while the run loads its layers: at the next progress step
    (before storing) the service stops; no coverage rows, the run stays cancelled."""
    run = _enqueue(city["root"])
    report = queue._progress(run.pk)

    def progress(pct, label):
        if pct == 80:  # the layers are read, the results computed, not yet stored
            queue.analysis_run_cancel(run_id=run.pk, user=city["root"])
        report(pct, label)

    spec = run_kind_get("lifecircle")
    with pytest.raises(RunStopped):
        spec.execute(run=run, user=city["root"], **run.request, progress=progress)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.CANCELLED
    assert not CoverageResult.objects.filter(run=run).exists()
    # the same request, not cancelled, stores its results (the test can fail)
    again = _enqueue(city["root"])
    queue.analysis_run_execute.call(again.pk)
    again.refresh_from_db()
    assert again.status == AnalysisRun.Status.DONE
    assert CoverageResult.objects.filter(run=again).count() == 2


def test_cancel_is_checked_against_role_and_district(city, queued):
    district = city["street"].district
    other = factories.district(code="D999", name="别的区")
    own = factories.user("own", Role.DISTRICT_PLANNER, district=district)
    stranger = factories.user("stranger", Role.DISTRICT_PLANNER, district=other)
    viewer = factories.user("viewer")
    run = _enqueue(own, district=district.code)
    for user in (stranger, viewer, None):
        with pytest.raises(PermissionDenied):
            queue.analysis_run_cancel(run_id=run.pk, user=user)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.PENDING
    # a city-wide run: only a city administrator may cancel it
    city_run = _enqueue(city["root"])
    with pytest.raises(PermissionDenied):
        queue.analysis_run_cancel(run_id=city_run.pk, user=own)
    queue.analysis_run_cancel(run_id=run.pk, user=own)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.CANCELLED
    # a finished run cannot be cancelled: a sentence, not a change
    with pytest.raises(ValueError, match="只能取消排队中或运行中的分析"):
        queue.analysis_run_cancel(run_id=run.pk, user=own)


def test_the_api_cancels_and_speaks_the_users_language(city, queued, client):
    district = city["street"].district
    own = factories.user("own", Role.DISTRICT_PLANNER, district=district)
    stranger = factories.user(
        "stranger",
        Role.DISTRICT_PLANNER,
        district=factories.district(code="D998", name="别的区"),
    )
    run = _enqueue(own, district=district.code)
    url = reverse("analysis-run-cancel", args=[run.pk])
    client.force_login(stranger)
    assert client.post(url).status_code == 403
    client.force_login(own)
    body = client.get(reverse("analysis-run", args=[run.pk])).json()
    assert (body["status"], body["status_label"]) == ("pending", "排队中")
    assert body["queue_position"] == 1 and body["workers"] == 0
    assert body["cancellable"] is True
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    res = client.post(url)
    assert res.status_code == 200, res.content
    body = res.json()
    assert (body["status"], body["status_label"]) == ("cancelled", "Cancelled")
    assert body["cancellable"] is False and "cancelled" in body["error"].lower()
    again = client.post(url)
    assert again.status_code == 400
    client.logout()
    assert client.post(url).status_code in (302, 403)


@pytest.mark.parametrize(
    ("lang", "label", "words"),
    [("zh-hans", "失败", "超时"), ("en", "Failed", "timed out")],
)
def test_a_run_past_the_timeout_is_failed_with_a_reason(
    city, queued, client, settings, lang, label, words
):
    settings.GEOAPP_RUN_TIMEOUT_S = 60
    run = _enqueue(city["root"])
    fresh = _enqueue(city["root"])
    AnalysisRun.objects.filter(pk=run.pk).update(
        created_at=run.created_at - timedelta(seconds=61)
    )
    client.force_login(city["root"])
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = lang
    body = client.get(reverse("analysis-run", args=[run.pk])).json()
    assert (body["status"], body["status_label"]) == ("failed", label)
    assert words in body["error"] and body["cancellable"] is False
    # the worker that takes the task later does not start it
    queue.analysis_run_execute.call(run.pk)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.FAILED
    assert not CoverageResult.objects.filter(run=run).exists()
    # a run within the timeout is untouched, and the failed one can be queued again
    assert run_status(fresh.pk).run.status == AnalysisRun.Status.PENDING
    assert queue.analysis_run_requeue(run_id=run.pk, user=city["root"]).retry_of == run


def test_a_running_run_past_the_timeout_stops_at_its_next_step(city, queued, settings):
    settings.GEOAPP_RUN_TIMEOUT_S = 60
    run = _enqueue(city["root"])
    report = queue._progress(run.pk)

    def progress(pct, label):
        if pct == 80:  # the run has been going too long: the page's poll fails it
            AnalysisRun.objects.filter(pk=run.pk).update(
                created_at=run.created_at - timedelta(seconds=120)
            )
            run_status(run.pk)
        report(pct, label)

    with pytest.raises(RunStopped):
        run_kind_get("lifecircle").execute(
            run=run, user=city["root"], **run.request, progress=progress
        )
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.FAILED and "超时" in run.error
    assert not CoverageResult.objects.filter(run=run).exists()


def test_the_workspace_says_when_no_worker_is_running(city, queued, client):
    client.force_login(city["root"])
    assert 'id="no-worker"' in client.get("/planner/").content.decode()
    worker_register("test-worker")
    assert 'id="no-worker"' not in client.get("/planner/").content.decode()
    worker_stop("test-worker")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/planner/").content.decode()
    assert "No analysis worker is running" in html
