"""Residents' voice in a real browser, both languages (issue 19 part 4): an anonymous
visitor leaves a suggestion on a community card of the public map; it reaches the
moderation queue of the community's street staff and district planner (not another
district's); the street staff publish it with a reply; the public card then shows it
in the counts and the replies. The contact appears in no response the public browser
received, nor in any public API answer. Screenshots: docs/screenshots/public_voice*.png,
voice_queue*.png."""

from __future__ import annotations

import contextlib

import pytest
from django.core.management import call_command

from accounts.models import Role
from layers.models import Community
from tests import factories
from voice.models import Status, Suggestion

from .test_planner_day import LANGS, shot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTACT = "13912345678 voice-e2e@example.cn"
TEXT = "小区东门的路灯坏了，晚上回家很黑，希望改造时一并更换。"
REPLY = "已列入本次改造的安防照明内容，下月施工。"


@pytest.fixture
def demo(reference_data):
    call_command("make_demo", seed=42, scale="small", no_progress=True)
    # a community whose residents already have published replies
    code = (
        Suggestion.objects.filter(status=Status.PUBLISHED)
        .order_by("community__code")
        .values_list("community__code", flat=True)
        .first()
    )
    community = Community.objects.select_related("street", "district").get(code=code)
    other = Community.objects.exclude(district=community.district).first()
    factories.user("street", Role.STREET_STAFF, street=community.street)
    factories.user("district", Role.DISTRICT_PLANNER, district=community.district)
    factories.user("elsewhere", Role.DISTRICT_PLANNER, district=other.district)
    return community


def _signed_in(new_page, live_server, lang, username):
    page = new_page()
    page.context.add_cookies(
        [{"name": "django_language", "value": lang, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/accounts/login/?next=/voice/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-123456")
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_selector("#voice-queue")
    return page


def _public_card(page, live_server, community):
    page.goto(f"{live_server.url}/public/")
    page.wait_for_selector("body[data-map-ready='1']", timeout=60_000)
    page.fill("#search", community.name)
    page.locator("#search-results .search-hit").first.click()
    page.wait_for_selector(f"#card [data-code='{community.code}']", timeout=10_000)
    page.wait_for_selector("#card-voice[data-loaded='1']", timeout=10_000)
    return page.locator("#card-voice")


@pytest.mark.parametrize("lang", LANGS)
def test_a_suggestion_from_the_public_map_is_moderated_and_answered(
    new_page, live_server, demo, lang
):
    community = demo
    page = new_page()
    page.context.add_cookies(
        [{"name": "django_language", "value": lang, "url": live_server.url}]
    )
    bodies: list[tuple[str, bytes]] = []

    def keep(resp):
        # redirects and aborted requests have no body
        with contextlib.suppress(Exception):
            bodies.append((resp.url, resp.body()))

    page.on("response", keep)
    voice = _public_card(page, live_server, community)
    before = Suggestion.objects.filter(
        community=community, status=Status.PUBLISHED
    ).count()
    assert voice.locator(".voice-replies li").count() == before > 0
    assert voice.locator(".voice-counts tr[data-topic]").count() >= 1

    form = voice.locator("form.voice-form")
    form.locator("select[name=topic]").select_option("safety")
    form.locator("input[name=kind][value=complaint]").check()
    form.locator("textarea[name=text]").fill(TEXT)
    form.locator("input[name=contact]").fill(CONTACT)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#card-voice .voice-status[data-state='sent']")
    shot(page, "public_voice", lang)
    s = Suggestion.objects.get(text=TEXT)
    assert s.status == Status.PENDING and s.contact == CONTACT
    assert s.community == community and s.kind == "complaint"

    # another district's planner does not see it; the district's planner does
    elsewhere = _signed_in(new_page, live_server, lang, "elsewhere")
    assert elsewhere.locator(f".voice-item[data-id='{s.pk}']").count() == 0
    district = _signed_in(new_page, live_server, lang, "district")
    assert district.locator(f".voice-item[data-id='{s.pk}']").count() == 1

    staff = _signed_in(new_page, live_server, lang, "street")
    item = staff.locator(f".voice-item[data-id='{s.pk}']")
    assert CONTACT in item.inner_text()  # the moderator may call back
    item.locator("textarea[name=reply]").fill(REPLY)
    shot(staff, "voice_queue", lang)
    with staff.expect_navigation():
        item.locator("button.btn-publish").click()
    assert t(lang, "已公开答复 #%(pk)s。") % {"pk": s.pk} in staff.inner_text(
        "#messages"
    )
    s.refresh_from_db()
    assert s.status == Status.PUBLISHED and s.reply == REPLY

    voice = _public_card(page, live_server, community)
    replies = voice.locator(".voice-replies li")
    assert replies.count() == before + 1
    assert REPLY in replies.first.inner_text() and TEXT in replies.first.inner_text()
    assert voice.locator(".voice-counts tr[data-topic='safety']").count() == 1
    voice.scroll_into_view_if_needed()
    shot(page, "public_voice_reply", lang)

    # the contact in no response the public browser received, nor in the public API
    for url, body in bodies:
        assert CONTACT.encode() not in body, url
        assert b"13912345678" not in body, url
    api = page.request.get(f"{live_server.url}/api/public/voice/{community.code}/")
    assert api.status == 200 and b"13912345678" not in api.body()
    assert not page.errors
