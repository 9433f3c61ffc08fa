"""Projects and their works items: create, edit, delete, scope."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from analysis import stages
from analysis.eligibility import Reason
from layers.models import Community, District
from programme import scope
from programme.models import Project, ProjectItem, StageTransition, WorksItem
from programme.services.checks import (
    CENT,
    _amount,
    _check_on,
    _check_project,
    _reason_rows,
    _user,
)


@transaction.atomic
def project_create(
    *,
    user: Any,
    name: str,
    year: int,
    community: Community | None = None,
    block_code: str = "",
    district: District | None = None,
    area_project: bool = False,
    why: str = "",
) -> Project:
    """Create a project at the first stage (``will_vote``, 四(二)1) and record it."""
    _check_project(
        user,
        "新建改造项目",
        community=community,
        district_id=community.district_id
        if community is not None
        else (district.pk if district is not None else None),
    )
    name = (name or "").strip()
    if not name:
        msg = "项目名称不能为空 / the project needs a name"
        raise ValidationError(msg)
    if community is None and not block_code:
        msg = "项目须对应一个小区或一个连片片区 / give a community or a block_code"
        raise ValidationError(msg)
    if community is not None:
        if district is not None and district.pk != community.district_id:
            msg = "小区不在所选区县内 / the community is not in that district"
            raise ValidationError(msg)
        district = community.district
    if district is None:
        msg = "片区项目须指定区县 / a block project needs a district"
        raise ValidationError(msg)
    if community is None:
        outside = [
            m.code
            for m in scope.block_members(block_code=block_code)
            if m.district_id != district.pk
        ]
        if outside:
            msg = (
                f"片区成员不在{district.name}：{', '.join(outside)} / block members "
                "outside the project's district"
            )
            raise ValidationError(msg)
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        msg = f"year must be an int between 2000 and 2100, got {year!r}"
        raise ValidationError(msg)
    problem = scope.project_scope_problem(
        community=community, block_code=block_code, allow_will_pending=True
    )
    if problem:
        raise ValidationError(problem)
    step = stages.advance(None, "will_vote", {})
    project = Project.objects.create(
        name=name,
        year=year,
        community=community,
        block_code=block_code,
        district=district,
        area_project=area_project,
        stage=step.to_stage,
        created_by=_user(user),
    )
    StageTransition.objects.create(
        project=project,
        from_stage="",
        to_stage=step.to_stage,
        public_stage=step.public_stage,
        by=_user(user),
        why=why or "项目创建",
        evidence={},
        reasons=_reason_rows([*step.reasons, *_scope_lines(project)]),
    )
    return project


def _scope_lines(project: Project) -> list[Reason]:
    """The 二(一) lines of a project's communities admitted by a recorded decision or
    by their block (shown in the project's history)."""
    if project.community_id is not None:
        decisions = {
            project.community.code: scope.community_eligibility(
                community=project.community, in_block_with_others=False
            )
        }
    else:
        decisions = scope.block_eligibility(block_code=project.block_code)
    lines = []
    for code, d in decisions.items():
        if d.basis in ("district", "exception", "block"):
            last = d.reasons[-1]
            lines.append(
                Reason(
                    last.clause, f"{code}：{last.text_zh}", f"{code}: {last.text_en}"
                )
            )
        elif d.needs == ("will_vote",):
            lines.append(
                Reason(
                    "四(二)1",
                    f"{code}：须经业主改造意愿表决通过，方可提出申请。",
                    f"{code}: the owners' will vote must pass before the application.",
                )
            )
    return lines


#: stages a project reaches only while its communities are in scope (二(一))
SCOPE_GATED = ("application", "reserve_pool", "annual_plan")


def _check_scope(project: Project, what: str) -> None:
    problem = scope.project_scope_problem(
        community=project.community, block_code=project.block_code
    )
    if problem:
        raise ValidationError(f"{what}：{problem}")


_PROJECT_EDITABLE = (
    "name",
    "block_code",
    "area_project",
    "plan_design",
    "funding_plan",
    "long_term_management",
)


@transaction.atomic
def project_update(*, user: Any, project: Project, **fields: Any) -> Project:
    """Update descriptive fields (name, plan parts…); stages move only by advance."""
    _check_on(user, project, "编辑改造项目")
    unknown = sorted(set(fields) - set(_PROJECT_EDITABLE))
    if unknown:
        msg = f"these fields cannot be edited here: {unknown}"
        raise ValidationError(msg)
    if "name" in fields and not str(fields["name"]).strip():
        msg = "项目名称不能为空 / the project needs a name"
        raise ValidationError(msg)
    if fields.get("block_code") == "" and project.community_id is None:
        msg = "片区项目须保留片区编码 / a block project needs its block_code"
        raise ValidationError(msg)
    # Fresh row, named fields only: a stale instance must not roll back the stage.
    project = Project.objects.select_for_update().get(pk=project.pk)
    for key, value in fields.items():
        setattr(project, key, value)
    project.save(update_fields=[*fields, "updated_at"])
    return project


@transaction.atomic
def project_delete(*, user: Any, project: Project) -> None:
    """Delete a project that has not gone beyond the will vote."""
    _check_on(user, project, "删除改造项目", street_staff=False)
    if project.stage != "will_vote" or project.votes.exists():
        msg = (
            "已有表决或已推进的项目不能删除，只能保留记录 / a project with votes or "
            "past the first stage cannot be deleted"
        )
        raise ValidationError(msg)
    project.delete()


def _works_item(code: str) -> WorksItem:
    try:
        return WorksItem.objects.get(code=code)
    except WorksItem.DoesNotExist as exc:
        msg = f"改造内容清单中没有 {code!r} / unknown works item"
        raise ValidationError(msg) from exc


@transaction.atomic
def project_item_add(
    *,
    user: Any,
    project: Project,
    works_item: WorksItem | str,
    quantity: Any,
    unit_cost: Any = None,
    budget: Any = None,
    final_account: Any = None,
    owners_share: Any = None,
    government_share: Any = None,
) -> ProjectItem:
    """Add a works item (二(二)) with its budget line to a project.

    ``budget`` defaults to ``quantity × unit_cost`` (unit cost from the
    catalogue if not given). Negative or non-numeric figures are refused and
    nothing is saved.
    """
    _check_on(user, project, "添加改造内容")
    if isinstance(works_item, str):
        works_item = _works_item(works_item)
    if works_item.area_project_only and not project.area_project:
        msg = (
            f"{works_item.name_zh}仅限片区改造项目（二(二)1） / {works_item.code} is "
            "only for area-wide projects"
        )
        raise ValidationError(msg)
    if project.items.filter(works_item=works_item).exists():
        msg = f"项目已包含{works_item.name_zh} / item {works_item.code} already added"
        raise ValidationError(msg)
    qty = _amount(quantity, name="quantity")
    cost = (
        works_item.unit_cost
        if unit_cost is None
        else _amount(unit_cost, name="unit_cost")
    )
    line = (
        _amount(budget, name="budget")
        if budget is not None
        else (qty * cost).quantize(CENT, rounding=ROUND_HALF_UP)
    )
    final = (
        None if final_account is None else _amount(final_account, name="final_account")
    )
    share = None
    if owners_share is not None:
        if not works_item.owners_copay:
            msg = (
                f"{works_item.name_zh}不属于业主分担内容（三(三)） / item "
                f"{works_item.code} has no owners' co-pay"
            )
            raise ValidationError(msg)
        share = _share(owners_share, "owners_share")
    gov = None
    if government_share is not None:
        if works_item.category != WorksItem.Category.ENHANCEMENT:
            msg = (
                f"{works_item.name_zh}不是提升类内容：政府出资比例只用于提升类（三） / "
                "government_share is for enhancement works only"
            )
            raise ValidationError(msg)
        gov = _share(government_share, "government_share")
    return ProjectItem.objects.create(
        project=project,
        works_item=works_item,
        quantity=qty,
        unit_cost=cost,
        budget=line,
        final_account=final,
        owners_share=share,
        government_share=gov,
    )


def _share(value: Any, name: str) -> Decimal:
    try:
        share = Decimal(str(value))
    except InvalidOperation as exc:
        msg = f"{name} must be a number, got {value!r}"
        raise ValidationError(msg) from exc
    if not share.is_finite() or not Decimal(0) <= share <= Decimal(1):
        msg = f"{name} must be between 0 and 1, got {value}"
        raise ValidationError(msg)
    return share


@transaction.atomic
def project_item_set_final_account(
    *, user: Any, item: ProjectItem, final_account: Any
) -> ProjectItem:
    """Record the audited final account (核定的竣工财务决算数, 三(一)) of an item."""
    _check_on(user, item.project, "录入竣工决算", street_staff=False)
    item.final_account = _amount(final_account, name="final_account")
    item.save(update_fields=["final_account"])
    return item
