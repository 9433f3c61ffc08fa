"""A planner queues a life-circle run with no analysis worker running, in both
languages: the page says where the run is in the queue, for how long it has waited
and that no worker will start it; Cancel stops it; a run past the timeout fails with
the reason and can be queued again (runs/status.py, runs/timeouts.py)."""

import pytest
from django.contrib.auth import get_user_model

from lifecircle.models import CoverageResult
from runs.models import AnalysisRun
from tests.lifecircle import city as lifecircle_city

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "zh-hans": {
        "queued": "排队中，队列第 1 位",
        "no_worker": "没有分析进程在运行",
        "cancel": "取消分析",
        "cancelled": "已由 root 取消",
        "timeout": "超时",
        "requeue": "重新排队",
    },
    "en": {
        "queued": "Queued, number 1 in the queue",
        "no_worker": "No analysis worker is running",
        "cancel": "Cancel analysis",
        "cancelled": "was cancelled by root",
        "timeout": "timed out",
        "requeue": "Queue again",
    },
}


@pytest.fixture
def city(db, reference_data, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    data = lifecircle_city.build()
    get_user_model().objects.create_superuser("root", "r@example.org", "pw-123456")
    return data


def _switch(page, lang):
    if lang == "zh-hans":
        return
    with page.expect_navigation():
        page.select_option("select[name=language]", lang)
    page.wait_for_selector("body[data-map-ready='1']", timeout=60_000)


def _status(page):
    return page.inner_text("#lifecircle-status")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_run_waiting_for_no_worker_says_so_and_is_cancelled(
    live_server, new_page, city, lang
):
    w = WORDS[lang]
    page = new_page()
    login(page, live_server, "root", "pw-123456")
    _switch(page, lang)
    # the page says it before anything is queued
    assert w["no_worker"] in page.inner_text("#no-worker")
    page.click("#btn-lifecircle")
    page.wait_for_function(
        "() => document.getElementById('lifecircle-status').dataset.status === 'pending'"
    )
    page.wait_for_function(
        "(t) => document.getElementById('lifecircle-status').innerText.includes(t)",
        arg=w["no_worker"],
    )
    text = _status(page)
    assert w["queued"] in text, text
    assert "pending" not in text
    screenshot(page, f"planner_run_no_worker_{lang}.png")
    page.click(f"#lifecircle-status button.cancel-run:has-text('{w['cancel']}')")
    page.wait_for_function("() => document.body.dataset.runStatus === 'cancelled'")
    assert w["cancelled"] in _status(page)
    run = AnalysisRun.objects.get()
    assert run.status == AnalysisRun.Status.CANCELLED
    assert not CoverageResult.objects.exists()
    assert page.errors == []


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_run_past_the_timeout_fails_with_the_reason(
    live_server, new_page, city, settings, lang
):
    settings.GEOAPP_RUN_TIMEOUT_S = 2
    w = WORDS[lang]
    page = new_page()
    login(page, live_server, "root", "pw-123456")
    _switch(page, lang)
    page.click("#btn-lifecircle")
    page.wait_for_function(
        "() => document.body.dataset.runStatus === 'failed'", timeout=30_000
    )
    text = _status(page)
    assert w["timeout"] in text, text
    assert (
        page.locator(
            f"#lifecircle-status button.requeue:has-text('{w['requeue']}')"
        ).count()
        == 1
    )
    screenshot(page, f"planner_run_timeout_{lang}.png")
    run = AnalysisRun.objects.get()
    assert run.status == AnalysisRun.Status.FAILED
    assert page.errors == []
