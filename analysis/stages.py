"""The stages a renovation project moves through (四(二), 四(三)), as a state machine.

Fine stages follow the action plan step by step:

* 四(二)1 居民提出申请: ``will_vote`` → ``application``
* 四(二)2 制定初步改造方案: ``preliminary_plan``
* 四(二)3 确认改造方案: ``plan_vote`` → ``street_review`` → ``district_review``
* 四(二)4 确定改造计划: ``reserve_pool`` →
  ``annual_plan`` (the plan of year Y fixed by 31 October of Y − 1)
* 四(三)1–2 工程组织实施、过程监督: ``construction``
* 四(三)3 组织竣工验收: ``completion_acceptance``
* 四(三)4 项目移交维护: ``handover`` → ``warranty``
* 四(三)5 建立后评估机制: ``post_evaluation``

:func:`advance` moves one step forward, checking the evidence the step needs;
skipping or going back raises. :data:`PUBLIC_STAGE` maps each fine stage onto the
nine public stages of ``docs/DATA_MODEL.md``. Being *in* a stage means that step
has been reached (e.g. ``completion_acceptance`` = accepted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from analysis.eligibility import Reason
from analysis.reserve import BATCHES, RESERVE_SUB_STATUSES

__all__ = [
    "PUBLIC_STAGE",
    "PUBLIC_STAGES",
    "STAGES",
    "STAGE_CLAUSE",
    "StageError",
    "Transition",
    "advance",
    "batch_of",
    "missing_evidence",
    "public_stage",
]

STAGES: Final[tuple[str, ...]] = (
    "will_vote",
    "application",
    "preliminary_plan",
    "plan_vote",
    "street_review",
    "district_review",
    "reserve_pool",
    "annual_plan",
    "construction",
    "completion_acceptance",
    "handover",
    "warranty",
    "post_evaluation",
)
PUBLIC_STAGES: Final[tuple[str, ...]] = (
    "not_started",
    "applied",
    "planned",
    "in_reserve",
    "in_annual_plan",
    "under_construction",
    "accepted",
    "handed_over",
    "post_evaluated",
)
PUBLIC_STAGE: Final[dict[str, str]] = {
    "will_vote": "not_started",
    "application": "applied",
    "preliminary_plan": "applied",
    "plan_vote": "applied",
    "street_review": "planned",
    "district_review": "planned",
    "reserve_pool": "in_reserve",
    "annual_plan": "in_annual_plan",
    "construction": "under_construction",
    "completion_acceptance": "accepted",
    "handover": "handed_over",
    "warranty": "handed_over",
    "post_evaluation": "post_evaluated",
}
STAGE_CLAUSE: Final[dict[str, str]] = {
    "will_vote": "四(二)1",
    "application": "四(二)1",
    "preliminary_plan": "四(二)2",
    "plan_vote": "四(二)3",
    "street_review": "四(二)3",
    "district_review": "四(二)3",
    "reserve_pool": "四(二)4",
    "annual_plan": "四(二)4",
    "construction": "四(三)1",
    "completion_acceptance": "四(三)3",
    "handover": "四(三)4",
    "warranty": "四(三)4",
    "post_evaluation": "四(三)5",
}
#: Parties that take part in completion acceptance (四(三)3).
ACCEPTANCE_PARTIES: Final[tuple[str, ...]] = (
    "design",
    "construction",
    "supervision",
    "owners",
)


class StageError(ValueError):
    """A transition is not allowed: unknown stage, skip, going back, or a guard."""


@dataclass(frozen=True)
class Transition:
    """A step of a project from one stage to the next.

    Attributes
    ----------
    from_stage, to_stage : str or None
        Fine stages (``from_stage`` None = project not created yet).
    public_stage : str
        The DATA_MODEL.md stage of ``to_stage``.
    sub_status : str or None
        Reserve-pool sub-status (``generated``/``reserved`` = 生成/储备) when
        ``to_stage == "reserve_pool"``.
    reasons : list of Reason
        The guards checked, each citing its clause.
    """

    from_stage: str | None
    to_stage: str
    public_stage: str
    sub_status: str | None = None
    reasons: list[Reason] = field(default_factory=list)


def batch_of(stage: str, sub_status: str = "") -> str | None:
    """The batch (谋划/生成/实施/储备一批, 四(二)4) a project at ``stage`` belongs to.

    ``conceived`` from the application to the district review, ``generated`` or
    ``reserved`` (its sub-status) in the pool, ``implementing`` in the annual plan
    and under construction; None before the application and after completion.
    """
    if stage not in STAGES:
        raise StageError(f"unknown stage {stage!r}; expected one of {STAGES}")
    i = STAGES.index(stage)
    if STAGES.index("application") <= i < STAGES.index("reserve_pool"):
        return "conceived"
    if stage == "reserve_pool":
        return sub_status if sub_status in RESERVE_SUB_STATUSES else "generated"
    if stage in ("annual_plan", "construction"):
        return "implementing"
    return None


#: Chinese label of each batch.
BATCH_LABELS: Final[dict[str, str]] = {k: f"{v}一批" for k, v in BATCHES.items()}


def public_stage(stage: str) -> str:
    """Map a fine stage onto the nine public stages of DATA_MODEL.md."""
    if stage not in PUBLIC_STAGE:
        raise StageError(f"unknown stage {stage!r}; expected one of {STAGES}")
    return PUBLIC_STAGE[stage]


def _passed(value: Any) -> bool:
    """Accept a VoteResult-like object, a mapping with 'passed', or a bool."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Mapping):
        return bool(value.get("passed"))
    return bool(getattr(value, "passed", False))


