"""The publish page of the workspace: what waits, the button, who may press it; the
import report and the workspace point to it."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accounts.permissions import SYSTEM
from layers.models import Community
from public import publishing
from public.models import Publication, PublishedCommunity
from tests import factories

pytestmark = pytest.mark.django_db

PAGE = "/planner/publish/"
RUN = "/planner/publish/run/"


@pytest.fixture
def pending(city):
    """One community published, then renamed; one added after the publication."""
    factories.community(code="CW1", name="西一小区", street=city["sw"])
    publishing.publish(SYSTEM)
    Community.objects.filter(code="CW1").update(name="西一小区（改）")
    factories.community(code="CE1", name="东一小区", street=city["se"])


def test_the_page_lists_what_waits_and_an_administrator_publishes(
    client, users, pending
):
    client.force_login(users["admin"])
    html = client.get(PAGE).content.decode()
    assert "待发布的变更：2 项" in html
    assert 'data-change="added" data-code="CE1"' in html
    assert 'data-change="changed" data-code="CW1"' in html
    assert 'id="btn-publish"' in html
    n = Publication.objects.count()
    resp = client.post(RUN)
    assert resp.status_code == 302 and resp["Location"] == reverse("planner-publish")
    assert Publication.objects.count() == n + 1
    assert Publication.objects.first().published_by == users["admin"]
    assert set(PublishedCommunity.objects.values_list("name", flat=True)) == {
        "西一小区（改）",
        "东一小区",
    }
    html = client.get(PAGE).content.decode()
    assert "已发布到公众地图：新增 1、修改 1、移除 0 项。" in html
    assert "待发布的变更：0 项" in html
    assert "admin1" in html  # the record says who published


@pytest.mark.parametrize("who", ["planner_w", "staff_w", "viewer"])
def test_other_roles_see_what_waits_but_cannot_publish(client, users, pending, who):
    client.force_login(users[who])
    html = client.get(PAGE).content.decode()
    assert "待发布的变更：2 项" in html
    assert 'id="btn-publish"' not in html and 'id="publish-who"' in html
    n = Publication.objects.count()
    assert client.post(RUN).status_code == 403  # the access policy
    assert Publication.objects.count() == n
    assert PublishedCommunity.objects.get(code="CW1").name == "西一小区"


def test_anonymous_visitors_reach_neither(client, pending):
    n = Publication.objects.count()
    for url, method in ((PAGE, client.get), (RUN, client.post)):
        resp = method(url)
        assert resp.status_code in (302, 403)
        if resp.status_code == 302:
            assert resp["Location"].startswith(reverse("login"))
    assert Publication.objects.count() == n


def test_the_workspace_links_the_count_of_changes(client, users, pending):
    client.force_login(users["planner_w"])
    html = client.get("/planner/").content.decode()
    assert 'id="link-publish"' in html and "发布到公众地图（2 项待发布）" in html


def test_the_import_report_says_the_features_await_publication(
    client, users, city, tmp_path, settings
):
    settings.GEOAPP_UPLOAD_TMP_DIR = str(tmp_path / "up")
    f = tmp_path / "w.geojson"
    f.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {
                            "code": "CWI",
                            "name": "导入小区",
                            "district_code": "W",
                            "completion_year": 1990,
                            "households": 100,
                        },
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [
                                [
                                    [121.530, 29.875],
                                    [121.531, 29.875],
                                    [121.531, 29.876],
                                    [121.530, 29.876],
                                    [121.530, 29.875],
                                ]
                            ],
                        },
                    }
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    client.force_login(users["planner_w"])
    with open(f, "rb") as fh:
        dry = client.post(
            "/layers/import/", {"file": fh, "layer": "community", "dry_run": "on"}
        )
    assert 'id="import-awaits-publication"' not in dry.content.decode()
    with open(f, "rb") as fh:
        resp = client.post("/layers/import/", {"file": fh, "layer": "community"})
    html = resp.content.decode()
    assert resp.status_code == 200, html
    assert Community.objects.filter(code="CWI").exists()
    assert 'id="import-awaits-publication"' in html
    assert f'href="{reverse("planner-publish")}"' in html
    assert not PublishedCommunity.objects.filter(code="CWI").exists()
