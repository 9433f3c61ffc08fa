"""A project's evidence and its moves from stage to stage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from analysis import stages
from layers.models import Community
from programme import scope, selectors
from programme.models import Project, StageTransition, WorksItem
from programme.services.annual_plan import annual_plan_entry_of
from programme.services.checks import _check_on, _reason_rows, _today, _user
from programme.services.projects import SCOPE_GATED, _check_scope
from programme.services.voting import _vote_evidence, plan_votes

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
        if entry is not None and plan
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
