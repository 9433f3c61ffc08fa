"""What the programme pages show: read models built from the records and the rules.

One function per page part (STYLE §4.2: reads for pages). Each says what the rules say
about the records now: the next step of a project and why it is (not yet) allowed, the
matters of its plan with the majority the law requires, the reserve pool's ranking
with the points of every criterion, the annual plan and its deadline, a community's
maintenance fund. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from analysis import reserve, stages, votes
from analysis.eligibility import Reason, select_in_force
from layers.models import Community, District

from . import scope, selectors, services
from .models import (
    STAGE_LABELS,
    AnnualPlan,
    AnnualPlanEntry,
    FundingSource,
    Project,
    ProjectUtility,
    PublicRevenue,
    ReserveEntry,
    StageTransition,
    Vote,
)

#: what each step asks the person to supply on the page (the rest comes from records)
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "preliminary_plan": ("written_application",),
    "district_review": ("implementation_plan",),
    "reserve_pool": ("sub_status",),
    "construction": ("permit",),
    "completion_acceptance": ("acceptance", "dangerous_cleared"),
    "handover": ("handed_over_to",),
    "warranty": ("warranty_end",),
    "post_evaluation": ("evaluation",),
}
PARTY_LABELS = {
    "design": "设计单位",
    "construction": "施工单位",
    "supervision": "监理单位",
    "owners": "业主委员会或居民小组",
}


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


# --------------------------------------------------------------------------- project
@dataclass(frozen=True)
class Step:
    """A stage of the timeline as the page shows it."""

    stage: str
    label: str
    clause: str
    state: str  # done | current | next | later
    reasons: list[Reason] = field(default_factory=list)
    fields: tuple[str, ...] = ()
    transition: StageTransition | None = None


def project_steps(*, project: Project, today: dt.date | None = None) -> list[Step]:
    """Every stage: reached (with its record), current, the next one (with what it
    still needs) and the later ones (why they are refused now)."""
    day = _today(today)
    records = {}
    for t in selectors.transition_list(project=project):
        records[t.to_stage] = t
    here = stages.STAGES.index(project.stage)
    out = []
    for i, stage in enumerate(stages.STAGES):
        label = str(STAGE_LABELS[stage])
        clause = stages.STAGE_CLAUSE[stage]
        if i < here:
            out.append(Step(stage, label, clause, "done", [], (), records.get(stage)))
        elif i == here:
            out.append(
                Step(stage, label, clause, "current", [], (), records.get(stage))
            )
        elif i == here + 1:
            out.append(
                Step(
                    stage,
                    label,
                    clause,
                    "next",
                    next_step_problems(project=project, to_stage=stage, today=day),
                    STEP_FIELDS.get(stage, ()),
                )
            )
        else:
            before = str(STAGE_LABELS[stages.STAGES[i - 1]])
            out.append(
                Step(
                    stage,
                    label,
                    clause,
                    "later",
                    [
                        Reason(
                            clause,
                            f"须先完成“{before}”：阶段只能逐级推进，不得跳过。",
                            "Stages move one at a time: finish the one before first.",
                        )
                    ],
                )
            )
    return out


def next_step_problems(
    *, project: Project, to_stage: str, today: dt.date | None = None
) -> list[Reason]:
    """Why the project cannot move to ``to_stage`` now, from the records (empty = it
    can, once the person supplies the fields the step asks for)."""
    out: list[Reason] = []
    if to_stage in services.SCOPE_GATED:
        problem = scope.project_scope_problem(
            community=project.community, block_code=project.block_code
        )
        if problem:
            out.append(Reason("二(一)", problem, "outside the programme's scope"))
    try:
        ev = services.project_evidence(project=project, today=_today(today))
        unmet = stages.missing_evidence(project.stage, to_stage, ev)
    except (ValidationError, ValueError) as exc:
        text = " ".join(getattr(exc, "messages", [str(exc)]))
        return [*out, Reason(stages.STAGE_CLAUSE[to_stage], text, text)]
    supplied = set(STEP_FIELDS.get(to_stage, ()))
    for r in unmet:
        # a line about a field the form asks for is not a refusal yet: it is the form
        if any(f"'{f}'" in r.text_en for f in supplied):
            continue
        out.append(r)
    return out


@dataclass(frozen=True)
class MatterRow:
    """A matter the plan (or the will vote) puts to the owners, with its rule."""

    matter: str
    name_zh: str
    clause: str
    majority: str
    requirement_zh: str
    latest: Vote | None


def vote_board(*, project: Project, today: dt.date | None = None) -> dict[str, Any]:
    """The votes the project needs now: the will vote (四(二)1) at ``will_vote``, one
    per matter of the plan (四(二)3) at ``plan_vote``; the majority of each follows
    from the matter and the law in force today (民法典第278条)."""
    day = _today(today)
    try:
        rules = services.vote_rules(on=day)
    except ValidationError:
        return {"kind": None, "rows": [], "votes": []}
    kind = {"will_vote": "will", "plan_vote": "plan"}.get(project.stage)
    matters: list[str] = []
    if kind == "will":
        matters = [votes.WILL_MATTER]
    elif kind == "plan":
        matters = services.project_plan_matters(project=project, on=day)
    since = services.plan_made_on(project=project) if kind == "plan" else None
    rows = []
    for m in matters:
        rule = votes.matter_rule(rules, m)
        qs = project.votes.filter(kind=kind, matter=m)
        if since is not None:
            qs = qs.filter(held_on__gte=since)
        rows.append(
            MatterRow(
                m,
                rule.name_zh,
                rule.clause,
                rule.majority,
                rule.requirement_zh,
                qs.order_by("-held_on", "-id").first(),
            )
        )
    return {
        "kind": kind,
        "rows": rows,
        "law": rules.get("law", ""),
        "votes": list(selectors.vote_list(project=project)),
        "plan_made_on": since,
    }


PAYER_ZH = {
    "government": "政府",
    "owners": "业主",
    "utilities": "专营单位",
    "social_capital": "社会资本",
}


def funding_rows(breakdown: Any) -> list[dict[str, Any]]:
    """One row per works item: its base, the shares with clause and rule, the rest."""
    labels = {f"{p} share": zh for p, zh in PAYER_ZH.items()}
    rows = []
    for item in breakdown.items if breakdown else []:
        shares = [
            {"payer": labels[f.label], "figure": f}
            for f in item.figures
            if f.label in labels
        ]
        other = [f for f in item.figures if f.label not in labels]
        rows.append({"item": item, "shares": shares, "other": other})
    return rows


def project_page(*, project: Project, today: dt.date | None = None) -> dict[str, Any]:
    """Everything the project page shows."""
    day = _today(today)
    breakdown, funding_error = None, ""
    try:
        breakdown = services.project_funding(project=project, on=day)
    except ValidationError as exc:
        funding_error = " ".join(exc.messages)
    if project.community_id is not None:
        decisions = {
            project.community.code: scope.community_eligibility(
                community=project.community, in_block_with_others=False
            )
        }
    else:
        try:
            decisions = scope.block_eligibility(block_code=project.block_code)
        except ValidationError:
            decisions = {}
    members = services.project_communities(project=project) if decisions else []
    entry = services.annual_plan_entry_of(project=project)
    return {
        "project": project,
        "steps": project_steps(project=project, today=day),
        "batch": stages.BATCH_LABELS.get(
            stages.batch_of(project.stage, project.reserve_sub_status) or "", ""
        ),
        "votes": vote_board(project=project, today=day),
        "items": list(selectors.project_item_list(project=project)),
        "catalogue": list(selectors.works_item_list()),
        "breakdown": breakdown,
        "funding_rows": funding_rows(breakdown),
        "funding_error": funding_error,
        "scope": decisions,
        "members": members,
        "dangerous": services.project_dangerous_buildings(project=project)
        if members
        else {},
        "reserve_entry": project.reserve_entries.order_by("-year").first(),
        "plan_entry": entry,
        "money": services.project_sources_status(project=project, on=day),
        "source_choices": FundingSource.Source.choices,
        "utility_choices": ProjectUtility.Utility.choices,
        "parties": PARTY_LABELS,
        "today": day,
    }


# --------------------------------------------------------------------------- reserve
def _criteria(on: dt.date) -> list[Mapping[str, Any]]:
    try:
        version = select_in_force(selectors.programme_data("scoring_rules"), on)
    except ValueError:
        return []
    return list(version.get("criteria", []))


def reserve_board(*, district: District, year: int) -> dict[str, Any]:
    """The district's pool for ``year``: the ranking with every criterion's points and
    rule, and the pool projects that are not ranked, with why."""
    criteria = _criteria(dt.date(year, 1, 1))
    entries = list(
        ReserveEntry.objects.filter(district=district, year=year)
        .select_related("project", "project__community")
        .order_by("rank")
    )
    ranked = {e.project_id for e in entries}
    rows = []
    for e in entries:
        points = [
            {
                "code": c["code"],
                "label": c.get("label_zh", c["code"]),
                "points": (e.points.get(c["code"]) or {}).get("points", 0),
                "clause": c.get("clause", ""),
            }
            for c in criteria
        ]
        rows.append(
            {"entry": e, "points": points, "batch": e.project.reserve_sub_status}
        )
    pool = selectors.project_list().filter(district=district, stage="reserve_pool")
    unranked = []
    for p in pool.order_by("name"):
        if p.pk in ranked:
            continue
        problem = scope.project_scope_problem(
            community=p.community, block_code=p.block_code
        )
        unranked.append(
            {
                "project": p,
                "why": problem or "尚未评分：点击“评分排序”（四(二)4）",
            }
        )
    return {
        "district": district,
        "year": year,
        "criteria": criteria,
        "rules_version": entries[0].rules_version if entries else "",
        "rows": rows,
        "unranked": unranked,
        "computed_at": max((e.computed_at for e in entries), default=None),
        "labels": {k: f"{v}一批" for k, v in reserve.BATCHES.items()},
    }


# --------------------------------------------------------------------------- annual plan
def plan_board(
    *, district: District, year: int, today: dt.date | None = None
) -> dict[str, Any]:
    """The annual plan of ``year``: its projects, the deadline and what can be done."""
    day = _today(today)
    plan = AnnualPlan.objects.filter(district=district, year=year).first()
    deadline = reserve.annual_plan_deadline(year)
    entries = (
        list(
            AnnualPlanEntry.objects.filter(plan=plan)
            .select_related("project", "project__community", "added_by")
            .order_by("added_at", "id")
        )
        if plan
        else []
    )
    listed = {e.project_id for e in entries}
    candidates = [
        e
        for e in ReserveEntry.objects.filter(district=district, year=year)
        .select_related("project")
        .order_by("rank")
        if e.project_id not in listed and e.project.stage == "reserve_pool"
    ]
    open_by_date = day <= deadline
    editable = bool(plan and plan.reopened) or (
        open_by_date and not (plan and plan.locked)
    )
    return {
        "district": district,
        "year": year,
        "plan": plan,
        "entries": entries,
        "candidates": candidates,
        "deadline": deadline,
        "today": day,
        "open_by_date": open_by_date,
        "editable": editable,
        "history": list(plan.history.order_by("-history_date")[:10]) if plan else [],
    }


def default_plan_year(today: dt.date | None = None) -> int:
    """The first year whose plan can still be fixed on time (四(二)4)."""
    day = _today(today)
    return day.year + 1 if day <= dt.date(day.year, 10, 31) else day.year + 2


# --------------------------------------------------------------------------- fund
def fund_board(*, community: Community, year: int) -> dict[str, Any]:
    """The maintenance fund against its floor (五(三)) and the public revenue (五(四))."""
    status, error = None, ""
    try:
        status = services.maintenance_fund(community=community, year=year)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    revenues = list(
        PublicRevenue.objects.filter(community=community).order_by("-year", "kind")
    )
    pending = [r for r in revenues if r.year == year and not r.moved_to_fund]
    return {
        "community": community,
        "year": year,
        "status": status,
        "error": error,
        "revenues": revenues,
        "pending": pending,
        "kinds": PublicRevenue.Kind.choices,
        "projects": list(community.projects.order_by("-year", "name")),
    }


# --------------------------------------------------------------------------- home
def programme_home(*, district: District | None) -> dict[str, Any]:
    """Projects (of the district, or all) and the districts' pool and plan pages."""
    projects = selectors.project_list()
    if district is not None:
        projects = projects.filter(district=district)
    return {
        "projects": list(projects.order_by("district__code", "name")[:500]),
        "districts": list(District.objects.order_by("code")),
        "district": district,
        "plan_year": default_plan_year(),
        "reserve_year": default_plan_year(),
        "stage_labels": STAGE_LABELS,
    }
