"""Programme API: status codes, anonymous cannot write, public answers carry no internals."""

import pytest
from django.urls import include, path, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from programme import services
from programme.models import Project, ProjectItem, StageTransition, Vote
from tests.programme.builders import community_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def staff_api(staff):
    client = APIClient()
    client.force_authenticate(staff)
    return client


@pytest.fixture
def viewer_api(viewer):
    client = APIClient()
    client.force_authenticate(viewer)
    return client


@pytest.fixture
def project(staff, haishu):
    c = community_in(haishu, internal_notes="SENTINEL-内部")
    p = services.project_create(user=staff, name="试点", year=2021, community=c)
    services.project_item_add(
        user=staff, project=p, works_item="road", quantity=1, budget=100000
    )
    return p


def test_eligibility_for_signed_in_users_line_by_line(api, viewer_api, project):
    code = project.community.code
    assert api.get(reverse("programme-eligibility", args=[code])).status_code == 403
    resp = viewer_api.get(reverse("programme-eligibility", args=[code]))
    assert resp.status_code == 200
    data = resp.json()
    assert set(data) == {
        "community_code",
        "community_name",
        "status",
        "eligible",
        "reasons",
    }
    assert data["status"] == "priority"
    assert all(set(r) == {"clause", "text_zh", "text_en"} for r in data["reasons"])
    assert "SENTINEL" not in resp.content.decode()


def test_eligibility_unknown_community_404(viewer_api):
    assert (
        viewer_api.get(reverse("programme-eligibility", args=["nope"])).status_code
        == 404
    )


def test_funding_every_figure_has_clause_and_rule(api, project):
    Project.objects.filter(pk=project.pk).update(stage="annual_plan")  # public now
    resp = api.get(reverse("programme-funding", args=[project.pk]))
    assert resp.status_code == 200
    data = resp.json()
    # Road 100 000 in 海曙 (central): subsidy 40 % = 40 000 on a budget (provisional).
    assert data["city_subsidy_yuan"] == "40000.00"
    assert data["city_subsidy_provisional"] is True
    assert data["district_is_central"] is True
    figures = data["figures"] + [f for i in data["items"] for f in i["figures"]]
    assert figures and all(f["clause"] and f["rule"] for f in figures)
    body = resp.content.decode()
    assert "SENTINEL" not in body
    assert "created_by" not in body and "documents" not in body


def test_funding_of_a_draft_project_only_for_signed_in_users(api, staff_api, project):
    """Before the annual plan the budget is a draft: 404 to the public, as if missing."""
    Project.objects.filter(pk=project.pk).update(stage="plan_vote")
    url = reverse("programme-funding", args=[project.pk])
    assert api.get(url).status_code == 404
    assert api.get(reverse("programme-funding", args=[10**9])).status_code == 404
    assert staff_api.get(url).status_code == 200
    for stage in ("annual_plan", "construction", "post_evaluation"):
        Project.objects.filter(pk=project.pk).update(stage=stage)
        assert api.get(url).status_code == 200, stage


def test_funding_without_items_is_400_with_message(api, staff, haishu):
    p = services.project_create(
        user=staff, name="空", year=2021, community=community_in(haishu)
    )
    Project.objects.filter(pk=p.pk).update(stage="annual_plan")
    resp = api.get(reverse("programme-funding", args=[p.pk]))
    assert resp.status_code == 400
    assert "no works items" in resp.json()["detail"]


def test_anonymous_and_non_staff_cannot_write(api, resident, haishu, project):
    c = community_in(haishu)
    body = {"name": "x", "year": 2021, "community": c.code}
    assert api.get(reverse("programme-project-list")).status_code == 403
    assert api.post(reverse("programme-project-list"), body).status_code == 403
    url = reverse("programme-project-advance", args=[project.pk])
    assert api.post(url, {"to_stage": "application"}).status_code == 403
    api.force_authenticate(resident)
    assert api.get(reverse("programme-project-list")).status_code == 200
    assert api.post(reverse("programme-project-list"), body).status_code == 403
    assert Project.objects.count() == 1


