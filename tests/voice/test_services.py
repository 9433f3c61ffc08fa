"""Residents' voice, the rules: what a submission must be, who moderates what, how
often one address may post (四(一)2, 六(四))."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts.permissions import ANONYMOUS_ACTOR
from programme import services as programme
from programme.models import Project
from tests import factories
from voice import services
from voice.models import Status, Suggestion

from .conftest import CONTACT, good

pytestmark = pytest.mark.django_db


def test_a_submission_is_pending_with_its_district_and_contact(town):
    s = services.submit(good())
    assert s.status == Status.PENDING
    assert s.community == town["A1"] and s.district == town["a"]
    assert s.contact == CONTACT and s.replied_by is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"topic": "weather"}, "topic"),
        ({"topic": None}, "topic"),
        ({"kind": "praise"}, "kind"),
        ({"text": "太少"}, "text"),
        ({"text": "长" * 1001}, "text"),
        ({"text": 12345}, "text"),
        ({"text": "\u200b\u200b\u202e  \x00\x07 "}, "text"),
        ({"text": "请看 <script>alert(1)</script> 这里的问题"}, "text"),
        ({"text": "广告 http://a.example 和 https://b.example 快来"}, "text"),
        ({"contact": "<img src=x onerror=alert(1)>"}, "contact"),
        ({"contact": "1" * 65}, "contact"),
        ({"contact": "a'; DROP TABLE voice_suggestion; --"}, "contact"),
        ({"community": None}, "target"),
        ({"project": 1}, "target"),  # both a community and a project
        ({"community": "NOPE"}, "target"),
        ({"community": "A1' OR '1'='1"}, "target"),
    ],
)
def test_invalid_and_hostile_submissions_are_refused(town, change, field):
    with pytest.raises(ValidationError) as info:
        services.submit(good(**change))
    assert field in info.value.message_dict
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize("data", [None, [], "text", 5])
def test_a_body_that_is_not_an_object_is_refused(town, data):
    with pytest.raises(ValidationError):
        services.submit(data)


def test_invisible_characters_are_stripped_and_spaces_folded(town):
    s = services.submit(
        good(text="  停车\u202e位\u200b不够，   建议\x07增设。\n\n\n\n谢谢 ")
    )
    assert s.text == "停车位不够， 建议增设。\n\n谢谢"


def test_a_community_not_yet_published_cannot_be_chosen(town):
    factories.community(code="NEW1", street=town["sa"])  # live, not on the public map
    with pytest.raises(ValidationError):
        services.submit(good("NEW1"))


def test_a_project_is_a_target_only_once_its_card_is_public(town):
    admin = town["users"]["admin"]
    p = programme.project_create(
        user=admin, name="A1改造", year=2025, community=town["A1"]
    )
    with pytest.raises(ValidationError):  # a draft is not disclosed
        services.submit(good(community=None, project=p.pk))
    Project.objects.filter(pk=p.pk).update(stage="annual_plan")
    s = services.submit(good(community=None, project=p.pk))
    assert s.project_id == p.pk and s.community == town["A1"]
    assert s.district == town["a"]


# ----------------------------------------------------------------- moderation rights
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("admin", True),
        ("planner_a", True),
        ("street_a", True),
        ("planner_b", False),  # another district
        ("street_a2", False),  # another street of the same district
        ("viewer", False),
    ],
)
def test_who_may_publish_a_suggestion_on_a1(town, who, allowed):
    s = services.submit(good())
    user = town["users"][who]
    if allowed:
        done = services.publish(user, s, reply="已转交物业，本月内答复。")
        assert done.status == Status.PUBLISHED and done.published_at
        assert done.replied_by == user
    else:
        with pytest.raises(PermissionDenied):
            services.publish(user, s, reply="已转交物业，本月内答复。")
        with pytest.raises(PermissionDenied):
            services.reject(user, s, reason="无关")
        assert Suggestion.objects.get(pk=s.pk).status == Status.PENDING


def test_anonymous_cannot_moderate(town):
    s = services.submit(good())
    with pytest.raises(PermissionDenied):
        services.publish(ANONYMOUS_ACTOR, s, reply="好的好的")


def test_a_block_project_without_community_is_moderated_by_its_district(town):
    s = Suggestion.objects.create(
        district=town["a"], topic="pipes", text="片区雨污管网需要改造。"
    )
    services.check_moderator(town["users"]["planner_a"], s)
    for who in ("planner_b", "street_a"):
        with pytest.raises(PermissionDenied):
            services.check_moderator(town["users"][who], s)


def test_publishing_needs_a_reply_and_happens_once(town):
    s = services.submit(good())
    admin = town["users"]["admin"]
    with pytest.raises(ValidationError):
        services.publish(admin, s, reply="  ")
    services.publish(admin, s, reply="已纳入改造方案。")
    with pytest.raises(ValidationError):
        services.reject(admin, s, reason="重复")
    assert Suggestion.objects.get(pk=s.pk).status == Status.PUBLISHED


def test_moderate_dispatches_on_the_action(town):
    admin = town["users"]["admin"]
    s = services.submit(good())
    with pytest.raises(ValidationError):
        services.moderate(admin, s, {"action": "delete"})
    done = services.moderate(admin, s, {"action": "reject", "reply": "含个人信息"})
    assert done.status == Status.REJECTED and done.published_at is None


@pytest.mark.parametrize(
    ("who", "codes"),
    [
        ("admin", {"A1", "A2", "B1"}),
        ("planner_a", {"A1", "A2"}),
        ("planner_b", {"B1"}),
        ("street_a", {"A1"}),
        ("street_a2", {"A2"}),
    ],
)
def test_the_queue_is_scoped_to_street_district_or_city(town, who, codes):
    for code in ("A1", "A2", "B1"):
        services.submit(good(code))
    got = {s.community.code for s in services.queue(town["users"][who])}
    assert got == codes


def test_viewers_have_no_queue(town):
    with pytest.raises(PermissionDenied):
        services.queue(town["users"]["viewer"])


def test_the_history_keeps_no_contact(town):
    s = services.submit(good())
    services.publish(town["users"]["admin"], s, reply="已答复。")
    fields = {f.name for f in Suggestion.history.model._meta.get_fields()}
    assert "contact" not in fields and "text" in fields
    assert s.history.count() == 2


# ----------------------------------------------------------------- the HTTP door
def _post(client: Client, data, **extra):
    return client.post(
        reverse("public-voice-submit"),
        json.dumps(data),
        content_type="application/json",
        **extra,
    )


def test_anonymous_post_answers_201_without_the_contact(town):
    resp = _post(Client(), good())
    assert resp.status_code == 201
    assert CONTACT.encode() not in resp.content
    assert set(resp.json()) == {"id", "status", "detail"}
    bad = _post(Client(), good(topic="x"))
    assert bad.status_code == 400 and "topic" in bad.json()


def test_an_oversized_body_is_refused_before_parsing(town):
    resp = _post(Client(), good(text="长" * 20_000))
    assert resp.status_code == 413


def test_form_posts_need_the_csrf_token(town):
    client = Client(enforce_csrf_checks=True)
    assert _post(client, good()).status_code == 403
    # the card's read of the published voice sets the cookie the form posts with
    client.get(reverse("public-voice", args=["A1"]))
    token = client.cookies["csrftoken"].value
    assert _post(client, good(), HTTP_X_CSRFTOKEN=token).status_code == 201


def test_five_posts_an_hour_per_address(town, settings):
    settings.RATELIMIT_ENABLE = True
    client = Client()
    codes = [
        _post(client, good(), REMOTE_ADDR="203.0.113.7").status_code for _ in range(6)
    ]
    assert codes == [201] * 5 + [429]
    assert _post(client, good(), REMOTE_ADDR="203.0.113.8").status_code == 201
    assert Suggestion.objects.count() == 6


def test_signed_in_staff_are_not_rate_limited(town, settings):
    settings.RATELIMIT_ENABLE = True
    client = Client()
    client.force_login(town["users"]["street_a"])
    assert all(_post(client, good()).status_code == 201 for _ in range(7))
