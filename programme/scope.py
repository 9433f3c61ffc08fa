"""Who is in the programme (二(一)): the inputs of the one eligibility function, and
the decisions people record.

:func:`analysis.eligibility.assess_eligibility` is the definition; this module
gathers its inputs from the database (the community's attributes, the gaps of its
latest life-circle result, the owners' will vote, a recorded decision, the block it
belongs to) for one community or for many at once, and writes the recorded
decisions. Projects, the reserve pool, the annual plan, bundling and the public
targets all read the scope through here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts import permissions
from analysis import eligibility as elig
from layers.models import Community
from lifecircle.models import CoverageResult, FacilityRule
from runs.models import AnalysisRun

from . import selectors
from .models import ScopeDecision, Vote

#: the community columns the rule reads
ROW_FIELDS = (
    "id",
    "code",
    "name",
    "district_id",
    "households",
    "completion_year",
    "land_tenure",
    "housing_type",
    "in_shanty_plan",
    "in_expropriation_plan",
    "repairable",
)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def scope_rules(on: dt.date) -> Mapping[str, Any]:
    """The version of ``scope_rules.json`` in force on ``on`` (defaults if none loaded)."""
    data = selectors.programme_data("scope_rules")
    if not data["versions"]:
        return elig.DEFAULT_SCOPE_RULES
    try:
        return elig.select_in_force(data, on)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


# --------------------------------------------------------------------------- inputs
def _required_codes(ruleset_ids: Iterable[int]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    rows = FacilityRule.objects.filter(ruleset_id__in=set(ruleset_ids), required=True)
    for rs, code in rows.values_list("ruleset_id", "category__code"):
        out.setdefault(rs, set()).add(code)
    return out


def _gap_inputs(ids: list[int], local_tier: int) -> dict[int, tuple[int, int, int]]:
    """Community id → (missing, required, missing in tiers ≤ ``local_tier``), from
    the community's latest finished life-circle result."""
    rows = list(
        CoverageResult.objects.filter(
            community_id__in=ids,
            run__kind=AnalysisRun.Kind.LIFECIRCLE,
            run__status=AnalysisRun.Status.DONE,
        )
        .order_by("community_id", "-run__finished_at", "-run_id")
        .distinct("community_id")
        .values_list("community_id", "run__ruleset_id", "missing", "distances_m")
    )
    required = _required_codes(r[1] for r in rows if r[1] is not None)
    out: dict[int, tuple[int, int, int]] = {}
    for cid, rs, missing, distances in rows:
        codes = required.get(rs)
        if not codes:
            continue
        analysed = codes & set(distances or {}) if distances else codes
        gaps: set[str] = set()
        for tier_codes in (missing or {}).values():
            gaps.update(tier_codes or ())
        local: set[str] = set()
        for tier, tier_codes in (missing or {}).items():
            if int(tier) <= local_tier:
                local.update(tier_codes or ())
        out[cid] = (len(gaps & analysed), len(analysed), len(local & analysed))
    return out


def _will_inputs(ids: list[int]) -> dict[int, str]:
    """Community id → ``strong``/``weak`` from its latest owners' will vote."""
    rows = (
        Vote.objects.filter(project__community_id__in=ids, kind=Vote.Kind.WILL)
        .order_by("project__community_id", "-held_on", "-id")
        .distinct("project__community_id")
        .values_list("project__community_id", "passed")
    )
    return {cid: ("strong" if passed else "weak") for cid, passed in rows}


