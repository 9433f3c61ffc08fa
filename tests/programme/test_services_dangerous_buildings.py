"""services: 二(二)1 危房清零.

programme.services on real PostGIS: each clause named in its test, bad input refused.

Cases (二(一) scope: tests/programme/test_scope.py):
三(一) 40 % central / none for Fenghua / lifts and dangerous buildings excluded;
三(二)/三(三) shares; 四(二) art. 278 thresholds; 四(二)4 ranking, 31 October lock
and recorded reopening; 四(三) stage order; 五(三) 30 % floor; 五(四) revenue
moved to the fund; 一(二) progress. Bad input changes nothing (row counts checked).
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from programme import services
from programme.models import (
    Project,
)

from .builders import (
    ACCEPTED,
    _project,
    block_of,
    community_in,
    to_annual_plan,
    to_preliminary_plan,
    to_reserve_pool,
)

pytestmark = pytest.mark.django_db
D = Decimal


def test_clause_2_2_1_plan_for_a_d_grade_community_needs_a_dangerous_building_item(
    haishu, staff
):
    c = community_in(haishu, dangerous_d=1)
    p = to_preliminary_plan(staff, _project(staff, c), danger_item=False)
    with pytest.raises(ValidationError, match="二\\(二\\)1"):
        services.project_advance(user=staff, project=p, to_stage="plan_vote")
    services.project_item_add(
        user=staff, project=p, works_item="dangerous_building", quantity=50
    )
    services.project_advance(user=staff, project=p, to_stage="plan_vote")


def test_clause_2_2_1_acceptance_needs_every_c_d_building_made_safe(haishu, staff):
    """C 2 + D 1: acceptance refused until all three are recorded as made safe; then
    the community's counts are zero (history keeps 2 and 1) and progress counts 3."""
    c = community_in(haishu, dangerous_c=2, dangerous_d=1)
    p = to_annual_plan(staff, to_reserve_pool(staff, _project(staff, c)))
    services.project_advance(
        user=staff, project=p, to_stage="construction", evidence={"permit": "报建1"}
    )
    with pytest.raises(ValidationError, match="2 C-grade and 1 D-grade"):
        services.project_advance(
            user=staff,
            project=p,
            to_stage="completion_acceptance",
            evidence={"acceptance": ACCEPTED},
        )
    with pytest.raises(ValidationError, match="dangerous_cleared"):
        services.project_advance(
            user=staff,
            project=p,
            to_stage="completion_acceptance",
            evidence={"acceptance": ACCEPTED, "dangerous_cleared": {"c": 2, "d": 0}},
        )
    services.project_advance(
        user=staff,
        project=p,
        to_stage="completion_acceptance",
        evidence={"acceptance": ACCEPTED, "dangerous_cleared": {"c": 2, "d": 1}},
    )
    c.refresh_from_db()
    assert (c.dangerous_c, c.dangerous_d, c.stage) == (0, 0, "accepted")
    assert c.history.filter(dangerous_c=2, dangerous_d=1).exists()
    row = services.programme_progress_report(year=2022).loc["330203"]
    assert row["dangerous_cleared"] == 3
    assert row["dangerous_remaining"] == 0


def test_writes_need_staff(haishu, resident):
    c = community_in(haishu)
    with pytest.raises(PermissionDenied):
        services.project_create(user=resident, name="x", year=2021, community=c)
    with pytest.raises(PermissionDenied):
        services.project_create(user=None, name="x", year=2021, community=c)
    assert Project.objects.count() == 0


def test_block_project_needs_a_district(staff, haishu, fenghua):
    block_of("B1", [community_in(haishu)])
    with pytest.raises(ValidationError, match="district"):
        services.project_create(user=staff, name="片区", year=2021, block_code="B1")
    with pytest.raises(ValidationError, match="outside"):
        services.project_create(
            user=staff, name="片区", year=2021, block_code="B1", district=fenghua
        )
    p = services.project_create(
        user=staff, name="片区", year=2021, block_code="B1", district=haishu
    )
    assert p.community is None and p.stage == "will_vote"
