"""ETag + conditional GET, and the cache invalidated by a publication (an edit of the
live layers changes nothing public until it is published)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.permissions import SYSTEM
from layers.models import Community, Stage
from public import publishing
from public.models import Publication
from runs.models import AnalysisRun

pytestmark = pytest.mark.django_db

URLS = [
    "/api/public/communities.geojson?zoom=14",
    "/api/public/districts.geojson",
    "/api/public/stats/",
    "/public/ogc/collections/communities/items?limit=10",
]


@pytest.mark.parametrize("url", URLS)
def test_etag_and_304(client, city, url, django_assert_max_num_queries):
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"')
    assert "max-age" in first["Cache-Control"]
    # version query + (inside the test's transaction) savepoint, SET LOCAL role and
    # timeout, their reset and release (public_query, SECURITY.md E2)
    with django_assert_max_num_queries(5):
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_cached_body_is_served_until_a_publication(
    client, city, django_assert_max_num_queries
):
    url = "/api/public/communities.geojson?zoom=14"
    first = client.get(url)
    with django_assert_max_num_queries(5):
        second = client.get(url)  # from the cache: no feature query
    assert second.content == first.content

    community = city["other"]
    community.stage = Stage.HANDED_OVER
    community.save()
    assert client.get(url)["ETag"] == first["ETag"]  # edited, not published
    publishing.publish(SYSTEM)
    third = client.get(url)
    assert third["ETag"] != first["ETag"]
    stages = {f["id"]: f["properties"]["stage"] for f in third.json()["features"]}
    assert stages[community.code] == "handed_over"
    # the old ETag no longer matches
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_etag_changes_when_a_community_is_deleted_or_added(client, city):
    url = "/api/public/stats/"
    e1 = client.get(url)["ETag"]
    city["newer"].delete()
    assert client.get(url)["ETag"] == e1
    publishing.publish(SYSTEM)
    e2 = client.get(url)["ETag"]
    assert e1 != e2


def test_etag_depends_on_parameters(client, city):
    a = client.get("/api/public/communities.geojson?zoom=10")["ETag"]
    b = client.get("/api/public/communities.geojson?zoom=16")["ETag"]
    assert a != b


def test_warm_requests_run_no_query(client, city, settings, django_assert_num_queries):
    """While the remembered data version is fresh, hits and 304s touch no database."""
    settings.PUBLIC_DATA_VERSION_TTL_S = 60
    url = "/api/public/communities.geojson?zoom=14"
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.content == first.content
    assert again.status_code == 304


def test_edit_in_this_process_is_seen_at_once(client, city, settings):
    settings.PUBLIC_DATA_VERSION_TTL_S = 60
    url = "/api/public/communities.geojson?zoom=14"
    e1 = client.get(url)["ETag"]
    city["newer"].stage = Stage.PLANNED
    city["newer"].save()
    publishing.publish(SYSTEM)  # post_save of the publication forgets the version
    assert client.get(url)["ETag"] != e1


def test_edit_elsewhere_is_seen_after_the_version_ttl(client, city, settings):
    """A publication that sends no signal here (another process) waits at most the TTL."""
    settings.PUBLIC_DATA_VERSION_TTL_S = 60
    url = "/api/public/stats/"
    e1 = client.get(url)["ETag"]
    Community.objects.filter(pk=city["newer"].pk).update(
        stage=Stage.HANDED_OVER, updated_at=timezone.now()
    )
    Publication.objects.bulk_create([Publication(counts={})])  # no post_save
    assert client.get(url)["ETag"] == e1  # within the TTL: the remembered version
    settings.PUBLIC_DATA_VERSION_TTL_S = 0  # TTL over
    assert client.get(url)["ETag"] != e1


def test_bbox_filters_in_the_database_srid(client, city):
    # a box around CPUB2 (121.552, 29.877) that misses CPUB3 (~570 m south-west)
    url = "/api/public/communities.geojson?zoom=15&bbox=121.551,29.876,121.553,29.878"
    ids = {f["id"] for f in client.get(url).json()["features"]}
    assert "CPUB2" in ids
    assert "CPUB3" not in ids


def test_a_queued_run_keeps_the_version_a_finished_one_changes_it(client, city):
    """Queueing or starting a run changes no public answer; finishing one does."""
    url = "/api/public/stats/"
    e1 = client.get(url)["ETag"]
    run = AnalysisRun.objects.create(
        kind=AnalysisRun.Kind.LIFECIRCLE, status=AnalysisRun.Status.PENDING
    )
    run.status = AnalysisRun.Status.RUNNING
    run.save()
    assert client.get(url)["ETag"] == e1
    run.status = AnalysisRun.Status.DONE
    run.finished_at = timezone.now()
    run.save()
    assert client.get(url)["ETag"] != e1
