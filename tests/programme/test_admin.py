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
    models.PublicRevenue,
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
