"""Writes and multi-step actions of the renovation programme (STYLE §4.2).

Every service is ``<entity>_<action>``, keyword-only and atomic. The rules come
from the pure modules of ``analysis`` (eligibility, funding, votes,
stages, reserve, maintenance); the services gather their inputs from the
database and store their results. Bad input raises
:class:`django.core.exceptions.ValidationError` with a clear message and
changes nothing; a user who may not write gets
:class:`django.core.exceptions.PermissionDenied`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import permissions
from analysis import eligibility as elig
from analysis import funding as fund
from analysis import maintenance as maint
from analysis import reserve, stages, votes
from analysis.eligibility import Reason, select_in_force
from layers.io.writers import table_xlsx_bytes
from layers.models import Community, District

from . import scope, selectors
from .models import (
    AnnualPlan,
    AnnualPlanEntry,
    Project,
    ProjectItem,
    PublicRevenue,
    ReserveEntry,
    StageTransition,
    Vote,
    WorksItem,
)

CENT = Decimal("0.01")
#: Evidence keys the services compute from the database; a caller cannot set them.
DB_EVIDENCE = (
    "will_vote",
    "chosen_items",
    "plan",
    "plan_votes",
    "reserve_entry",
    "plan_year",
    "today",
    "reopened",
    "annual_plan",
    "dangerous_buildings",
)
#: Documentary evidence a caller may supply; it is kept in ``Project.documents``.
DOCUMENT_KEYS = (
    "written_application",
    "implementation_plan",
    "permit",
    "acceptance",
    "handed_over_to",
    "warranty_end",
    "evaluation",
    "dangerous_cleared",
)


#: stages street staff may move a project to: the residents' side of the process, up to
#: the street's own review (四(二)1–3); from the district review on, planners decide
STREET_STAGES = ("application", "preliminary_plan", "plan_vote", "street_review")


# --------------------------------------------------------------------------- helpers
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


# --------------------------------------------------------------------------- projects
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
        try:
            works_item = WorksItem.objects.get(code=works_item)
        except WorksItem.DoesNotExist as exc:
            msg = f"改造内容清单中没有 {works_item!r} / unknown works item"
            raise ValidationError(msg) from exc
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


# --------------------------------------------------------------------------- votes
def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{name} must be a whole number, got {value!r}"
        raise ValidationError(msg)
    return value


def _area(value: Any, name: str) -> Decimal:
    try:
        area = Decimal(str(value))
    except InvalidOperation as exc:
        msg = f"{name} must be a number, got {value!r}"
        raise ValidationError(msg) from exc
    if not area.is_finite():
        msg = f"{name} must be finite"
        raise ValidationError(msg)
    return area.quantize(CENT, rounding=ROUND_HALF_UP)


def vote_rules(*, on: dt.date) -> Mapping[str, Any]:
    """The version of ``vote_thresholds.json`` in force on ``on``."""
    try:
        return votes.vote_thresholds_in_force(
            selectors.programme_data("vote_thresholds"), on
        )
    except ValueError as exc:
        raise ValidationError(f"表决规则 / vote rules: {exc}") from exc


def project_plan_matters(*, project: Project, on: dt.date | None = None) -> list[str]:
    """The matters the project's plan puts to the owners (四(二)3; 民法典第278条): the
    plan itself and those of its works (a lift: rebuilding, item 7; a park or a
    parking lot on common parts: item 8)."""
    day = _today(on)
    codes = [i.works_item.code for i in selectors.project_item_list(project=project)]
    try:
        known = fund.catalogue_items(selectors.programme_data("works_catalogue"), day)
        return votes.plan_matters(codes, known)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def plan_made_on(*, project: Project) -> dt.date | None:
    """The day the preliminary plan was complete: the project entered ``plan_vote``."""
    at = (
        project.transitions.filter(to_stage="plan_vote")
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )
    return timezone.localtime(at).date() if at else None


@transaction.atomic
def vote_record(
    *,
    user: Any,
    project: Project,
    kind: str,
    total_owners: int,
    total_area_m2: Any,
    participants_owners: int,
    participants_area_m2: Any,
    consent_owners: int,
    consent_area_m2: Any,
    held_on: dt.date,
    matter: str | None = None,
    today: dt.date | None = None,
) -> Vote:
    """Record the aggregate result of an owners' vote (四(二)1/3; 民法典第278条).

    A will vote (四(二)1) decides whether to renovate and what: matter
    ``other_major``, while the project is at ``will_vote``. A plan vote (四(二)3)
    decides one of the matters the plan puts to the owners
    (:func:`project_plan_matters`), while the project is at ``plan_vote`` and not
    before the plan was made. The majority and the clause follow from the matter
    and the law in force on ``held_on`` (:func:`analysis.votes.tally_vote`);
    nobody chooses them. Only aggregates are stored, never household votes.
    """
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_on(user, project, "录入业主表决")
    if kind not in Vote.Kind.values:
        msg = f"kind must be one of {Vote.Kind.values}, got {kind!r}"
        raise ValidationError(msg)
    if not isinstance(held_on, dt.date):
        msg = "held_on must be a date"
        raise ValidationError(msg)
    if held_on > _today(today):
        msg = f"表决日期{held_on}晚于今天 / held_on is in the future"
        raise ValidationError(msg)
    if kind == Vote.Kind.WILL:
        if matter not in (None, "", votes.WILL_MATTER):
            msg = (
                f"意愿表决的事项为{votes.WILL_MATTER}（四(二)1），不能选择 / a will vote "
                f"decides {votes.WILL_MATTER!r}"
            )
            raise ValidationError(msg)
        matter = votes.WILL_MATTER
        if project.stage != "will_vote":
            msg = (
                "意愿表决在提出申请之前进行（四(二)1） / the will vote comes before "
                "the application"
            )
            raise ValidationError(msg)
    else:
        if project.stage != "plan_vote":
            msg = (
                "方案表决在初步改造方案编制完成后进行（四(二)3），项目当前阶段为"
                f"{project.stage} / plan votes are held at the plan_vote stage"
            )
            raise ValidationError(msg)
        required = project_plan_matters(project=project, on=held_on)
        if matter not in required:
            msg = (
                f"该方案的表决事项为{required}，不含{matter!r}（四(二)3） / the plan "
                f"puts {required} to the owners"
            )
            raise ValidationError(msg)
        made = plan_made_on(project=project)
        if made is not None and held_on < made:
            msg = (
                f"表决日期{held_on}早于方案确定日期{made}：须对本方案表决 / the vote "
                "predates the plan"
            )
            raise ValidationError(msg)
    counts = {
        "total_owners": _count(total_owners, "total_owners"),
        "participants_owners": _count(participants_owners, "participants_owners"),
        "consent_owners": _count(consent_owners, "consent_owners"),
    }
    areas = {
        "total_area_m2": _area(total_area_m2, "total_area_m2"),
        "participants_area_m2": _area(participants_area_m2, "participants_area_m2"),
        "consent_area_m2": _area(consent_area_m2, "consent_area_m2"),
    }
    try:
        result = votes.tally_vote(
            counts["total_owners"],
            Fraction(areas["total_area_m2"]),
            counts["participants_owners"],
            Fraction(areas["participants_area_m2"]),
            counts["consent_owners"],
            Fraction(areas["consent_area_m2"]),
            matter,
            vote_rules(on=held_on),
        )
    except ValueError as exc:
        raise ValidationError(f"表决数据有误 / invalid vote: {exc}") from exc
    return Vote.objects.create(
        project=project,
        kind=kind,
        matter=matter,
        majority=result.majority,
        clause=result.clause,
        held_on=held_on,
        passed=result.passed,
        law=result.law,
        ratios={
            k: {"fraction": f"{v.numerator}/{v.denominator}", "value": float(v)}
            for k, v in result.ratios.items()
        },
        reasons=_reason_rows(result.reasons),
        recorded_by=_user(user),
        **counts,
        **areas,
    )


def plan_votes(*, project: Project) -> dict[str, Any]:
    """The plan's matters and, per matter, its latest vote since the plan was made
    (四(二)3): the evidence of the street review."""
    made = plan_made_on(project=project)
    matters = project_plan_matters(project=project)
    latest: dict[str, Any] = {}
    if made is not None:
        for v in project.votes.filter(kind=Vote.Kind.PLAN, held_on__gte=made).order_by(
            "held_on", "id"
        ):
            latest[v.matter] = _vote_evidence(v)
    return {
        "matters": matters,
        "votes": {m: latest[m] for m in matters if m in latest},
        "plan_made_on": made,
    }


# --------------------------------------------------------------------------- stages
def _vote_evidence(vote: Vote | None) -> dict[str, Any] | None:
    if vote is None:
        return None
    return {"vote_id": vote.pk, "passed": vote.passed, "held_on": vote.held_on}


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def _documents(project: Project, supplied: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(supplied) - set(DOCUMENT_KEYS) - {"sub_status"})
    if unknown:
        computed = sorted(set(unknown) & set(DB_EVIDENCE))
        if computed:
            msg = (
                f"evidence {computed} is taken from the records (votes, items, "
                "reserve pool, annual plan) and cannot be supplied"
            )
        else:
            msg = f"unknown evidence {unknown}; expected some of {DOCUMENT_KEYS}"
        raise ValidationError(msg)
    docs = dict(project.documents or {})
    docs.update({k: v for k, v in supplied.items() if k in DOCUMENT_KEYS})
    return docs


def project_communities(*, project: Project) -> list[Community]:
    """The community of a project, or the members of its 连片 block."""
    if project.community_id is not None:
        return [project.community]
    return scope.block_members(block_code=project.block_code)


def project_dangerous_buildings(*, project: Project) -> dict[str, tuple[int, int]]:
    """Community code → (C-grade, D-grade) dangerous buildings now (二(二)1)."""
    return {
        c.code: (c.dangerous_c, c.dangerous_d)
        for c in project_communities(project=project)
    }


def project_evidence(
    *, project: Project, supplied: Mapping[str, Any] | None = None, today: dt.date
) -> dict[str, Any]:
    """Gather the evidence of :func:`analysis.stages.advance` from the DB."""
    docs = _documents(project, supplied or {})
    ev: dict[str, Any] = {k: docs.get(k) for k in DOCUMENT_KEYS}
    if isinstance(ev["warranty_end"], str):
        try:
            ev["warranty_end"] = dt.date.fromisoformat(ev["warranty_end"])
        except ValueError as exc:
            msg = "warranty_end must be an ISO date (YYYY-MM-DD)"
            raise ValidationError(msg) from exc
    items = list(selectors.project_item_list(project=project))
    ev["will_vote"] = _vote_evidence(
        selectors.vote_latest(project=project, kind="will")
    )
    ev["plan_votes"] = plan_votes(project=project)
    ev["chosen_items"] = [i.works_item.code for i in items]
    ev["plan"] = {
        "design": bool(project.plan_design.strip()),
        "budget": any(i.budget > 0 for i in items),
        "funding_plan": bool(project.funding_plan.strip()),
        "long_term_management": bool(project.long_term_management.strip()),
        "dangerous_item": any(
            i.works_item.special_item == WorksItem.Special.DANGEROUS_BUILDING
            for i in items
        ),
    }
    per = project_dangerous_buildings(project=project)
    ev["dangerous_buildings"] = {
        "c": sum(c for c, _ in per.values()),
        "d": sum(d for _, d in per.values()),
    }
    entry = project.reserve_entries.order_by("-year").first()
    ev["reserve_entry"] = (
        {"id": entry.pk, "year": entry.year, "rank": entry.rank} if entry else None
    )
    entry = annual_plan_entry_of(project=project)
    plan = entry.plan if entry else None
    ev["annual_plan"] = (
        {
            "id": plan.pk,
            "year": plan.year,
            "district": plan.district.code,
            "fixed": entry.fixed_at is not None,
        }
        if plan
        else None
    )
    ev["plan_year"] = plan.year if plan else None
    ev["reopened"] = bool(plan and plan.reopened)
    ev["today"] = today
    sub = (supplied or {}).get("sub_status")
    ev["sub_status"] = sub or project.reserve_sub_status or "generated"
    return ev


@transaction.atomic
def project_advance(
    *,
    user: Any,
    project: Project,
    to_stage: str,
    why: str = "",
    evidence: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> StageTransition:
    """Move a project one stage forward (四(二), 四(三)) and record the step.

    The evidence is gathered from the records (votes, items, plan parts,
    reserve entry, annual plan); documentary evidence (``permit``,
    ``acceptance``…) may be supplied and is kept in ``Project.documents``. On
    success the community's public stage follows
    (:data:`analysis.stages.PUBLIC_STAGE`). A skipped stage or an unmet
    guard raises and nothing changes. Street staff move their street's projects through
    the residents' stages (:data:`STREET_STAGES`); planners every stage in their
    district.
    """
    day = _today(today)
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_on(user, project, "推进项目阶段", street_staff=to_stage in STREET_STAGES)
    if to_stage in SCOPE_GATED and to_stage != project.stage:
        _check_scope(project, f"不能进入阶段 {to_stage}")
    ev = project_evidence(project=project, supplied=evidence, today=day)
    if to_stage == "annual_plan" and ev["annual_plan"] is None:
        msg = (
            "项目尚未列入本区县年度改造计划（四(二)4） / add the project to its "
            "district's annual plan first"
        )
        raise ValidationError(msg)
    try:
        step = stages.advance(project.stage, to_stage, ev)
    except (stages.StageError, ValueError, TypeError) as exc:
        raise ValidationError(str(exc)) from exc
    project.stage = step.to_stage
    if step.sub_status is not None:
        project.reserve_sub_status = step.sub_status
    project.documents = _json_safe(_documents(project, evidence or {}))
    project.save()
    record = StageTransition.objects.create(
        project=project,
        from_stage=step.from_stage or "",
        to_stage=step.to_stage,
        sub_status=step.sub_status or "",
        public_stage=step.public_stage,
        by=_user(user),
        why=why,
        evidence=_json_safe(ev),
        reasons=_reason_rows(step.reasons),
    )
    cleared = ev["dangerous_buildings"]
    if to_stage == "completion_acceptance" and (cleared["c"] or cleared["d"]):
        _clear_dangerous_buildings(project, record, why or "竣工验收：危房已解危")
    if project.community_id is not None:
        community = Community.objects.get(pk=project.community_id)
        community.stage = step.public_stage
        community.save(update_fields=["stage", "updated_at"])
    return record


def _clear_dangerous_buildings(
    project: Project, record: StageTransition, why: str
) -> None:
    """危房清零 (二(二)1): at acceptance the project's C/D buildings were made safe;
    the communities' counts go to zero (their history keeps the old ones) and the
    step records how many were cleared where."""
    by_code = {}
    for c in Community.objects.select_for_update().filter(
        pk__in=[m.pk for m in project_communities(project=project)]
    ):
        if not (c.dangerous_c or c.dangerous_d):
            continue
        by_code[c.code] = {"c": c.dangerous_c, "d": c.dangerous_d}
        c.dangerous_c = c.dangerous_d = 0
        c._change_reason = why[:100]  # noqa: SLF001 - django-simple-history's API
        c.save(update_fields=["dangerous_c", "dangerous_d", "updated_at"])
    record.evidence = {**record.evidence, "dangerous_cleared_by_community": by_code}
    record.save(update_fields=["evidence"])


# --------------------------------------------------------------------------- funding
def district_is_central(*, district: District, on: dt.date) -> tuple[bool, str]:
    """Central flag of a district from ``districts.json`` in force (三(一)).

    Falls back to :attr:`layers.models.District.is_central` when the district
    is not in the data (e.g. a test district); the second value says which.
    """
    data = selectors.programme_data("districts")
    for key in (district.code, district.name):
        try:
            return fund.is_central_district(key, data, on=on), "districts.json"
        except ValueError:
            continue
    return bool(district.is_central), "District.is_central"


def project_funding(
    *, project: Project, on: dt.date | None = None
) -> fund.FundingBreakdown:
    """Funding split of a project (三), every figure with its clause and rule."""
    day = _today(on)
    items = list(selectors.project_item_list(project=project))
    if not items:
        msg = "项目尚无改造内容 / the project has no works items yet"
        raise ValidationError(msg)
    rows = []
    for i in items:
        w = i.works_item
        row: dict[str, Any] = {
            "code": w.code,
            "name_zh": w.name_zh,
            "category": w.category,
            "special_item": w.special_item or None,
            "owners_copay": w.owners_copay,
            "area_project_only": w.area_project_only,
            "budget_yuan": i.budget,
        }
        if i.final_account is not None:
            row["final_account_yuan"] = i.final_account
        if i.owners_share is not None:
            row["owners_share"] = i.owners_share
        if i.government_share is not None:
            row["government_share"] = i.government_share
        rows.append(row)
    central, _source = district_is_central(district=project.district, on=day)
    try:
        return fund.funding_split(
            rows,
            district_is_central=central,
            rates=selectors.programme_data("funding_rates"),
            on=day,
            catalogue=selectors.programme_data("works_catalogue"),
            area_project=project.area_project,
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


# --------------------------------------------------------------------------- reserve pool
def _pool_row(project: Project, as_of: dt.date) -> dict[str, Any]:
    c = project.community
    if c is None:
        msg = (
            f"project {project.code} ({project.name}) has no community: scoring "
            "needs the community's attributes"
        )
        raise ValidationError(msg)
    will = selectors.vote_latest(project=project, kind="will")
    ratio = (
        will.consent_owners / will.participants_owners
        if will and will.participants_owners
        else 0.0
    )
    cofunding = 0.0
    if project.items.exists():
        cofunding = float(
            fund.cofunding_share(project_funding(project=project, on=as_of))
        )
    return {
        "code": project.code,
        "district_code": project.district.code,
        "completion_year": c.completion_year,
        "dangerous_c": c.dangerous_c,
        "dangerous_d": c.dangerous_d,
        "will_consent_ratio": ratio,
        "missing_categories": (scope.community_gaps(community=c) or (0,))[0],
        "cofunding_share": cofunding,
        "property_management": c.property_management,
        "in_block": bool(project.block_code),
    }


@transaction.atomic
def reserve_pool_score(
    *, user: Any, district: District, year: int, as_of: dt.date | None = None
) -> list[ReserveEntry]:
    """Score and rank the district's reserve-pool projects (四(二)4); store ranks.

    ``as_of`` (default 1 January of ``year``) picks the scoring rules in force
    and gives building ages. Only projects whose communities are in scope (二(一))
    are ranked; entries of projects that left the pool or the scope are removed.
    """
    permissions.check_district(user, district.pk, "储备库评分")
    day = as_of or dt.date(year, 1, 1)
    pool = [
        p
        for p in selectors.project_list().filter(
            district=district, stage="reserve_pool"
        )
        if not scope.project_scope_problem(
            community=p.community, block_code=p.block_code
        )
    ]
    if not pool:
        msg = f"{district}储备库中没有符合改造范围的项目 / no project in scope in the reserve pool"
        raise ValidationError(msg)
    rows = [_pool_row(p, day) for p in pool]
    try:
        table = reserve.score_projects(
            rows, selectors.programme_data("scoring_rules"), as_of=day
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    by_code = {p.code: p for p in pool}
    clauses = table.attrs["clauses"]
    entries = []
    for rec in table.to_dict("records"):
        points = {
            crit: {"points": float(rec[f"pts_{crit}"]), "clause": clause}
            for crit, clause in clauses.items()
        }
        entry, _ = ReserveEntry.objects.update_or_create(
            project=by_code[rec["code"]],
            year=year,
            defaults={
                "district": district,
                "points": points,
                "total": float(rec["total"]),
                "rank": int(rec["rank"]),
                "rules_version": table.attrs["rules_version"],
            },
        )
        entries.append(entry)
    ReserveEntry.objects.filter(district=district, year=year).exclude(
        pk__in=[e.pk for e in entries]
    ).delete()
    return entries


# --------------------------------------------------------------------------- annual plan
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


# --------------------------------------------------------------------------- long-term
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


# --------------------------------------------------------------------------- progress
def dangerous_cleared_by_community() -> dict[str, int]:
    """Community code → C/D buildings made safe, from the acceptance records (二(二)1)."""
    out: dict[str, int] = {}
    rows = StageTransition.objects.filter(to_stage="completion_acceptance")
    for evidence in rows.values_list("evidence", flat=True):
        for code, n in (evidence.get("dangerous_cleared_by_community") or {}).items():
            out[code] = out.get(code, 0) + int(n.get("c", 0)) + int(n.get("d", 0))
    return out


def _progress_rows() -> list[dict[str, Any]]:
    accepted = dict(
        StageTransition.objects.filter(
            to_stage="completion_acceptance", project__community__isnull=False
        )
        .order_by("at")
        .values_list("project__community_id", "at")
    )
    done_stages = stages.STAGES[stages.STAGES.index("completion_acceptance") :]
    cleared = dangerous_cleared_by_community()
    lifts: dict[int, int] = {}
    facilities: dict[int, int] = {}
    done_items = ProjectItem.objects.filter(
        project__stage__in=done_stages, project__community__isnull=False
    ).select_related("works_item", "project")
    for i in done_items:
        cid = i.project.community_id
        if i.works_item.special_item == "lift":
            lifts[cid] = lifts.get(cid, 0) + int(i.quantity)
        elif i.works_item.category == "enhancement":
            facilities[cid] = facilities.get(cid, 0) + 1
    rows = []
    for c in Community.objects.select_related("district").order_by("code"):
        at = accepted.get(c.pk)
        rows.append(
            {
                "district_code": c.district.code,
                "stage": c.stage,
                "households": c.households,
                "renovated_year": timezone.localtime(at).year if at else None,
                "dangerous_c": c.dangerous_c,
                "dangerous_d": c.dangerous_d,
                "dangerous_cleared": cleared.get(c.code, 0),
                "lifts_installed": lifts.get(c.pk, 0),
                "facilities_added": facilities.get(c.pk, 0),
            }
        )
    return rows


def programme_period(*, on: dt.date | None = None) -> Mapping[str, Any]:
    """The three-year action in force on ``on`` (``programme_period.json``, 一(二)):
    ``first_year``, ``last_year``, ``clause``, ``id``."""
    try:
        return select_in_force(selectors.programme_data("programme_period"), _today(on))
    except ValueError as exc:
        raise ValidationError(f"programme period: {exc}") from exc


def programme_progress_report(*, year: int) -> pd.DataFrame:
    """Progress of the programme through ``year`` per district and city-wide (一(二)).

    Targets are the communities listed in the districts' annual plans.
    Aggregates only: no community or resident is named.
    """
    period = programme_period()
    first, last = int(period["first_year"]), int(period["last_year"])
    if isinstance(year, bool) or not isinstance(year, int) or not first <= year <= 2100:
        msg = f"year must be an int from {first} to 2100, got {year!r}"
        raise ValidationError(msg)
    rows = _progress_rows()
    if not rows:
        msg = "没有小区数据 / no communities loaded"
        raise ValidationError(msg)
    targets: dict[str, dict[int, int]] = {}
    for plan in AnnualPlan.objects.select_related("district").prefetch_related(
        "projects"
    ):
        n = len({p.community_id for p in plan.projects.all() if p.community_id})
        by_year = targets.setdefault(plan.district.code, {})
        by_year[plan.year] = by_year.get(plan.year, 0) + n
    years = tuple(range(first, max(year, last) + 1))
    try:
        return reserve.programme_progress(rows, targets, through_year=year, years=years)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def public_targets(*, today: dt.date | None = None) -> dict[str, Any]:
    """What the public statistics need from the programme, as aggregates per district:

    the communities in scope by the one 二(一) rule and their households (the
    three-year target of 一(二)), the C/D buildings left in them (危房清零 counts
    every community in scope, renovated or not, until its buildings are made safe)
    and those made safe at acceptance; and the period in force. No community is
    named: the public page receives counts only.
    """
    day = _today(today)
    period = programme_period(on=day)
    table = scope.scope_table(today=day)
    in_scope = table[table["eligible"]]
    codes = dict(District.objects.values_list("id", "code"))
    dangerous = dict(
        Community.objects.filter(code__in=list(in_scope.index)).values_list(
            "code", F("dangerous_c") + F("dangerous_d")
        )
    )
    district_of = dict(Community.objects.values_list("code", "district__code"))
    out: dict[str, dict[str, int]] = {}

    def row(code: str) -> dict[str, int]:
        return out.setdefault(
            code,
            {
                "target": 0,
                "target_households": 0,
                "dangerous_remaining": 0,
                "dangerous_cleared": 0,
            },
        )

    for code, rec in in_scope.iterrows():
        t = row(codes[rec["district_id"]])
        t["target"] += 1
        t["target_households"] += int(rec["households"])
        t["dangerous_remaining"] += int(dangerous.get(code, 0))
    for code, n in dangerous_cleared_by_community().items():
        if code in district_of:
            row(district_of[code])["dangerous_cleared"] += n
    return {
        # the three years of 一(二) in force (programme_period.json)
        "period": {"from": int(period["first_year"]), "to": int(period["last_year"])},
        "districts": out,
    }


PROGRESS_COLUMNS = {
    "target_communities": "目标小区数",
    "renovated_communities": "已改造小区数",
    "communities_pct": "完成率（%）",
    "target_households": "目标户数",
    "renovated_households": "已改造户数",
    "dangerous_cleared": "危房解危",
    "dangerous_remaining": "剩余危房（栋）",
    "lifts_installed": "加装电梯（台）",
    "facilities_added": "新增配套设施",
}


def progress_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of the progress table as JSON-safe dicts (NaN → None)."""
    out = []
    for code, row in frame.iterrows():
        rec: dict[str, Any] = {"district_code": str(code)}
        for col in PROGRESS_COLUMNS:
            value = row[col]
            rec[col] = None if pd.isna(value) else float(value)
            if rec[col] is not None and col != "communities_pct":
                rec[col] = int(rec[col])
        rows_pct = rec["communities_pct"]
        rec["communities_pct"] = None if rows_pct is None else round(rows_pct, 2)
        out.append(rec)
    return out


def programme_progress_xlsx(*, year: int) -> bytes:
    """The progress report (一(二)) as an XLSX workbook."""
    records = progress_records(programme_progress_report(year=year))
    rows = [
        {
            "区县": "全市" if rec["district_code"] == "city" else rec["district_code"],
            **{label: rec[c] for c, label in PROGRESS_COLUMNS.items()},
        }
        for rec in records
    ]
    table = pd.DataFrame(rows, columns=["区县", *PROGRESS_COLUMNS.values()])
    note = pd.DataFrame(
        [[f"一(二) 三年行动进度，统计至{year}年；目标为年度计划所列小区数。"]],
        columns=["说明"],
    )
    return table_xlsx_bytes({f"进度{year}": table, "说明": note})
