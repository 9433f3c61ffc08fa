"""The public card's "before" (改造前): the last finished life-circle run before the
community's renovation started, dated; not the latest run, not today."""

import datetime as dt

import pytest
from django.utils import timezone

from layers.models import Stage
from lifecircle.models import CoverageResult
from public.selectors import coverage_before_after
from runs.models import AnalysisRun

pytestmark = pytest.mark.django_db


def _run(community, score, days_ago):
    run = AnalysisRun.objects.create(
        kind=AnalysisRun.Kind.LIFECIRCLE,
        status=AnalysisRun.Status.DONE,
        finished_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    CoverageResult.objects.create(
        run=run, community=community, score=score, tiers_met={}, missing={}
    )
    return run


def test_before_is_the_last_run_before_works_started(client, city):
    target = city["target"]
    # a third run, 20 days ago: still before the start (15 days ago), so it is "before"
    _run(target, 55.0, 20)
    card = client.get(f"/api/public/communities/{target.code}/").json()
    cov = card["coverage"]
    started = (timezone.now() - dt.timedelta(days=15)).date().isoformat()
    assert cov["started"] == started
    assert cov["before"]["score"] == 55.0
    assert (
        cov["before"]["date"]
        == (timezone.now() - dt.timedelta(days=20)).date().isoformat()
    )
    assert cov["after"]["score"] == 75.0
    assert cov["before"]["date"] < started <= cov["after"]["date"]


def test_runs_after_the_start_never_count_as_before(city):
    target = city["target"]
    # every run since the start: none is "before"; the latest is "after"
    AnalysisRun.objects.filter(pk=city["runs"][0].pk).update(
        finished_at=timezone.now() - dt.timedelta(days=10)
    )
    cov = coverage_before_after(target.pk)
    assert cov["before"] is None and cov["after"]["score"] == 75.0
    assert cov["started"] is not None


def test_a_community_not_started_has_no_before(city):
    other = city["other"]
    assert other.stage == Stage.NOT_STARTED
    _run(other, 60.0, 5)
    cov = coverage_before_after(other.pk)
    assert cov["started"] is None and cov["before"] is None
    assert cov["after"]["score"] == 60.0
