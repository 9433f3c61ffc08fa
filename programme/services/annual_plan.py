"""The district's annual plan: add projects, fix it, reopen it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import permissions
from analysis import reserve
from layers.models import District
from programme.models import AnnualPlan, AnnualPlanEntry, Project
from programme.services.checks import _today, _user
from programme.services.projects import _check_scope


def _locked_message(plan: AnnualPlan) -> str:
    return (
        f"{plan.year}年度计划已确定并锁定（四(二)4），须由区县政府重新开放（记录理由）后"
        f"方可修改 / the {plan.year} annual plan is fixed; reopen it with a reason first"
    )


def _plan_for_edit(district: District, year: int, day: dt.date) -> AnnualPlan:
    """The plan of ``year`` open for edits: before its deadline (created if needed) or
    reopened; otherwise a ValidationError that says how to reopen it."""
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        msg = f"year must be an int between 2000 and 2100, got {year!r}"
        raise ValidationError(msg)
    plan = (
        AnnualPlan.objects.select_for_update()
        .filter(district=district, year=year)
        .first()
    )
    if plan is not None and plan.reopened:
        return plan
    if plan is not None and plan.locked:
        raise ValidationError(_locked_message(plan))
    try:
        reserve.check_plan_editable(year, day, False)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    return plan or AnnualPlan.objects.create(district=district, year=year)


def annual_plan_entry_of(*, project: Project) -> AnnualPlanEntry | None:
    """The entry of the latest annual plan that lists the project."""
    return (
        AnnualPlanEntry.objects.filter(project=project)
        .select_related("plan", "plan__district")
        .order_by("-plan__year", "-id")
        .first()
    )


@transaction.atomic
def annual_plan_add_project(
    *,
    user: Any,
    district: District,
    year: int,
    project: Project,
    today: dt.date | None = None,
) -> AnnualPlan:
    """List a scored reserve-pool project in the annual plan of ``year`` (四(二)4).

    Open until 31 October of the year before; after that, or once the plan is
    fixed, only when the district reopened it with a recorded reason.
    """
    permissions.check_district(user, district.pk, "列入年度计划")
    plan = _plan_for_edit(district, year, _today(today))
    if project.district_id != district.pk:
        msg = "项目不在该区县 / the project is in another district"
        raise ValidationError(msg)
    if project.stage != "reserve_pool":
        msg = (
            f"只有储备库中的项目可列入年度计划，项目当前阶段为{project.stage} / only "
            "reserve-pool projects can be listed"
        )
        raise ValidationError(msg)
    if not project.reserve_entries.exists():
        msg = "项目尚未评分排序（四(二)4） / score the reserve pool first"
        raise ValidationError(msg)
    if plan.entries.filter(project=project).exists():
        msg = f"项目已列入{year}年度计划 / already in the {year} plan"
        raise ValidationError(msg)
    _check_scope(project, "不能列入年度计划")
    AnnualPlanEntry.objects.create(
        plan=plan, project=project, added_at=timezone.now(), added_by=_user(user)
    )
    return plan


@transaction.atomic
def annual_plan_fix(
    *, user: Any, district: District, year: int, today: dt.date | None = None
) -> AnnualPlan:
    """Fix (lock) the district's annual plan of ``year`` (四(二)4).

    By 31 October of the year before; later only a plan reopened with a recorded
    reason. Every project listed is fixed with it and may then go on to the
    annual-plan stage and construction, on any day.
    """
    permissions.check_district(user, district.pk, "确定年度计划")
    plan = (
        AnnualPlan.objects.select_for_update()
        .filter(district=district, year=year)
        .first()
    )
    if plan is not None and plan.locked and not plan.reopened:
        msg = f"{year}年度计划已确定 / the {year} annual plan is already fixed"
        raise ValidationError(msg)
    plan = _plan_for_edit(district, year, _today(today))
    entries = list(plan.entries.select_for_update())
    if not entries:
        msg = f"{year}年度计划尚无项目 / the {year} annual plan lists no project"
        raise ValidationError(msg)
    now = timezone.now()
    for entry in entries:
        if entry.fixed_at is None:
            entry.fixed_at = now
            entry.save(update_fields=["fixed_at"])
    plan.locked = True
    plan.reopened = False
    plan.fixed_at = now
    plan.fixed_by = _user(user)
    plan.save()
    return plan


@transaction.atomic
def annual_plan_reopen(
    *, user: Any, district: District, year: int, why: str
) -> AnnualPlan:
    """Reopen the annual plan of ``year`` with the recorded reason (四(二)4).

    Also opens a plan that was not fixed by its deadline (it is created): the
    district government records why it is fixed late. Projects already fixed
    with the plan keep going; new ones are fixed when the plan is fixed again.
    """
    permissions.check_district(user, district.pk, "重新开放年度计划")
    why = (why or "").strip()
    if not why:
        msg = "重新开放年度计划须说明理由 / give the reason for reopening"
        raise ValidationError(msg)
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        msg = f"year must be an int between 2000 and 2100, got {year!r}"
        raise ValidationError(msg)
    plan, _ = AnnualPlan.objects.select_for_update().get_or_create(
        district=district, year=year
    )
    plan.reopened = True
    plan.reopened_by = _user(user)
    plan.reopened_at = timezone.now()
    plan.reopened_why = why
    plan._change_reason = why[:100]  # noqa: SLF001 - django-simple-history's API
    plan.save()
    return plan