Guard = Callable[[Mapping[str, Any]], list[tuple[str, str, str]]]


def _need(ok: bool, clause: str, zh: str, en: str) -> list[tuple[str, str, str]]:
    return [] if ok else [(clause, zh, en)]


def _g_will_vote(ev: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    return []


def _g_application(ev: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    c = "四(二)1"
    return _need(
        _passed(ev.get("will_vote")),
        c,
        "业主改造意愿表决须通过",
        "evidence 'will_vote' must be a passed owners' vote on the will to renovate",
    ) + _need(
        bool(ev.get("chosen_items")),
        c,
        "须有居民选择的改造内容",
        "evidence 'chosen_items' must list the works residents chose",
    )


def _g_preliminary_plan(ev: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    return _need(
        bool(ev.get("written_application")),
        "四(二)1",
        "须向街道（镇乡）提交书面改造初步申请",
        "evidence 'written_application' (to the street office) is required",
    )


_PLAN_PARTS: Final = (
    ("design", "工程设计", "engineering design"),
    ("budget", "工程预算", "budget"),
    ("funding_plan", "资金筹集方案", "funding plan"),
    ("long_term_management", "长效管理机制", "long-term management"),
)


def _dangerous(ev: Mapping[str, Any], key: str) -> tuple[int, int]:
    counts = ev.get(key) or {}
    if not isinstance(counts, Mapping):
        raise StageError(f"evidence {key!r} must be a mapping with 'c' and 'd'")
    out = []
    for grade in ("c", "d"):
        value = counts.get(grade, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise StageError(f"evidence {key!r}: {grade!r} must be a non-negative int")
        out.append(value)
    return out[0], out[1]


def _g_plan_vote(ev: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    plan = ev.get("plan") or {}
    out: list[tuple[str, str, str]] = []
    for key, zh, en in _PLAN_PARTS:
        out += _need(
            bool(plan.get(key)),
            "四(二)3",
            f"初步改造方案须包括{zh}",
            f"the preliminary plan (evidence 'plan') needs '{key}' ({en})",
        )
    c, d = _dangerous(ev, "dangerous_buildings")
    out += _need(
        not (c or d) or bool(plan.get("dangerous_item")),
        "二(二)1",
        f"小区有C级危房{c}栋、D级危房{d}栋：初步改造方案须包括危房加固解危（危房清零）",
        f"the community has {c} C-grade and {d} D-grade dangerous buildings: the "
        "plan needs a dangerous-building item (危房解危, zero dangerous buildings)",
    )
    return out


def _g_street_review(ev: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    votes = ev.get("plan_votes") or {}
    matters = list(votes.get("matters") or ())
    held = votes.get("votes") or {}
    out = _need(
        bool(matters),
        "四(二)3",
        "业主须对初步改造方案表决",
        "evidence 'plan_votes' must list the matters the plan puts to the owners",
    )
    for matter in matters:
        out += _need(
            _passed(held.get(matter)),
            "四(二)3",
            f"业主对初步改造方案的表决事项“{matter}”须在方案确定后表决通过",
            f"the owners' vote on the plan's matter {matter!r}, held after the plan "
            "was made, must have passed",
        )
    return out


def _g_district_review(ev: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    return _need(
        bool(ev.get("implementation_plan")),
        "四(二)3",
        "街道（镇乡）须提出项目初步实施方案报属地住建部门",
        "evidence 'implementation_plan' (street's draft implementation plan sent "
        "to the district housing department) is required",
    )


def _g_reserve_pool(ev: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    sub = ev.get("sub_status", "generated")
    return _need(
        sub in RESERVE_SUB_STATUSES,
        "四(二)4",
        "储备库子状态须为生成一批或储备一批（谋划、实施一批不在储备库中）",
        f"evidence 'sub_status' must be one of {sorted(RESERVE_SUB_STATUSES)}",
    )


def _in_fixed_plan(ev: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    plan = ev.get("annual_plan")
    fixed = isinstance(plan, Mapping) and bool(plan.get("fixed"))
    return _need(
        fixed,
        "四(二)4",
        "须已列入区县政府确定的年度改造项目实施计划（列入后计划须经确定）",
        "evidence 'annual_plan' must be an annual plan that lists the project and "
        "was fixed with it (fixed=True)",
    )


def _g_annual_plan(ev: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    return _need(
        bool(ev.get("reserve_entry")),
        "四(二)4",
        "须已列入项目储备库并评分排序",
        "evidence 'reserve_entry' (the reserve-pool entry) is required",
    ) + _in_fixed_plan(ev)


def _g_construction(ev: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    return _in_fixed_plan(ev) + _need(
        bool(ev.get("permit")),
        "四(三)1",
        "须按项目审批制度完成报建",
        "evidence 'permit' (project filing under the approval rules) is required",
    )


def _g_completion_acceptance(ev: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    acc = ev.get("acceptance") or {}
    parties = set(acc.get("parties", ()))
    missing = [p for p in ACCEPTANCE_PARTIES if p not in parties]
    c, d = _dangerous(ev, "dangerous_buildings")
    cc, cd = _dangerous(ev, "dangerous_cleared")
    return (
        _need(
            (cc, cd) == (c, d),
            "二(二)1",
            f"危房清零：C级危房{c}栋、D级危房{d}栋须全部加固解危后方可竣工验收"
            f"（已解危C级{cc}栋、D级{cd}栋）",
            f"zero dangerous buildings: all {c} C-grade and {d} D-grade buildings must "
            f"be made safe before acceptance (evidence 'dangerous_cleared' says {cc} "
            f"and {cd})",
        )
        + _need(
            bool(acc.get("passed")),
            "四(三)3",
            "竣工验收须合格",
            "evidence 'acceptance' must have passed=True",
        )
        + _need(
            not missing,
            "四(三)3",
            "竣工验收须由设计、施工、监理、业主委员会或居民小组参加",
            f"acceptance parties missing: {missing}",
        )
    )


def _g_handover(ev: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    return _need(
        bool(ev.get("handed_over_to")),
        "四(三)4",
        "竣工验收资料须移交业主委员会或专营单位",
        "evidence 'handed_over_to' (owners' committee / utilities) is required",
    )


def _g_warranty(ev: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    return _need(
        isinstance(ev.get("warranty_end"), dt.date),
        "四(三)4",
        "须明确保修期满日期（期满后由业主承担维护）",
        "evidence 'warranty_end' (date) is required",
    )


def _g_post_evaluation(ev: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    return _need(
        bool(ev.get("evaluation")),
        "四(三)5",
        "须有改造实效后评估报告",
        "evidence 'evaluation' (post-evaluation report) is required",
    )


_GUARDS: Final[dict[str, Guard]] = {
    "will_vote": _g_will_vote,
    "application": _g_application,
    "preliminary_plan": _g_preliminary_plan,
    "plan_vote": _g_plan_vote,
    "street_review": _g_street_review,
    "district_review": _g_district_review,
    "reserve_pool": _g_reserve_pool,
    "annual_plan": _g_annual_plan,
    "construction": _g_construction,
    "completion_acceptance": _g_completion_acceptance,
    "handover": _g_handover,
    "warranty": _g_warranty,
    "post_evaluation": _g_post_evaluation,
}


def _check_order(current: str | None, target: str) -> None:
    if target not in STAGES:
        raise StageError(f"unknown target stage {target!r}; expected one of {STAGES}")
    if current is not None and current not in STAGES:
        raise StageError(f"unknown current stage {current!r}; expected one of {STAGES}")
    here = -1 if current is None else STAGES.index(current)
    there = STAGES.index(target)
    if current == target == "reserve_pool":
        return  # sub-status change inside the pool
    if there == here + 1:
        return
    expected = STAGES[here + 1] if here + 1 < len(STAGES) else None
    if there <= here:
        raise StageError(
            f"cannot go back from {current!r} to {target!r}; stages only move forward"
        )
    raise StageError(
        f"cannot skip from {current!r} to {target!r}: the next stage is "
        f"{expected!r} ({STAGE_CLAUSE[expected] if expected else ''})"
    )


def missing_evidence(
    current_stage: str | None, target_stage: str, evidence: Mapping[str, Any]
) -> list[Reason]:
    """Return the unmet guards of a step (empty list = the step is allowed).

    Raises
    ------
    StageError
        Unknown stage, skip or going back.
    """
    _check_order(current_stage, target_stage)
    return [Reason(*g) for g in _GUARDS[target_stage](evidence)]


def advance(
    current_stage: str | None, target_stage: str, evidence: Mapping[str, Any]
) -> Transition:
    """Move a project one stage forward (四(二), 四(三)).

    Parameters
    ----------
    current_stage : str or None
        Fine stage the project is in (None: not created yet; the only
        allowed target is then ``will_vote``).
    target_stage : str
        Must be the next stage of :data:`STAGES`, or ``reserve_pool`` again
        to change the reserve sub-status.
    evidence : Mapping
        What the step needs:

        - ``application``: ``will_vote`` (passed vote), ``chosen_items``
        - ``preliminary_plan``: ``written_application``
        - ``plan_vote``: ``plan`` with ``design``, ``budget``,
          ``funding_plan``, ``long_term_management``; with C/D-grade
          ``dangerous_buildings`` (``{"c": n, "d": m}``) also
          ``dangerous_item`` (a 危房解危 works item, 二(二)1)
        - ``street_review``: ``plan_votes`` = {``matters``: the matters the
          plan puts to the owners, ``votes``: matter → its latest vote since the
          plan was made}; every matter passed
        - ``district_review``: ``implementation_plan``
        - ``reserve_pool``: optional ``sub_status`` (``generated``, the
          default, or ``reserved``)
        - ``annual_plan``: ``reserve_entry``; ``annual_plan`` listing the
          project, fixed with it (``{"fixed": True, ...}``) — on any day: the
          31 October deadline is about editing the plan, not about its projects
        - ``construction``: ``annual_plan`` (fixed), ``permit``
        - ``completion_acceptance``: ``acceptance`` = {``passed``,
          ``parties`` ⊇ design, construction, supervision, owners}; and
          ``dangerous_cleared`` equal to ``dangerous_buildings`` (every C/D
          building made safe: 危房清零, 二(二)1)
        - ``handover``: ``handed_over_to``
        - ``warranty``: ``warranty_end`` (date)
        - ``post_evaluation``: ``evaluation``

    Returns
    -------
    Transition

    Raises
    ------
    StageError
        (a ``ValueError``) on unknown stages, skipping, going back, or unmet
        guards; the message lists every unmet guard.
    """
    if not isinstance(evidence, Mapping):
        raise TypeError("evidence must be a mapping")
    unmet = missing_evidence(current_stage, target_stage, evidence)
    if unmet:
        lines = "; ".join(f"{r.clause}: {r.text_en}" for r in unmet)
        raise StageError(
            f"cannot move from {current_stage!r} to {target_stage!r}: {lines}"
        )
    clause = STAGE_CLAUSE[target_stage]
    sub = (
        evidence.get("sub_status", "generated")
        if target_stage == "reserve_pool"
        else None
    )
    reasons = [
        Reason(
            clause,
            f"进入阶段：{target_stage}（公开阶段：{PUBLIC_STAGE[target_stage]}）",
            f"Entered stage {target_stage} (public stage "
            f"{PUBLIC_STAGE[target_stage]}); all guards met.",
        )
    ]
    if sub is not None:
        reasons.append(
            Reason(
                "四(二)4",
                f"储备库子状态：{RESERVE_SUB_STATUSES[sub]}一批",
                f"Reserve-pool sub-status: {sub}",
            )
        )
    return Transition(
        from_stage=current_stage,
        to_stage=target_stage,
        public_stage=PUBLIC_STAGE[target_stage],
        sub_status=sub,
        reasons=reasons,
    )
