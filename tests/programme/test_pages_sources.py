"""The project page's utilities and funding sources: shown, edited through their
services by the district's planners, reconciled with the funding split on the page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from programme.models import FundingSource, ProjectUtility
from tests import factories

from .test_services_sources import BALANCED, _example

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(haishu, staff):
    return _example(staff, haishu)


def _page(client, p):
    return reverse("programme-project-page", args=[p.pk])


def _post(client, p, **data):
    return client.post(_page(client, p), data, follow=True)


def test_planner_records_utilities_and_sources_and_sees_the_reconciliation(
    client, haishu, project
):
    client.force_login(factories.user("hs", Role.DISTRICT_PLANNER, district=haishu))
    r = _post(
        client,
        project,
        action="utility",
        utility="power",
        cost_share_pct="50",
        handover_date="2023-05-01",
        maintains="on",
        note="国网宁波供电",
    )
    assert "管线单位分担已保存" in r.content.decode()
    u = ProjectUtility.objects.get(project=project)
    assert (u.cost_share, u.amount) == (Decimal("0.5000"), Decimal("150000.00"))
    for source, amount in BALANCED.items():
        _post(client, project, action="source", source=source, amount=amount, year=2022)
    assert FundingSource.objects.filter(project=project).count() == len(BALANCED)
    html = client.get(_page(client, project)).content.decode()
    assert 'id="sources-status" data-status="ok"' in html
    assert 'data-check="city_subsidy" data-severity="ok"' in html
    # the city subsidy drifts from the split: an error on the page
    _post(
        client,
        project,
        action="source",
        source="city_subsidy",
        amount=100000,
        year=2022,
    )
    html = client.get(_page(client, project)).content.decode()
    assert 'data-status="error"' in html
    assert 'data-check="city_subsidy" data-severity="error"' in html
    assert "资金来源与资金分担不一致" in html
    row = FundingSource.objects.get(project=project, source="city_subsidy")
    _post(client, project, action="source_delete", row=row.pk)
    assert not FundingSource.objects.filter(pk=row.pk).exists()


def test_refusals_come_back_as_messages(client, haishu, project):
    client.force_login(factories.user("hs", Role.DISTRICT_PLANNER, district=haishu))
    r = _post(client, project, action="utility", utility="gas", cost_share_pct="120")
    assert "between 0 and 1" in r.content.decode()
    r = _post(
        client, project, action="source", source="owners_direct", amount="-3", year=2022
    )
    assert "negative" in r.content.decode()
    assert not ProjectUtility.objects.exists() and not FundingSource.objects.exists()


def test_street_staff_and_other_districts_do_not_write(client, haishu, project):
    street = factories.user(
        "st", Role.STREET_STAFF, street=project.community.street, district=haishu
    )
    client.force_login(street)
    html = client.get(_page(client, project)).content.decode()
    assert 'id="source-form"' not in html and 'id="utility-form"' not in html
    r = _post(
        client, project, action="source", source="owners_direct", amount=1, year=2022
    )
    assert r.status_code == 403
    other = factories.district(code="330205", name="江北区")
    client.force_login(factories.user("jb", Role.DISTRICT_PLANNER, district=other))
    r = _post(client, project, action="utility", utility="power", amount=1)
    assert r.status_code == 403
    assert not FundingSource.objects.exists() and not ProjectUtility.objects.exists()
