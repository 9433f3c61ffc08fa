"""services: 二(二) catalogue.

programme.services on real PostGIS: each clause named in its test, bad input refused.

Cases (二(一) scope: tests/programme/test_scope.py):
三(一) 40 % central / none for Fenghua / lifts and dangerous buildings excluded;
三(二)/三(三) shares; 四(二) art. 278 thresholds; 四(二)4 ranking, 31 October lock
and recorded reopening; 四(三) stage order; 五(三) 30 % floor; 五(四) revenue
moved to the fund; 一(二) progress. Bad input changes nothing (row counts checked).
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programme import services
from programme.models import (
    ProjectItem,
)

from .builders import (
    _project,
    community_in,
)

pytestmark = pytest.mark.django_db
D = Decimal


def test_clause_2_2_area_only_item_refused_on_a_community_project(haishu, staff):
    p = _project(staff, community_in(haishu))
    with pytest.raises(ValidationError, match="片区"):
        services.project_item_add(
            user=staff, project=p, works_item="municipal_infrastructure", quantity=10
        )
    assert ProjectItem.objects.count() == 0


def test_clause_2_2_item_budget_from_catalogue_unit_cost(haishu, staff):
    p = _project(staff, community_in(haishu))
    # stairwell: 25 000 yuan per unit (works_catalogue.json) × 4 units = 100 000.
    item = services.project_item_add(
        user=staff, project=p, works_item="stairwell", quantity=4
    )
    assert item.unit_cost == D("25000.00")
    assert item.budget == D("100000.00")
