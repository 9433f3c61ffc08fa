"""services: 一(二) progress.

programme.services on real PostGIS: each clause named in its test, bad input refused.

Cases (二(一) scope: tests/programme/test_scope.py):
三(一) 40 % central / none for Fenghua / lifts and dangerous buildings excluded;
三(二)/三(三) shares; 四(二) art. 278 thresholds; 四(二)4 ranking, 31 October lock
and recorded reopening; 四(三) stage order; 五(三) 30 % floor; 五(四) revenue
moved to the fund; 一(二) progress. Bad input changes nothing (row counts checked).
"""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from programme import services
from programme.models import (
    Project,
    Vote,
)

from .builders import (
    ON_TIME,
    _project,
    community_in,
    passed_vote,
    to_reserve_pool,
)

pytestmark = pytest.mark.django_db
D = Decimal


def test_clause_1_2_progress_counts_renovated_against_annual_plan(haishu, staff):
    """Target: 1 community listed in 海曙's 2022 plan; renovated: 1 accepted of 400 hh."""
    community_in(haishu, stage="accepted", households=400)
    p = to_reserve_pool(staff, _project(staff, community_in(haishu)))
    services.reserve_pool_score(user=staff, district=haishu, year=2022)
    services.annual_plan_add_project(
        user=staff, district=haishu, year=2022, project=p, today=ON_TIME
    )
    frame = services.programme_progress_report(year=2022)
    row = frame.loc["330203"]
    assert row["target_communities"] == 1
    assert row["renovated_communities"] == 1
    assert row["renovated_households"] == 400
    assert row["communities_pct"] == pytest.approx(100.0)
    assert frame.loc["city", "renovated_communities"] == 1


def test_clause_1_2_progress_xlsx(haishu):
    community_in(haishu, stage="accepted")
    book = load_workbook(io.BytesIO(services.programme_progress_xlsx(year=2021)))
    sheet = book.active
    assert sheet["A1"].value == "区县"
    assert sheet["C1"].value == "已改造小区数"
    labels = [r[0].value for r in sheet.iter_rows(min_row=2)]
    assert haishu.name in labels and "全市" in labels
    assert book.sheetnames == ["进度2021", "说明", "列代码"]


def test_clause_1_2_progress_bad_year(haishu):
    community_in(haishu)
    with pytest.raises(ValidationError, match="year"):
        services.programme_progress_report(year=1999)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(extra=st.integers(min_value=1, max_value=10_000))
def test_vote_with_more_participants_than_owners_never_saved(haishu, staff, extra):
    p = Project.objects.first() or _project(staff, community_in(haishu))
    with pytest.raises(ValidationError, match="more participants"):
        passed_vote(staff, p, participants_owners=300 + extra)
    assert Vote.objects.count() == 0