def test_staff_crud(staff_api, haishu):
    c = community_in(haishu)
    resp = staff_api.post(
        reverse("programme-project-list"),
        {"name": "新项目", "year": 2021, "community": c.code},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    assert resp.json()["stage"] == "will_vote"
    assert resp.json()["district"] == haishu.code
    url = reverse("programme-project-detail", args=[pk])
    resp = staff_api.patch(url, {"plan_design": "设计"}, format="json")
    assert resp.status_code == 200 and resp.json()["plan_design"] == "设计"
    resp = staff_api.patch(url, {"stage": "construction"}, format="json")
    assert Project.objects.get(pk=pk).stage == "will_vote"
    assert staff_api.delete(url).status_code == 204
    assert not Project.objects.filter(pk=pk).exists()


def test_create_without_community_or_block_is_400(staff_api):
    resp = staff_api.post(
        reverse("programme-project-list"), {"name": "x", "year": 2021}, format="json"
    )
    assert resp.status_code == 400
    assert "block_code" in resp.json()["detail"]


def test_votes_and_bad_vote(staff_api, project):
    url = reverse("programme-project-votes", args=[project.pk])
    vote = {
        "kind": "will",
        "total_owners": 300,
        "total_area_m2": "30000",
        "participants_owners": 250,
        "participants_area_m2": "25000",
        "consent_owners": 240,
        "consent_area_m2": "24000",
        "held_on": "2021-03-01",
    }
    resp = staff_api.post(url, vote, format="json")
    assert resp.status_code == 201 and resp.json()["passed"] is True
    # the matter and its majority are derived, not chosen (民法典第278条第一款第九项)
    assert resp.json()["matter"] == "other_major"
    assert resp.json()["majority"] == "ordinary"
    assert resp.json()["clause"] == "民法典第278条第一款第九项"
    resp = staff_api.post(url, {**vote, "matter": "rebuild"}, format="json")
    assert resp.status_code == 400 and "意愿表决" in resp.json()["detail"]
    resp = staff_api.post(url, {**vote, "participants_owners": 301}, format="json")
    assert resp.status_code == 400
    assert "more participants (301) than owners (300)" in resp.json()["detail"]
    assert Vote.objects.count() == 1
    assert len(staff_api.get(url).json()) == 1


def test_items_negative_budget_is_400(staff_api, project):
    url = reverse("programme-project-items", args=[project.pk])
    resp = staff_api.post(
        url, {"works_item": "stairwell", "quantity": "2", "budget": "-1"}, format="json"
    )
    assert resp.status_code == 400
    assert "budget must not be negative" in resp.json()["detail"]
    assert ProjectItem.objects.count() == 1
    resp = staff_api.post(
        url, {"works_item": "stairwell", "quantity": "2"}, format="json"
    )
    assert resp.status_code == 201 and resp.json()["budget"] == "50000.00"


def test_advance_skipped_stage_is_400_and_changes_nothing(staff_api, project):
    url = reverse("programme-project-advance", args=[project.pk])
    before = StageTransition.objects.count()
    resp = staff_api.post(url, {"to_stage": "plan_vote"}, format="json")
    assert resp.status_code == 400
    assert "cannot skip" in resp.json()["detail"]
    assert StageTransition.objects.count() == before
    project.refresh_from_db()
    assert project.stage == "will_vote"
    resp = staff_api.post(url, {"to_stage": "nowhere"}, format="json")
    assert resp.status_code == 400
    transitions = reverse("programme-project-transitions", args=[project.pk])
    assert staff_api.get(transitions).json()[0]["to_stage"] == "will_vote"


def test_progress_aggregates_for_signed_in_users(api, viewer_api, project):
    assert api.get(reverse("programme-progress"), {"year": 2021}).status_code == 403
    resp = viewer_api.get(reverse("programme-progress"), {"year": 2021})
    assert resp.status_code == 200
    data = resp.json()
    assert data["clause"] == "一(二)"
    codes = [r["district_code"] for r in data["rows"]]
    assert codes[-1] == "city"
    assert project.community.code not in resp.content.decode()
    assert "SENTINEL" not in resp.content.decode()


def test_progress_bad_year_is_400(viewer_api, project):
    api = viewer_api
    assert api.get(reverse("programme-progress")).status_code == 400
    assert api.get(reverse("programme-progress"), {"year": "abc"}).status_code == 400


def test_progress_xlsx(viewer_api, project):
    resp = viewer_api.get(reverse("programme-progress-xlsx"), {"year": 2021})
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert resp.content[:2] == b"PK"


def test_schema_documents_the_programme():
    # Only our routes: the global schema also depends on other apps' serializers.
    patterns = [path("api/programme/", include("programme.api.urls"))]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    paths = schema["paths"]
    assert "/api/programme/projects/{id}/funding/" in paths
    assert "/api/programme/communities/{code}/eligibility/" in paths
    assert "/api/programme/progress/" in paths
    funding = paths["/api/programme/projects/{id}/funding/"]["get"]
    assert "200" in funding["responses"]
