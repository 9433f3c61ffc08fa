"""Writes and multi-step actions of the renovation programme (STYLE §4.2).

Every service is ``<entity>_<action>``, keyword-only and atomic. The rules come
from the pure modules of ``geoapp.analysis`` (eligibility, funding, votes,
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
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import permissions
from geoapp.analysis import eligibility as elig
from geoapp.analysis import funding as fund
from geoapp.analysis import maintenance as maint
from geoapp.analysis import reserve, stages, votes
from geoapp.analysis.eligibility import select_in_force
from layers.io.writers import table_xlsx_bytes
from layers.models import Community, District

from . import selectors
from .models import (
    AnnualPlan,
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
    "plan_vote",
    "reserve_entry",
    "plan_year",
    "today",
    "reopened",
    "annual_plan",
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
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        msg = f"year must be an int between 2000 and 2100, got {year!r}"
        raise ValidationError(msg)
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
        reasons=_reason_rows(step.reasons),
    )
    return project


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
        try:
            share = Decimal(str(owners_share))
        except InvalidOperation as exc:
            msg = f"owners_share must be a number, got {owners_share!r}"
            raise ValidationError(msg) from exc
        if not Decimal(0) <= share <= Decimal(1):
            msg = f"owners_share must be between 0 and 1, got {owners_share}"
            raise ValidationError(msg)
    return ProjectItem.objects.create(
        project=project,
        works_item=works_item,
        quantity=qty,
        unit_cost=cost,
        budget=line,
        final_account=final,
        owners_share=share,
    )


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


@transaction.atomic
def vote_record(
    *,
    user: Any,
    project: Project,
    kind: str,
    matter: str,
    total_owners: int,
    total_area_m2: Any,
    participants_owners: int,
    participants_area_m2: Any,
    consent_owners: int,
    consent_area_m2: Any,
    held_on: dt.date,
    today: dt.date | None = None,
) -> Vote:
    """Record the aggregate result of an owners' vote (四(二)1/3; 民法典第278条).

    The thresholds are the ones in force on ``held_on``; the result is computed
    by :func:`geoapp.analysis.votes.tally_vote` and stored with its reasons.
    Only aggregates are stored, never household votes.
    """
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
        thresholds = votes.vote_thresholds_in_force(
            selectors.programme_data("vote_thresholds"), held_on
        )
        result = votes.tally_vote(
            counts["total_owners"],
            Fraction(areas["total_area_m2"]),
            counts["participants_owners"],
            Fraction(areas["participants_area_m2"]),
            counts["consent_owners"],
            Fraction(areas["consent_area_m2"]),
            matter,  # type: ignore[arg-type]
            thresholds,
        )
    except ValueError as exc:
        raise ValidationError(f"表决数据有误 / invalid vote: {exc}") from exc
    return Vote.objects.create(
        project=project,
        kind=kind,
        matter=matter,
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


def project_evidence(
    *, project: Project, supplied: Mapping[str, Any] | None = None, today: dt.date
) -> dict[str, Any]:
    """Gather the evidence of :func:`geoapp.analysis.stages.advance` from the DB."""
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
    ev["plan_vote"] = _vote_evidence(
        selectors.vote_latest(project=project, kind="plan")
    )
    ev["chosen_items"] = [i.works_item.code for i in items]
    ev["plan"] = {
        "design": bool(project.plan_design.strip()),
        "budget": any(i.budget > 0 for i in items),
        "funding_plan": bool(project.funding_plan.strip()),
        "long_term_management": bool(project.long_term_management.strip()),
    }
    entry = project.reserve_entries.order_by("-year").first()
    ev["reserve_entry"] = (
        {"id": entry.pk, "year": entry.year, "rank": entry.rank} if entry else None
    )
    plan = selectors.annual_plan_of(project=project)
    ev["annual_plan"] = (
        {"id": plan.pk, "year": plan.year, "district": plan.district.code}
        if plan
        else None
    )
    ev["plan_year"] = plan.year if plan else None
    ev["reopened"] = bool(plan and plan.reopened)
    ev["today"] = today
    sub = (supplied or {}).get("sub_status")
    ev["sub_status"] = sub or project.reserve_sub_status or "conceived"
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
    (:data:`geoapp.analysis.stages.PUBLIC_STAGE`). A skipped stage or an unmet
    guard raises and nothing changes. Street staff move their street's projects through
    the residents' stages (:data:`STREET_STAGES`); planners every stage in their
    district.
    """
    day = _today(today)
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_on(user, project, "推进项目阶段", street_staff=to_stage in STREET_STAGES)
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
    if project.community_id is not None:
        community = project.community
        community.stage = step.public_stage
        community.save(update_fields=["stage", "updated_at"])
    return record


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


# --------------------------------------------------------------------------- eligibility
def community_missing_categories(*, community: Community) -> int | None:
    """Distinct life-circle categories missing in the latest coverage run, if any."""
    try:
        coverage = apps.get_model("geoapp", "CoverageResult")
    except LookupError:
        return None
    latest = (
        coverage.objects.filter(community=community)
        .order_by("-run__finished_at")
        .first()
    )
    if latest is None:
        return None
    missing = latest.missing or {}
    codes: set[str] = set()
    for tier_codes in missing.values():
        codes.update(tier_codes or ())
    return len(codes)


