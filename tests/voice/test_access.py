"""Residents' voice, who sees what: the public reads published suggestions and replies
only (never a contact, a pending or rejected text, a moderator); the queue and the
moderation follow the street and the district."""

from __future__ import annotations

import psycopg2.errors
import pytest
from django.db import ProgrammingError, connection
from django.test import Client
from django.urls import reverse

from accounts.permissions import SYSTEM
from layers.models import Community
from programme import services as programme
from public import publishing
from public.selectors import public_query
from voice import selectors, services
from voice.models import Status, Suggestion

from .conftest import CONTACT, SENTINEL, good

pytestmark = pytest.mark.django_db

REPLY = "已纳入2025年改造方案，增设机械车位 40 个。"


@pytest.fixture
def voiced(town):
    admin = town["users"]["admin"]
    published = services.submit(good(text="小区停车难，建议利用闲置空地增设车位。"))
    services.publish(admin, published, reply=REPLY)
    greening = services.submit(good(topic="greening", text="中心绿地的树太密，挡光。"))
    services.publish(admin, greening, reply="已请园林部门修剪。")
    rejected = services.submit(good(text=f"{SENTINEL} 被拒绝的留言内容"))
    services.reject(admin, rejected, reason=f"{SENTINEL} 含个人信息")
    pending = services.submit(good(text=f"{SENTINEL} 待审核的留言内容"))
    services.submit(good("B1", text=f"{SENTINEL} 江北的待审核留言"))
    return {**town, "published": published, "pending": pending, "rejected": rejected}


def test_the_public_reads_counts_and_published_replies_only(voiced):
    resp = Client().get(reverse("public-voice", args=["A1"]))
    assert resp.status_code == 200
    assert resp["Cache-Control"] == "private, no-cache"
    body = resp.json()
    assert body["topics"] == [
        {"topic": "parking", "label": "停车", "count": 1},
        {"topic": "greening", "label": "绿化", "count": 1},
    ]
    assert [i["reply"] for i in body["items"]] == ["已请园林部门修剪。", REPLY]
    assert {k for i in body["items"] for k in i} == set(selectors.ITEM_FIELDS)
    raw = resp.content.decode()
    for private in (SENTINEL, CONTACT, "13900000000", "v-admin", "pending"):
        assert private not in raw


def test_signed_in_users_read_the_same_public_answer(voiced):
    client = Client()
    client.force_login(voiced["users"]["admin"])
    body = client.get(reverse("public-voice", args=["A1"])).content.decode()
    assert SENTINEL not in body and CONTACT not in body


def test_a_community_without_published_voice_and_an_unknown_one(voiced):
    client = Client()
    assert client.get(reverse("public-voice", args=["A2"])).json() == {
        "community": "A2",
        "topics": [],
        "items": [],
    }
    assert client.get(reverse("public-voice", args=["NOPE"])).status_code == 404
    b1 = client.get(reverse("public-voice", args=["B1"])).content.decode()
    assert SENTINEL not in b1


def test_the_public_role_cannot_read_the_suggestions_table(voiced):
    for sql in (
        "SELECT contact FROM voice_suggestion",
        "SELECT text FROM voice_suggestion",
        "SELECT replied_by_id FROM voice_suggestion",
    ):
        with (
            pytest.raises(ProgrammingError) as info,
            public_query(),
            connection.cursor() as cur,
        ):
            cur.execute(sql)
        assert isinstance(info.value.__cause__, psycopg2.errors.InsufficientPrivilege)
    with public_query(), connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM voice_publishedsuggestion")
        assert cur.fetchone()[0] == 2  # the view holds the published rows only


def test_a_withdrawn_community_leaves_the_public_voice(voiced):
    """The public reads the published snapshot: a community deleted and republished is
    gone from the voice endpoint as from the map."""
    Suggestion.objects.all().update(community=None)
    Community.objects.filter(code="A2").delete()
    publishing.publish(SYSTEM)
    assert Client().get(reverse("public-voice", args=["A2"])).status_code == 404


# ----------------------------------------------------------------- the queue page
def _client(town, who: str) -> Client:
    c = Client()
    c.force_login(town["users"][who])
    return c


def test_the_queue_page_lists_the_own_street_with_contacts(voiced):
    page = _client(voiced, "street_a").get(reverse("voice-queue")).content.decode()
    assert f'data-id="{voiced["pending"].pk}"' in page
    assert CONTACT in page  # moderators may call back
    assert "江北的待审核留言" not in page
    b = _client(voiced, "planner_b").get(reverse("voice-queue")).content.decode()
    assert "江北的待审核留言" in b and f'data-id="{voiced["pending"].pk}"' not in b
    done = _client(voiced, "planner_a").get(
        reverse("voice-queue"), {"status": "published"}
    )
    assert REPLY in done.content.decode()


def test_viewers_and_anonymous_visitors_have_no_queue(voiced):
    assert _client(voiced, "viewer").get(reverse("voice-queue")).status_code == 403
    resp = Client().get(reverse("voice-queue"))
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("who", "status"),
    [("planner_b", 403), ("street_a2", 403), ("viewer", 403), ("street_a", 302)],
)
def test_moderating_by_post_follows_the_street_and_district(voiced, who, status):
    pk = voiced["pending"].pk
    resp = _client(voiced, who).post(
        reverse("voice-moderate", args=[pk]),
        {"action": "publish", "reply": "好的，已安排。"},
    )
    assert resp.status_code == status
    expected = Status.PUBLISHED if status == 302 else Status.PENDING
    assert Suggestion.objects.get(pk=pk).status == expected


def test_anonymous_cannot_moderate_by_post(voiced):
    pk = voiced["pending"].pk
    resp = Client().post(reverse("voice-moderate", args=[pk]), {"action": "reject"})
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")
    assert Suggestion.objects.get(pk=pk).status == Status.PENDING


def test_the_project_page_lists_the_community_suggestions_with_status(voiced):
    p = programme.project_create(
        user=voiced["users"]["admin"], name="A1改造", year=2025, community=voiced["A1"]
    )
    page = _client(voiced, "planner_a").get(
        reverse("programme-project-page", args=[p.pk])
    )
    html = page.content.decode()
    assert 'id="project-voice"' in html
    assert html.count('data-status="pending"') == 1
    assert html.count('data-status="published"') == 2
    assert REPLY in html and CONTACT not in html


def test_the_nav_offers_the_queue_to_staff_only(voiced):
    staff = _client(voiced, "street_a").get(reverse("programme-home")).content.decode()
    assert 'data-nav="voice-queue"' in staff
    viewer = _client(voiced, "viewer").get(reverse("programme-home")).content.decode()
    assert 'data-nav="voice-queue"' not in viewer
