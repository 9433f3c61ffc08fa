"""services: the utilities of a project (四(四)4, 三(二)) and its money by source
(三, 六(二)) reconciled with the funding split, on real PostGIS.

Example (海曙区, central):
road 100 000 (government) · pipelines 500 m × 600 = 300 000 (government / utilities
50 / 50, 三(二)) · stairwell 2 × 25 000 = 50 000 (government 70 %, owners 30 %)
→ total 450 000; government 285 000, utilities 150 000, owners 15 000;
city subsidy 40 % × 285 000 = 114 000 (provisional: budgets).
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from programme import services
from programme.models import FundingSource, ProjectUtility
from tests import factories

from .builders import _project, community_in

pytestmark = pytest.mark.django_db
D = Decimal

BALANCED = {
    "central_special": 50000,
    "special_bonds": 30000,
    "district_special": 91000,
    "city_subsidy": 114000,
    "utilities": 150000,
    "owners_direct": 10000,
    "provident_fund": 3000,
    "maintenance_fund": 2000,
}


def _example(staff, district):
    p = _project(staff, community_in(district))
    for code, qty, budget in (
        ("road", 1, 100000),
        ("pipelines", 500, None),
        ("stairwell", 2, None),
    ):
        services.project_item_add(
            user=staff, project=p, works_item=code, quantity=qty, budget=budget
        )
    return p


def _utilities(staff, p):
    services.project_utility_save(
        user=staff, project=p, utility="power", cost_share="0.3"
    )
    services.project_utility_save(
        user=staff, project=p, utility="telecom", cost_share="0.1"
    )
    services.project_utility_save(
        user=staff, project=p, utility="cable_tv", cost_share="0.1"
    )


def _sources(staff, p, rows=BALANCED, year=2022):
    for source, amount in rows.items():
        services.funding_source_save(
            user=staff, project=p, source=source, amount=amount, year=year
        )


def test_utility_amount_follows_its_share_of_the_pipeline_cost(haishu, staff):
    p = _example(staff, haishu)
    _utilities(staff, p)
    power = ProjectUtility.objects.get(project=p, utility="power")
    assert power.amount == D("90000.00")  # 30 % of 300 000
    assert power.maintains_after_acceptance is True
    status = services.project_sources_status(project=p)
    assert status.pipeline_base_yuan == D("300000.00")
    assert status.utility_lines["power"].expected_yuan == D("90000.00")
    # saving the same utility again replaces it (one row per utility)
    services.project_utility_save(
        user=staff, project=p, utility="power", cost_share="0.2", amount=70000
    )
    power.refresh_from_db()
    assert (power.cost_share, power.amount) == (D("0.2000"), D("70000.00"))
    assert ProjectUtility.objects.filter(project=p).count() == 3


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"utility": "water", "cost_share": "0.6"}, "more than 100"),
        ({"utility": "water", "cost_share": "1.5"}, "between 0 and 1"),
        ({"utility": "water", "amount": -5}, "negative"),
        ({"utility": "water"}, "share or an amount"),
        ({"utility": "railway", "amount": 1}, "utility must be one of"),
    ],
)
def test_bad_utility_rows_change_nothing(haishu, staff, kw, message):
    p = _example(staff, haishu)
    _utilities(staff, p)  # 50 % taken already
    with pytest.raises(ValidationError, match=message):
        services.project_utility_save(user=staff, project=p, **kw)
    assert ProjectUtility.objects.filter(project=p).count() == 3


def test_balanced_sources_reconcile_with_the_split(haishu, staff):
    p = _example(staff, haishu)
    _utilities(staff, p)
    _sources(staff, p)
    r = services.project_sources_status(project=p).reconciliation
    assert r is not None
    assert r.total_yuan == D("450000.00")
    assert r.status == "ok", [x.text_zh for x in r.reasons]
    assert any("暂估" in x.text_zh for x in r.reasons)  # budgets, not final accounts


def test_city_subsidy_off_the_split_is_an_error(haishu, staff):
    p = _example(staff, haishu)
    _utilities(staff, p)
    _sources(staff, p, {**BALANCED, "city_subsidy": 120000, "district_special": 85000})
    r = services.project_sources_status(project=p).reconciliation
    assert r.status == "error"
    bad = {c.key for c in r.checks if c.severity == "error"}
    assert bad == {"city_subsidy"}


def test_fenghua_has_no_city_subsidy(fenghua, staff):
    p = _example(staff, fenghua)
    _sources(staff, p, {**BALANCED, "utilities": 150000})
    r = services.project_sources_status(project=p).reconciliation
    city = next(c for c in r.checks if c.key == "city_subsidy")
    assert city.severity == "error" and city.expected_yuan == 0
    assert not any(c.key == "utilities_rows" for c in r.checks)  # no utility recorded


def test_utilities_row_must_match_the_utilities_amounts(haishu, staff):
    p = _example(staff, haishu)
    _utilities(staff, p)
    services.project_utility_save(user=staff, project=p, utility="gas", amount=10000)
    _sources(staff, p)
    r = services.project_sources_status(project=p).reconciliation
    line = next(c for c in r.checks if c.key == "utilities_rows")
    assert line.severity == "error"
    assert (line.recorded_yuan, line.expected_yuan) == (D("150000.00"), D("160000.00"))


def test_sources_short_of_the_total_and_several_years(haishu, staff):
    p = _example(staff, haishu)
    _sources(staff, p, {**BALANCED, "central_special": 30000})
    r = services.project_sources_status(project=p).reconciliation
    assert next(c for c in r.checks if c.key == "total").difference_yuan == -20000
    # the rest arrives the next year: one row per source and year
    services.funding_source_save(
        user=staff, project=p, source="central_special", amount=20000, year=2023
    )
    r = services.project_sources_status(project=p).reconciliation
    assert next(c for c in r.checks if c.key == "total").severity == "ok"
    assert (
        FundingSource.objects.filter(project=p, source="central_special").count() == 2
    )
    # saving the same source and year replaces it
    services.funding_source_save(
        user=staff, project=p, source="central_special", amount=20000, year=2023
    )
    assert FundingSource.objects.filter(project=p).count() == len(BALANCED) + 1


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"source": "lottery", "amount": 1, "year": 2022}, "source must be one of"),
        ({"source": "owners_direct", "amount": -1, "year": 2022}, "negative"),
        ({"source": "owners_direct", "amount": "x", "year": 2022}, "number"),
        ({"source": "owners_direct", "amount": 1, "year": 1999}, "year"),
    ],
)
def test_bad_source_rows_change_nothing(haishu, staff, kw, message):
    p = _example(staff, haishu)
    with pytest.raises(ValidationError, match=message):
        services.funding_source_save(user=staff, project=p, **kw)
    assert not FundingSource.objects.filter(project=p).exists()


def test_sources_without_works_items_cannot_be_reconciled(haishu, staff):
    p = _project(staff, community_in(haishu))
    services.funding_source_save(
        user=staff, project=p, source="district_special", amount=1000, year=2022
    )
    status = services.project_sources_status(project=p)
    assert status.reconciliation is None
    assert "无法核对" in status.error


def test_handed_over_project_without_handover_date_is_flagged(haishu, staff):
    p = _example(staff, haishu)
    _utilities(staff, p)
    type(p).objects.filter(pk=p.pk).update(stage="handover")
    p.refresh_from_db()
    status = services.project_sources_status(project=p)
    assert any("移交日期未录入" in r.text_zh for r in status.reasons)


def test_only_the_districts_planners_write(haishu, staff):
    p = _example(staff, haishu)
    other = factories.district(code="330205", name="江北区")
    outsider = factories.user("jb", Role.DISTRICT_PLANNER, district=other)
    own = factories.user("hs", Role.DISTRICT_PLANNER, district=haishu)
    street = factories.user(
        "st", Role.STREET_STAFF, street=p.community.street, district=haishu
    )
    viewer = factories.user("v", Role.VIEWER)
    for user in (outsider, street, viewer):
        with pytest.raises(PermissionDenied):
            services.funding_source_save(
                user=user, project=p, source="owners_direct", amount=1, year=2022
            )
        with pytest.raises(PermissionDenied):
            services.project_utility_save(
                user=user, project=p, utility="power", amount=1
            )
    row = services.funding_source_save(
        user=own, project=p, source="owners_direct", amount=1, year=2022
    )
    u = services.project_utility_save(user=own, project=p, utility="power", amount=1)
    with pytest.raises(PermissionDenied):
        services.funding_source_delete(user=outsider, row=row)
    with pytest.raises(PermissionDenied):
        services.project_utility_delete(user=outsider, row=u)
    services.funding_source_delete(user=own, row=row)
    services.project_utility_delete(user=own, row=u)
    assert not FundingSource.objects.filter(project=p).exists()
    assert not ProjectUtility.objects.filter(project=p).exists()