def community_residents_will(*, community: Community) -> str | None:
    """``strong`` / ``weak`` from the latest will vote of its projects, else None."""
    vote = (
        Vote.objects.filter(project__community=community, kind=Vote.Kind.WILL)
        .order_by("-held_on", "-id")
        .first()
    )
    if vote is None:
        return None
    return "strong" if vote.passed else "weak"


def community_eligibility(
    *, community: Community, today: dt.date | None = None
) -> elig.Decision:
    """Whether a community is in scope (二(一)), line by line."""
    row = {
        "code": community.code,
        "completion_year": community.completion_year,
        "land_tenure": community.land_tenure,
        "housing_type": community.housing_type,
        "in_shanty_plan": community.in_shanty_plan,
        "in_expropriation_plan": community.in_expropriation_plan,
        "missing_categories": community_missing_categories(community=community),
        "residents_will": community_residents_will(community=community),
    }
    try:
        return elig.assess_eligibility(row, today=_today(today))
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
        split = project_funding(project=project, on=as_of)
        if split.total_yuan:
            paid = split.totals["owners"] + split.totals["social_capital"]
            cofunding = float(paid / split.total_yuan)
    return {
        "code": project.code,
        "district_code": project.district.code,
        "completion_year": c.completion_year,
        "dangerous_c": c.dangerous_c,
        "dangerous_d": c.dangerous_d,
        "will_consent_ratio": ratio,
        "missing_categories": community_missing_categories(community=c) or 0,
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
    and gives building ages. Entries of projects that left the pool are removed.
    """
    permissions.check_district(user, district.pk, "储备库评分")
    day = as_of or dt.date(year, 1, 1)
    pool = list(
        selectors.project_list().filter(district=district, stage="reserve_pool")
    )
    if not pool:
        msg = f"{district}储备库中没有项目 / no project in the reserve pool"
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
def _check_editable(plan: AnnualPlan, today: dt.date) -> None:
    if plan.reopened:
        return
    if plan.locked:
        msg = (
            f"{plan.year}年度计划已确定并锁定（四(二)4），须由区县政府重新开放后方可修改 / "
            f"the {plan.year} annual plan is fixed and locked; reopen it first"
        )
        raise ValidationError(msg)
    try:
        reserve.check_plan_editable(plan.year, today, False)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


@transaction.atomic
def annual_plan_fix(
    *, user: Any, district: District, year: int, today: dt.date | None = None
) -> AnnualPlan:
    """Fix (lock) the district's annual plan of ``year`` (四(二)4, by 31 October).

    Creates the plan if needed. Fixing a reopened plan locks it again.
    """
    permissions.check_district(user, district.pk, "确定年度计划")
    day = _today(today)
    plan, created = AnnualPlan.objects.select_for_update().get_or_create(
        district=district, year=year
    )
    if not created and plan.locked and not plan.reopened:
        msg = f"{year}年度计划已确定 / the {year} annual plan is already fixed"
        raise ValidationError(msg)
    if created or not plan.reopened:
        _check_editable(plan, day)
    plan.locked = True
    plan.reopened = False
    plan.fixed_at = timezone.now()
    plan.fixed_by = _user(user)
    plan.save()
    return plan


@transaction.atomic
def annual_plan_add_project(
    *,
    user: Any,
    district: District,
    year: int,
    project: Project,
    today: dt.date | None = None,
) -> AnnualPlan:
    """List a scored reserve-pool project in the annual plan (四(二)4).

    Refused after 31 October or once the plan is fixed, unless reopened.
    """
    permissions.check_district(user, district.pk, "列入年度计划")
    day = _today(today)
    plan, _ = AnnualPlan.objects.select_for_update().get_or_create(
        district=district, year=year
    )
    _check_editable(plan, day)
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
    plan.projects.add(project)
    return plan


@transaction.atomic
def annual_plan_reopen(*, user: Any, plan: AnnualPlan, why: str) -> AnnualPlan:
    """Reopen a fixed annual plan; who, when and why are recorded (四(二)4)."""
    permissions.check_district(user, plan.district_id, "重新开放年度计划")
    why = (why or "").strip()
    if not why:
        msg = "重新开放年度计划须说明理由 / give the reason for reopening"
        raise ValidationError(msg)
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    plan.reopened = True
    plan.reopened_by = _user(user)
    plan.reopened_at = timezone.now()
    plan.reopened_why = why
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
def _progress_rows() -> list[dict[str, Any]]:
    accepted = dict(
        StageTransition.objects.filter(
            to_stage="completion_acceptance", project__community__isnull=False
        )
        .order_by("at")
        .values_list("project__community_id", "at")
    )
    done_stages = stages.STAGES[stages.STAGES.index("completion_acceptance") :]
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
                "lifts_installed": lifts.get(c.pk, 0),
                "facilities_added": facilities.get(c.pk, 0),
            }
        )
    return rows


def programme_progress_report(*, year: int) -> pd.DataFrame:
    """Progress of the programme through ``year`` per district and city-wide (一(二)).

    Targets are the communities listed in the districts' annual plans.
    Aggregates only: no community or resident is named.
    """
    first = reserve.PROGRAMME_YEARS[0]
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
    years = tuple(range(first, max(year, reserve.PROGRAMME_YEARS[-1]) + 1))
    try:
        return reserve.programme_progress(rows, targets, through_year=year, years=years)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


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
