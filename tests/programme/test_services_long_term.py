"""services: 五 long-term.

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
    PublicRevenue,
)

from .builders import (
    community_in,
)

pytestmark = pytest.mark.django_db
D = Decimal


def test_clause_5_3_fund_below_30_percent_starts_daily_fee(haishu):
    """20 000 / 100 000 = 20 % < 30 % → fee from 2021; 30 000 → exactly 30 %, not below."""
    low = community_in(haishu, fund_balance_yuan=20000, fund_standard_yuan=100000)
    status = services.maintenance_fund(community=low, year=2021)
    assert status.below_30pct and status.daily_fee_start_year == 2021
    assert status.reason.clause == "五(三)"
    ok = community_in(haishu, fund_balance_yuan=30000, fund_standard_yuan=100000)
    assert services.maintenance_fund(community=ok, year=2021).below_30pct is False


def test_clause_5_3_fund_without_standard_is_a_clear_error(haishu):
    c = community_in(haishu, fund_standard_yuan=0)
    with pytest.raises(ValidationError, match="standard must be positive"):
        services.maintenance_fund(community=c, year=2021)


def test_clause_5_4_revenue_moved_to_fund_and_published(haishu, staff):
    """Parking 5 000 + advertising 1 000, costs 500 → 5 500 into the fund (10 000 → 15 500)."""
    c = community_in(haishu, fund_balance_yuan=10000, fund_standard_yuan=100000)
    services.revenue_record(
        user=staff, community=c, year=2021, kind="parking", amount=5000, expenses=500
    )
    services.revenue_record(
        user=staff, community=c, year=2021, kind="advertising", amount=1000
    )
    transfer = services.revenue_move_to_fund(user=staff, community=c, year=2021)
    assert transfer.transfer_yuan == D("5500.00")
    c.refresh_from_db()
    assert c.fund_balance_yuan == D("15500.00")
    assert PublicRevenue.objects.filter(moved_to_fund=True, published=True).count() == 2
    with pytest.raises(ValidationError, match="nothing left"):
        services.revenue_move_to_fund(user=staff, community=c, year=2021)
    c.refresh_from_db()
    assert c.fund_balance_yuan == D("15500.00")


def test_clause_5_4_bad_revenue_refused(haishu, staff):
    c = community_in(haishu)
    with pytest.raises(ValidationError, match="exceed"):
        services.revenue_record(
            user=staff, community=c, year=2021, kind="rent", amount=100, expenses=200
        )
    with pytest.raises(ValidationError, match="kind"):
        services.revenue_record(
            user=staff, community=c, year=2021, kind="lottery", amount=100
        )
    assert PublicRevenue.objects.count() == 0
