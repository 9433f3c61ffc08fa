"""Admin pages of every programme model load (changelist with filters, search)."""

import pytest
from django.urls import reverse

from programme import models, services

from .builders import community_in, passed_vote

pytestmark = pytest.mark.django_db

MODELS = [
    models.DataVersion,
    models.WorksItem,
    models.Project,
    models.ProjectItem,
    models.Vote,
    models.StageTransition,
    models.ReserveEntry,
    models.AnnualPlan,
    models.AnnualPlanEntry,
    models.ScopeDecision,
    models.PublicRevenue,
    models.ProjectUtility,
    models.FundingSource,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_and_search(admin_client, admin_user, haishu, model):
    c = community_in(haishu)
    p = services.project_create(user=admin_user, name="项目", year=2021, community=c)
    passed_vote(admin_user, p)
    services.project_item_add(user=admin_user, project=p, works_item="road", quantity=1)
    meta = model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "项目"}).status_code == 200


def test_project_change_page(admin_client, admin_user, haishu):
    c = community_in(haishu)
    p = services.project_create(user=admin_user, name="项目", year=2021, community=c)
    url = reverse("admin:programme_project_change", args=[p.pk])
    assert admin_client.get(url).status_code == 200


def test_process_fields_change_only_through_the_services(admin_client, haishu):
    """AnnualPlan.locked/reopened/projects and PublicRevenue.moved_to_fund are read-only
    in the admin (the services check the 31 October rule and record who and why)."""
    plan = models.AnnualPlan.objects.create(district=haishu, year=2028)
    url = reverse("admin:programme_annualplan_change", args=[plan.pk])
    form = admin_client.get(url).context["adminform"].form
    assert not {"locked", "reopened", "projects", "reopened_why"} & set(form.fields)
    admin_client.post(url, {"locked": "on", "reopened": "on", "reopened_why": "x"})
    plan.refresh_from_db()
    assert (plan.locked, plan.reopened, plan.reopened_why) == (False, False, "")
    assert (
        admin_client.get(reverse("admin:programme_annualplan_add")).status_code == 403
    )
    revenue = models.PublicRevenue.objects.create(
        community=community_in(haishu), year=2027, kind="parking", amount=100
    )
    url = reverse("admin:programme_publicrevenue_change", args=[revenue.pk])
    form = admin_client.get(url).context["adminform"].form
    assert "moved_to_fund" not in form.fields and "amount" in form.fields
    for model in ("reserveentry", "scopedecision"):
        add = reverse(f"admin:programme_{model}_add")
        assert admin_client.get(add).status_code == 403, model
