"""Cards: eligibility (二(一), signed-in users) and funding (三, public from the annual
plan on) line by line, escaped."""

import pytest
from django.urls import reverse

from programme import services
from programme.models import Project

from .builders import community_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, viewer):
    client.force_login(viewer)
    return client


def test_community_card_needs_a_login(client, haishu):
    """The reasons name the expropriation and shanty-town plans: not public."""
    c = community_in(haishu)
    resp = client.get(reverse("programme-community-card", args=[c.code]))
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_community_card_explains_clause_2_1(signed_in, haishu):
    client = signed_in
    c = community_in(haishu, completion_year=1990, internal_notes="SENTINEL-内部")
    resp = client.get(reverse("programme-community-card", args=[c.code]))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "二(一)" in html
    assert "1990年建成交付，属2000年底前建成：优先改造。" in html
    assert "优先改造" in html
    assert "SENTINEL" not in html


def test_community_card_escapes_text(signed_in, haishu):
    client = signed_in
    c = community_in(haishu, name="<script>alert(1)</script>")
    html = client.get(reverse("programme-community-card", args=[c.code])).content
    assert b"<script>alert(1)</script>" not in html
    assert b"&lt;script&gt;" in html


def test_community_card_unknown_code_404(signed_in):
    client = signed_in
    assert (
        client.get(reverse("programme-community-card", args=["nope"])).status_code
        == 404
    )


def test_project_card_explains_funding_clause_3_1(client, staff, haishu):
    c = community_in(haishu)
    p = services.project_create(user=staff, name="<b>改造</b>", year=2021, community=c)
    services.project_item_add(user=staff, project=p, works_item="lift", quantity=1)
    services.project_item_add(
        user=staff, project=p, works_item="road", quantity=1, budget=100000
    )
    url = reverse("programme-project-card", args=[p.pk])
    assert client.get(url).status_code == 404  # a draft (意愿表决): not public yet
    Project.objects.filter(pk=p.pk).update(stage="annual_plan")
    resp = client.get(url)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "&lt;b&gt;改造&lt;/b&gt;" in html
    assert "加装电梯" in html and "基础类" in html and "完善类" in html
    assert "三(一)" in html and "lift_special" in html and "basic" in html
    assert "不计入市级补助基数" in html
    # Subsidy base 100 000 (road only), subsidy 40 000, provisional (budget).
    assert "100000.00" in html and "40000.00" in html
    assert "暂估" in html


def test_project_card_without_items_says_why(client, staff, haishu):
    p = services.project_create(
        user=staff, name="空项目", year=2021, community=community_in(haishu)
    )
    client.force_login(staff)  # signed-in users see drafts too
    resp = client.get(reverse("programme-project-card", args=[p.pk]))
    assert resp.status_code == 200
    assert "no works items" in resp.content.decode()
