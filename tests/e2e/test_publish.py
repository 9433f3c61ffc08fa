"""Publishing from the workspace, in a real browser and both languages (issue 21 item
2): an edit of a published demo community waits on the publish page; the city
administrator publishes it; the public map then says when, and its search and card
show the new name. Screenshots: docs/screenshots/planner_publish*.png."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Role
from layers.models import Community
from public.models import Publication
from tests import factories

from .test_planner_day import LANGS, open_planner, shot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_NAME = "发布测试小区"


@pytest.fixture
def demo(reference_data):
    call_command("make_demo", seed=42, scale="small", no_progress=True)
    factories.user("planner", Role.CITY_ADMIN)


def _public_search(page, live_server, q):
    resp = page.request.get(f"{live_server.url}/api/public/search/?q={q}")
    assert resp.status == 200
    return resp.json()


@pytest.mark.parametrize("lang", LANGS)
def test_publish_from_the_workspace_then_the_public_map_shows_it(
    new_page, live_server, demo, lang
):
    assert Publication.objects.count() == 1  # make_demo published the demo city
    community = Community.objects.order_by("code").first()
    old_name = community.name
    community.name = NEW_NAME
    community.save()

    page = open_planner(new_page, live_server, lang)
    assert _public_search(page, live_server, NEW_NAME) == []  # not published yet
    page.goto(f"{live_server.url}/planner/")
    link = page.locator("#link-publish")
    assert "1" in link.inner_text()
    link.click()
    page.wait_for_selector("#publish-page")
    item = page.locator(f'.pending-list li[data-code="{community.code}"]')
    assert item.get_attribute("data-change") == "changed"
    assert NEW_NAME in item.inner_text()
    assert t(lang, "待发布的变更：%(n)s 项") % {"n": 1} in page.inner_text(
        "#pending-title"
    )
    shot(page, "planner_publish", lang)
    with page.expect_navigation():
        page.click("#btn-publish")
    assert t(lang, "已发布到公众地图：新增 %(a)d、修改 %(c)d、移除 %(r)d 项。") % {
        "a": 0,
        "c": 1,
        "r": 0,
    } in page.inner_text(".messages")
    assert Publication.objects.count() == 2
    published = Publication.objects.first()
    assert published.counts["community"]["changed"] == 1

    page.goto(f"{live_server.url}/public/")
    date = timezone.localtime(published.published_at).strftime("%Y-%m-%d %H:%M")
    assert page.inner_text("#published-at") == t(lang, "数据发布于 %(date)s") % {
        "date": date
    }
    page.fill("#search", NEW_NAME)
    page.locator("#search-results .search-hit").first.click()
    page.wait_for_selector("#card .card-name", timeout=10_000)
    assert page.locator("#card .card-name").inner_text() == NEW_NAME
    assert _public_search(page, live_server, old_name) == [] or all(
        h["code"] != community.code for h in _public_search(page, live_server, old_name)
    )
    shot(page, "planner_publish_public", lang)
