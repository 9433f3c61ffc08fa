"""services: 三 funding.

programme.services on real PostGIS: each clause named in its test, bad input refused.

Cases (二(一) scope: tests/programme/test_scope.py):
三(一) 40 % central / none for Fenghua / lifts and dangerous buildings excluded;
三(二)/三(三) shares; 四(二) art. 278 thresholds; 四(二)4 ranking, 31 October lock
and recorded reopening; 四(三) stage order; 五(三) 30 % floor; 五(四) revenue
moved to the fund; 一(二) progress. Bad input changes nothing (row counts checked).
"""

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.contrib.gis.geos import MultiPolygon
from django.core.exceptions import ValidationError

from layers.models import District
from programme import services
from programme.models import (
    ProjectItem,
    ReserveEntry,
)
from tests import factories

from .builders import (
    ON_TIME,
    _project,
    community_in,
    to_reserve_pool,
)

pytestmark = pytest.mark.django_db
D = Decimal


def _central_example(staff, district):
    p = _project(staff, community_in(district))
    services.project_item_add(
        user=staff, project=p, works_item="road", quantity=1, budget=100000
    )
    services.project_item_add(user=staff, project=p, works_item="stairwell", quantity=2)
    services.project_item_add(user=staff, project=p, works_item="fitness", quantity=1)
    return p


def test_clause_3_1_central_district_gets_40_percent(haishu, staff):
    """海曙区 (central).

    road 100 000 (basic, government 100 %)            → gov 100 000
    stairwell 2 × 25 000 = 50 000 (三(三) co-pay 70/30) → gov 35 000, owners 15 000
    fitness 80 000 (enhancement, social capital)       → social 80 000
    government outlay 135 000 → city subsidy 40 % = 54 000, district net 81 000;
    all on budgets, so the subsidy is provisional.
    """
    split = services.project_funding(project=_central_example(staff, haishu))
    assert split.total_yuan == D("230000.00")
    assert split.totals["government"] == D("135000.00")
    assert split.totals["owners"] == D("15000.00")
    assert split.totals["social_capital"] == D("80000.00")
    assert split.city_subsidy_base_yuan == D("135000.00")
    assert split.city_subsidy_yuan == D("54000.00")
    assert split.district_net_yuan == D("81000.00")
    assert split.city_subsidy_provisional is True
    assert any(
        f.clause == "三(一)" and f.label == "city subsidy" for f in split.figures
    )


def test_clause_3_1_fenghua_gets_no_city_subsidy(fenghua, staff):
    """Same items in 奉化区: government still pays 135 000, city subsidy 0."""
    split = services.project_funding(project=_central_example(staff, fenghua))
    assert split.totals["government"] == D("135000.00")
    assert split.city_subsidy_yuan == D("0.00")
    assert split.district_net_yuan == D("135000.00")
    assert "奉化" in split.reasons[0].text_zh


def test_clause_3_1_central_flag_comes_from_the_data_in_force(staff):
    """districts.json says 330213 is not central even if the layer row says so."""
    wrong = factories.district(code="330213", name="奉化区", is_central=True)
    split = services.project_funding(project=_central_example(staff, wrong))
    assert split.city_subsidy_yuan == D("0.00")


def test_clause_3_1_district_missing_from_the_data_is_not_central_by_default(staff):
    """The 40 % is for the listed central districts: a district row that is not in
    districts.json and nobody marked central gets none (the flag defaulted to true)."""
    new = District.objects.create(
        code="339901",
        name="新设区",
        geom=MultiPolygon(
            factories.square(121.55, 29.875, 5000), srid=django_settings.SRID
        ),
    )
    assert new.is_central is False
    split = services.project_funding(project=_central_example(staff, new))
    assert split.city_subsidy_yuan == D("0.00")
    assert services.district_is_central(district=new, on=ON_TIME) == (
        False,
        "District.is_central",
    )


def test_clause_3_1_lifts_and_dangerous_building_excluded_from_subsidy_base(
    haishu, staff
):
    """Lift 1 × 650 000: government 40 % = 260 000, owners 390 000 (special, excluded).

    Dangerous building 200 000: government 100 % (special, excluded).
    Road: budget 120 000, audited final account 100 000 → base 100 000 (三(一)).
    Subsidy base 100 000 → subsidy 40 000, not provisional (final account).
    """
    p = _project(staff, community_in(haishu))
    services.project_item_add(user=staff, project=p, works_item="lift", quantity=1)
    services.project_item_add(
        user=staff,
        project=p,
        works_item="dangerous_building",
        quantity=250,
        budget=200000,
    )
    services.project_item_add(
        user=staff,
        project=p,
        works_item="road",
        quantity=1,
        budget=120000,
        final_account=100000,
    )
    split = services.project_funding(project=p)
    lift = next(i for i in split.items if i.code == "lift")
    assert lift.shares["government"] == D("260000.00")
    assert lift.shares["owners"] == D("390000.00")
    assert lift.city_subsidy_eligible is False
    assert split.city_subsidy_base_yuan == D("100000.00")
    assert split.city_subsidy_yuan == D("40000.00")
    assert split.city_subsidy_provisional is False
    assert split.total_yuan == D("950000.00")  # 650 000 + 200 000 + 100 000
    assert any("dangerous_building" in r.text_en for r in split.reasons)