def _recorded(ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = ScopeDecision.objects.filter(community_id__in=ids).select_related(
        "decided_by"
    )
    return {
        r.community_id: {
            "kind": r.kind,
            "reason": r.reason,
            "by": r.decided_by.get_username() if r.decided_by else "",
            "on": timezone.localtime(r.decided_at).date(),
        }
        for r in rows
    }


@dataclass(frozen=True)
class BlockSource:
    """How the scope reads the 连片 blocks (四(四)1). The blocks app provides it when it
    starts (``blocks.apps``): bundling reads this scope, so the scope cannot import
    the blocks back. Without the blocks app no community is in a block."""

    #: community id → the other members of its active block
    partners: Callable[[], dict[int, set[int]]]
    #: the members of the active block with this code, ordered by code (None: no block)
    members: Callable[[str], list[Community] | None]


_BLOCKS: list[BlockSource] = [BlockSource(partners=dict, members=lambda code: None)]


def blocks_provide(source: BlockSource) -> None:
    """Where the scope reads the blocks from (called once, by ``blocks.apps``)."""
    _BLOCKS[0] = source


def _block_partners() -> dict[int, set[int]]:
    return _BLOCKS[0].partners()


def _rows(communities: Iterable[Mapping[str, Any]], rules: Mapping[str, Any]):
    rows = [dict(c) for c in communities]
    ids = [r["id"] for r in rows]
    local_tier = int((rules.get("post_2000") or {}).get("local_max_tier_minutes", 5))
    gaps = _gap_inputs(ids, local_tier)
    will = _will_inputs(ids)
    for r in rows:
        missing, required, local = gaps.get(r["id"], (None, None, None))
        r.update(
            missing_categories=missing,
            required_categories=required,
            missing_local=local,
            residents_will=will.get(r["id"]),
        )
    return rows, _recorded(ids)


def _assess_all(
    rows: list[dict[str, Any]],
    recorded: Mapping[int, Mapping[str, Any]],
    *,
    today: dt.date,
    rules: Mapping[str, Any],
    partners: Mapping[int, set[int]],
) -> dict[int, elig.Decision]:
    """Decisions by id; a pure villa community is assessed in its block when another
    member of the block is itself eligible (纯别墅小区不单独列入)."""

    def one(r: dict[str, Any], block: bool) -> elig.Decision:
        try:
            return elig.assess_eligibility(
                r,
                today=today,
                rules=rules,
                in_block_with_others=block,
                recorded=recorded.get(r["id"]),
            )
        except ValueError as exc:
            raise ValidationError(f"{r.get('code')}: {exc}") from exc

    out = {r["id"]: one(r, False) for r in rows}
    by_id = {r["id"]: r for r in rows}
    for cid, decision in list(out.items()):
        if decision.status != "with_others_only" or decision.eligible:
            continue
        others = partners.get(cid, set())
        if any(
            o in out and out[o].eligible and out[o].status != "with_others_only"
            for o in others
        ):
            out[cid] = one(by_id[cid], True)
    return out


# --------------------------------------------------------------------------- reads
def community_gaps(*, community: Community) -> tuple[int, int, int] | None:
    """(missing, required, missing in the community's own tiers) of the community's
    latest life-circle result, or None before any run."""
    local_tier = int(
        (scope_rules(_today(None)).get("post_2000") or {}).get(
            "local_max_tier_minutes", 5
        )
    )
    return _gap_inputs([community.pk], local_tier).get(community.pk)


def community_eligibility(
    *,
    community: Community,
    today: dt.date | None = None,
    in_block_with_others: bool | None = None,
) -> elig.Decision:
    """Whether a community is in scope (二(一)), line by line.

    ``in_block_with_others``: None = from its active 连片 block (a pure villa
    community is admitted when another member is eligible); True/False forces it.
    """
    day = _today(today)
    rules = scope_rules(day)
    if in_block_with_others is None:
        others = _block_partners().get(community.pk, set())
        ids = [community.pk, *sorted(others)]
    else:
        ids = [community.pk]
    rows, recorded = _rows(
        Community.objects.filter(pk__in=ids).values(*ROW_FIELDS), rules
    )
    if in_block_with_others is not None:
        (row,) = rows
        try:
            return elig.assess_eligibility(
                row,
                today=day,
                rules=rules,
                in_block_with_others=in_block_with_others,
                recorded=recorded.get(row["id"]),
            )
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
    partners = {community.pk: set(ids) - {community.pk}}
    return _assess_all(rows, recorded, today=day, rules=rules, partners=partners)[
        community.pk
    ]


def scope_table(
    *,
    communities: QuerySet[Community] | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """The scope of many communities at once, indexed by code (the same rule).

    Columns: ``id``, ``district_id``, ``households``, ``status``, ``eligible``,
    ``basis``, ``needs``, ``decision``.
    """
    day = _today(today)
    rules = scope_rules(day)
    qs = communities if communities is not None else Community.objects.all()
    rows, recorded = _rows(qs.order_by("code").values(*ROW_FIELDS), rules)
    decisions = _assess_all(
        rows, recorded, today=day, rules=rules, partners=_block_partners()
    )
    frame = pd.DataFrame(
        [
            {
                "code": r["code"],
                "id": r["id"],
                "district_id": r["district_id"],
                "households": r["households"],
                "status": decisions[r["id"]].status,
                "eligible": decisions[r["id"]].eligible,
                "basis": decisions[r["id"]].basis,
                "needs": decisions[r["id"]].needs,
                "decision": decisions[r["id"]],
            }
            for r in rows
        ],
        columns=[
            "code",
            "id",
            "district_id",
            "households",
            "status",
            "eligible",
            "basis",
            "needs",
            "decision",
        ],
    )
    return frame.set_index("code")


def block_members(*, block_code: str) -> list[Community]:
    """The communities of the active 连片 block ``block_code`` (ValidationError if none)."""
    members = _BLOCKS[0].members(block_code)
    if members is None:
        msg = (
            f"没有编码为 {block_code} 的有效连片片区（四(四)1） / no active block "
            f"{block_code!r}"
        )
        raise ValidationError(msg)
    return members


def block_eligibility(
    *, block_code: str, today: dt.date | None = None
) -> dict[str, elig.Decision]:
    """Every member of a 连片 block assessed as a member of that block (code → Decision)."""
    members = block_members(block_code=block_code)
    ids = [m.pk for m in members]
    day = _today(today)
    rules = scope_rules(day)
    rows, recorded = _rows(
        Community.objects.filter(pk__in=ids).values(*ROW_FIELDS), rules
    )
    partners = {i: set(ids) - {i} for i in ids}
    decisions = _assess_all(rows, recorded, today=day, rules=rules, partners=partners)
    return {
        r["code"]: decisions[r["id"]] for r in sorted(rows, key=lambda r: r["code"])
    }


def project_scope_problem(
    *,
    community: Community | None,
    block_code: str = "",
    today: dt.date | None = None,
    allow_will_pending: bool = False,
) -> str:
    """Why a project for this community (or block) may not go on; ``""`` if it may.

    ``allow_will_pending``: a post-2000 community whose only open condition is the
    owners' will vote may start its project (the vote is its first step, 四(二)1).
    """
    if community is not None:
        # a community's own project: on its own, whatever block it is in
        decisions = {
            community.code: community_eligibility(
                community=community, today=today, in_block_with_others=False
            )
        }
    else:
        decisions = block_eligibility(block_code=block_code, today=today)
    lines = []
    for code, d in decisions.items():
        if d.eligible or (allow_will_pending and d.needs == ("will_vote",)):
            continue
        lines.append(f"{code}：{d.refusal}")
    if not lines:
        return ""
    return (
        "不符合改造范围（二(一)），除非市级管理员记录例外及理由 / outside the "
        "programme's scope (二(一)) unless a city administrator records an "
        "exception: " + " | ".join(lines)
    )


# --------------------------------------------------------------------------- writes
@transaction.atomic
def scope_decision_record(
    *,
    user: Any,
    community: Community,
    kind: str,
    reason: str,
    today: dt.date | None = None,
) -> ScopeDecision:
    """Record a decision that admits a community (二(一)), with its reason.

    ``district``: the district's own decision on resettlement or affordable housing,
    by the district's planners (or a city administrator), only for a community the
    rule leaves to the district. ``exception``: a city administrator's exception for
    any community. Replaces an earlier decision; the history keeps both.
    """
    if kind not in ScopeDecision.Kind.values:
        msg = f"kind must be one of {ScopeDecision.Kind.values}, got {kind!r}"
        raise ValidationError(msg)
    if kind == ScopeDecision.Kind.EXCEPTION:
        permissions.require(user, permissions.ADMINS, "记录改造范围例外")
    else:
        permissions.check_district(user, community.district_id, "记录区县自主确定")
    reason = (reason or "").strip()
    if not reason:
        msg = "须说明理由 / give the reason"
        raise ValidationError(msg)
    if kind == ScopeDecision.Kind.DISTRICT:
        rule = community_eligibility(
            community=community, today=today, in_block_with_others=False
        )
        if rule.status != "district_decides":
            msg = (
                "只有安置房、保障房小区由各地自主确定（二(一)）；其他小区须由市级"
                "管理员记录例外 / only resettlement and affordable housing is left "
                "to the district"
            )
            raise ValidationError(msg)
    decision, _ = ScopeDecision.objects.update_or_create(
        community=community,
        defaults={
            "kind": kind,
            "reason": reason,
            "decided_by": permissions.user_of(user),
            "decided_at": timezone.now(),
        },
    )
    return decision


@transaction.atomic
def scope_decision_revoke(*, user: Any, community: Community, why: str) -> None:
    """Withdraw a recorded decision; the history keeps it with the reason."""
    decision = ScopeDecision.objects.filter(community=community).first()
    if decision is None:
        msg = "该小区没有记录的范围认定 / nothing recorded for this community"
        raise ValidationError(msg)
    if decision.kind == ScopeDecision.Kind.EXCEPTION:
        permissions.require(user, permissions.ADMINS, "撤销改造范围例外")
    else:
        permissions.check_district(user, community.district_id, "撤销区县自主确定")
    why = (why or "").strip()
    if not why:
        msg = "须说明理由 / give the reason"
        raise ValidationError(msg)
    decision._change_reason = why[:100]  # noqa: SLF001 - django-simple-history's API
    decision.delete()
