"""Checks shared by the programme's services: who may write, amounts, dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import permissions
from analysis import eligibility as elig
from analysis import funding as fund
from layers.models import Community
from programme.models import Project

CENT = Decimal("0.01")


_user = permissions.user_of


def _check_project(
    user: Any,
    what: str,
    *,
    community: Community | None,
    district_id: int | None,
    street_staff: bool = True,
) -> None:
    """A community's project: its district's planners or (``street_staff``) its
    street's staff; a block project: its district's planners."""
    if community is not None:
        permissions.check_community(user, community, what, street_staff=street_staff)
    else:
        permissions.check_district(user, district_id, what)


def _check_on(user: Any, project: Project, what: str, **kw: Any) -> None:
    _check_project(
        user, what, community=project.community, district_id=project.district_id, **kw
    )


def _amount(value: Any, *, name: str) -> Decimal:
    """A non-negative amount rounded to 0.01, or a ValidationError naming it."""
    try:
        return fund.to_yuan(value, name=name)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def _reason_rows(reasons: list[elig.Reason]) -> list[dict[str, str]]:
    return [
        {"clause": r.clause, "text_zh": r.text_zh, "text_en": r.text_en}
        for r in reasons
    ]


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()