def test_clause_3_2_utilities_pay_half_of_pipelines(haishu, staff):
    """Pipelines 100 m × 600 = 60 000: government 30 000, utilities 30 000."""
    p = _project(staff, community_in(haishu))
    services.project_item_add(
        user=staff, project=p, works_item="pipelines", quantity=100
    )
    split = services.project_funding(project=p)
    (item,) = split.items
    assert item.shares["utilities"] == D("30000.00")
    assert item.rule_id == "pipelines_utilities"
    assert any(f.clause == "三(二)" for f in item.figures)


def test_clause_3_3_owners_share_override_on_copay_item(haishu, staff):
    """AC brackets 100 × 1 500 = 150 000 with a district standard of 50 % owners."""
    p = _project(staff, community_in(haishu))
    services.project_item_add(
        user=staff, project=p, works_item="ac_bracket", quantity=100, owners_share="0.5"
    )
    (item,) = services.project_funding(project=p).items
    assert item.shares["owners"] == D("75000.00")
    assert item.shares["government"] == D("75000.00")
    assert any(f.clause == "三(三)" for f in item.figures)


def test_clause_3_3_owners_share_refused_on_item_without_copay(haishu, staff):
    p = _project(staff, community_in(haishu))
    with pytest.raises(ValidationError, match="三\\(三\\)"):
        services.project_item_add(
            user=staff, project=p, works_item="road", quantity=1, owners_share="0.2"
        )
    assert ProjectItem.objects.count() == 0


def test_clause_3_enhancement_item_records_government_money(haishu, staff):
    """Childcare 100 m² × 4 500 = 450 000 with 50 % from the district: government
    225 000, in the 40 % base (三(一)); refused on a basic item, nothing saved."""
    p = _project(staff, community_in(haishu))
    services.project_item_add(
        user=staff,
        project=p,
        works_item="childcare",
        quantity=100,
        government_share="0.5",
    )
    split = services.project_funding(project=p)
    assert split.totals["government"] == D("225000.00")
    assert split.totals["social_capital"] == D("225000.00")
    assert split.city_subsidy_yuan == D("90000.00")
    with pytest.raises(ValidationError, match="提升类"):
        services.project_item_add(
            user=staff, project=p, works_item="road", quantity=1, government_share="0.5"
        )
    assert ProjectItem.objects.count() == 1


def test_clause_4_2_4_enhancement_items_do_not_raise_the_cofunding_score(haishu, staff):
    """Same community data, same stairwell; one project adds a fitness corner (social
    capital): both get the same co-funding points (the share used to count it)."""
    a = to_reserve_pool(
        staff, _project(staff, community_in(haishu)), item="stairwell", quantity=4
    )
    b = to_reserve_pool(
        staff, _project(staff, community_in(haishu)), item="stairwell", quantity=4
    )
    services.project_item_add(user=staff, project=b, works_item="fitness", quantity=3)
    services.reserve_pool_score(user=staff, district=haishu, year=2022)
    points = {
        e.project_id: e.points["co_funding"]["points"]
        for e in ReserveEntry.objects.all()
    }
    assert points[a.pk] == points[b.pk] == 15.0  # owners 30 % of the stairwell


def test_negative_budget_or_quantity_refused_and_nothing_saved(haishu, staff):
    p = _project(staff, community_in(haishu))
    with pytest.raises(ValidationError, match="budget must not be negative"):
        services.project_item_add(
            user=staff, project=p, works_item="road", quantity=1, budget=-5
        )
    with pytest.raises(ValidationError, match="quantity must not be negative"):
        services.project_item_add(user=staff, project=p, works_item="road", quantity=-1)
    assert ProjectItem.objects.count() == 0


def test_funding_of_a_project_without_items_is_a_clear_error(haishu, staff):
    p = _project(staff, community_in(haishu))
    with pytest.raises(ValidationError, match="no works items"):
        services.project_funding(project=p)
