"""Long-term maintenance: public revenue and the maintenance fund."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import permissions
from analysis import maintenance as maint
from analysis.eligibility import select_in_force
from layers.models import Community
from programme import selectors
from programme.models import PublicRevenue
from programme.services.checks import _amount


def _maintenance_version(year: int) -> Mapping[str, Any]:
    try:
        return select_in_force(
            selectors.programme_data("maintenance"), dt.date(year, 1, 1)
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def maintenance_fund(*, community: Community, year: int) -> maint.FundStatus:
    """The maintenance fund against the 30 % floor in force (五(三))."""
    version = _maintenance_version(year)
    try:
        return maint.maintenance_fund_status(
            community.fund_balance_yuan,
            community.fund_standard_yuan,
            year,
            floor_ratio=version.get("fund_floor_ratio", maint.FUND_FLOOR_RATIO),
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


@transaction.atomic
def revenue_record(
    *,
    user: Any,
    community: Community,
    year: int,
    kind: str,
    amount: Any,
    expenses: Any = 0,
    published: bool = False,
) -> PublicRevenue:
    """Record one public revenue of a community (五(四))."""
    permissions.check_community(user, community, "录入公共收益")
    if kind not in PublicRevenue.Kind.values:
        msg = f"kind must be one of {PublicRevenue.Kind.values}, got {kind!r}"
        raise ValidationError(msg)
    money = _amount(amount, name="amount")
    cost = _amount(expenses, name="expenses")
    if cost > money:
        msg = f"expenses ({cost}) exceed the revenue ({money})"
        raise ValidationError(msg)
    return PublicRevenue.objects.create(
        community=community,
        year=year,
        kind=kind,
        amount=money,
        expenses=cost,
        published=published,
    )


@transaction.atomic
def revenue_move_to_fund(
    *, user: Any, community: Community, year: int
) -> maint.RevenueTransfer:
    """Publish a year's public revenue and move the net into the fund (五(四))."""
    permissions.check_community(
        user, community, "公共收益转入维修资金", street_staff=False
    )
    community = Community.objects.select_for_update().get(pk=community.pk)
    rows = list(
        PublicRevenue.objects.select_for_update().filter(
            community=community, year=year, moved_to_fund=False
        )
    )
    if not rows:
        msg = f"{year}年没有待转入的公共收益 / nothing left to move for {year}"
        raise ValidationError(msg)
    by_kind: dict[str, Decimal] = {}
    for r in rows:
        by_kind[r.kind] = by_kind.get(r.kind, Decimal(0)) + r.amount
    try:
        transfer = maint.public_revenue_transfer(
            by_kind,
            expenses=sum((r.expenses for r in rows), Decimal(0)),
            fund_balance=community.fund_balance_yuan,
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    community.fund_balance_yuan = transfer.fund_balance_after_yuan
    community.save(update_fields=["fund_balance_yuan", "updated_at"])
    now = timezone.now()
    for r in rows:
        r.moved_to_fund = True
        r.published = True
        r.moved_at = now
        r.save(update_fields=["moved_to_fund", "published", "moved_at"])
    return transfer
