"""The planner's edits of blocks: accept, lock, merge, split, move a community; each checked and recorded."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from scipy.sparse import csgraph

from analysis.adjacency import community_adjacency
from analysis.bundling import (
    DEFAULT_MAX_HOUSEHOLDS,
    dissolve_blocks,
)
from blocks import selectors
from blocks.models import BlockMembership, RenovationBlock
from blocks.services.common import (
    GROUPS,
    Status,
    _barriers,
    _basic_cost_per_household,
    _check_blocks,
    _fill,
    _save,
)
from layers.models import (
    Community,
)
from runs.models import AnalysisRun


# --------------------------------------------------------------------------- planner edits
def _lock_rows(*blocks: RenovationBlock) -> list[RenovationBlock]:
    pks = [b.pk for b in blocks]
    rows = {
        b.pk: b for b in RenovationBlock.objects.select_for_update().filter(pk__in=pks)
    }
    return [rows[pk] for pk in pks]


def _editable(block: RenovationBlock) -> None:
    if not block.is_active:
        msg = f"片区 {block.code} 已失效 / block {block.code} is not active"
        raise ValidationError(msg)
    if block.locked:
        msg = f"片区 {block.code} 已锁定，请先解锁 / block {block.code} is locked: unlock it first"
        raise ValidationError(msg)


class _Graph:
    """The run's adjacency (its gap_m and barriers) over a set of communities."""

    def __init__(self, run: AnalysisRun, codes: Iterable[str]) -> None:
        self.params = run.parameters
        self.frame = selectors.community_frame(codes=sorted(set(codes)))
        self.adj = community_adjacency(
            self.frame,
            gap_m=float(self.params.get("gap_m", 30.0)),
            barriers=_barriers(self.params),
        )

    def connected(self, codes: Iterable[str]) -> bool:
        codes = list(codes)
        if len(codes) <= 1:
            return True
        sub = self.adj.subgraph(self.frame.index.isin(codes))
        n, _ = csgraph.connected_components(sub.matrix, directed=False)
        return n == 1

    def touches(self, a: Iterable[str], b: Iterable[str]) -> bool:
        ia = self.frame.index.isin(list(a))
        ib = self.frame.index.isin(list(b))
        return bool(self.adj.matrix[ia][:, ib].nnz)

    def households(self, codes: Iterable[str]) -> float:
        return float(pd.to_numeric(self.frame.loc[list(codes), "households"]).sum())

    def ceiling(self) -> float:
        return float(self.params.get("max_households", DEFAULT_MAX_HOUSEHOLDS))


def _refresh(block: RenovationBlock, *, user: Any, why: str) -> None:
    """Recompute a block from its current memberships and save it (one history row)."""
    codes = list(
        block.memberships.filter(active=True).values_list("community__code", flat=True)
    )
    members = selectors.community_frame(codes=codes)
    gap_m = float(block.run.parameters.get("gap_m", 30.0))
    labels = pd.Series(0, index=members.index)
    outline = dissolve_blocks(members, labels, gap_m=gap_m).geometry.iloc[0]
    gaps = selectors.gap_profile(codes=codes)
    _fill(block, members, outline, gaps, _basic_cost_per_household())
    if block.status == Status.ACCEPTED:
        block.status = Status.PROPOSED
    _save(block, user=user, why=why)


def _reason(why: str, default: str) -> str:
    return (why or "").strip() or default


@transaction.atomic
def block_accept(
    *, block: RenovationBlock, user: Any = None, why: str = ""
) -> RenovationBlock:
    """Mark a proposed block accepted by the planner."""
    (block,) = _lock_rows(block)
    _check_blocks(user, "确认片区", block)
    if not block.is_active:
        msg = f"片区 {block.code} 已失效 / block {block.code} is not active"
        raise ValidationError(msg)
    if block.status == Status.ACCEPTED:
        msg = f"片区 {block.code} 已确认 / block {block.code} is already accepted"
        raise ValidationError(msg)
    block.status = Status.ACCEPTED
    _save(block, user=user, why=_reason(why, "accepted"))
    return block


def _set_lock(
    block: RenovationBlock, *, locked: bool, user: Any, why: str
) -> RenovationBlock:
    (block,) = _lock_rows(block)
    _check_blocks(user, "锁定或解锁片区", block)
    if not block.is_active:
        msg = f"片区 {block.code} 已失效 / block {block.code} is not active"
        raise ValidationError(msg)
    if block.locked == locked:
        state = "已锁定 / already locked" if locked else "未锁定 / not locked"
        msg = f"片区 {block.code} {state}"
        raise ValidationError(msg)
    block.locked = locked
    _save(block, user=user, why=_reason(why, "locked" if locked else "unlocked"))
    return block


@transaction.atomic
def block_lock(
    *, block: RenovationBlock, user: Any = None, why: str = ""
) -> RenovationBlock:
    """Lock a block: re-runs keep it as it is, edits are refused until unlocked."""
    return _set_lock(block, locked=True, user=user, why=why)


@transaction.atomic
def block_unlock(
    *, block: RenovationBlock, user: Any = None, why: str = ""
) -> RenovationBlock:
    """Unlock a block: a re-run may re-bundle its members again."""
    return _set_lock(block, locked=False, user=user, why=why)


@transaction.atomic
def block_merge(
    *, block: RenovationBlock, other: RenovationBlock, user: Any = None, why: str = ""
) -> RenovationBlock:
    """Merge ``other`` into ``block``; they must be adjacent, in one group, under the ceiling."""
    if block.pk == other.pk:
        msg = "不能与自身合并 / cannot merge a block with itself"
        raise ValidationError(msg)
    block, other = _lock_rows(block, other)
    _check_blocks(user, "合并片区", block, other)
    _editable(block)
    _editable(other)
    if block.group_code != other.group_code:
        msg = (
            f"片区 {block.code} 与 {other.code} 不在同一街道/区县 / blocks are in "
            f"different groups ({block.group_code} vs {other.group_code})"
        )
        raise ValidationError(msg)
    graph = _Graph(block.run, [*block.member_codes, *other.member_codes])
    if not graph.touches(block.member_codes, other.member_codes):
        msg = (
            f"片区 {block.code} 与 {other.code} 不相邻，不能合并 / blocks {block.code} and "
            f"{other.code} are not adjacent (gap {graph.params.get('gap_m')} m, barriers "
            "considered): refused"
        )
        raise ValidationError(msg)
    total = graph.households([*block.member_codes, *other.member_codes])
    if total > graph.ceiling():
        msg = (
            f"合并后户数 {total:g} 超过上限 {graph.ceiling():g} / merged block would have "
            f"{total:g} households, above the ceiling {graph.ceiling():g}"
        )
        raise ValidationError(msg)
    reason = _reason(why, f"merged {other.code} into {block.code}")
    BlockMembership.objects.filter(block=other, active=True).update(block=block)
    other.is_active = False
    other.status = Status.MERGED
    _save(other, user=user, why=reason)
    _refresh(block, user=user, why=reason)
    return block


def _next_split_code(block: RenovationBlock) -> str:
    n = 1
    while RenovationBlock.objects.filter(code=f"{block.code}-S{n}").exists():
        n += 1
    return f"{block.code}-S{n}"


@transaction.atomic
def block_split(
    *,
    block: RenovationBlock,
    codes: Sequence[str],
    name: str = "",
    user: Any = None,
    why: str = "",
) -> RenovationBlock:
    """Split the members ``codes`` off ``block`` into a new block; both parts contiguous.

    Returns the new block.
    """
    (block,) = _lock_rows(block)
    _check_blocks(user, "拆分片区", block)
    _editable(block)
    part = sorted(set(codes or ()))
    members = list(block.member_codes)
    if not part:
        msg = "请给出要拆出的小区编码 / give the member codes to split off"
        raise ValidationError(msg)
    strangers = sorted(set(part) - set(members))
    if strangers:
        msg = f"这些小区不在片区 {block.code} 中 / not members of {block.code}: {strangers}"
        raise ValidationError(msg)
    rest = sorted(set(members) - set(part))
    if not rest:
        msg = "不能拆出全部成员 / cannot split off every member"
        raise ValidationError(msg)
    graph = _Graph(block.run, members)
    for side, label in (
        (part, "拆出部分 / split part"),
        (rest, "剩余部分 / remainder"),
    ):
        if not graph.connected(side):
            msg = f"{label} 不连片 / is not contiguous: {side}"
            raise ValidationError(msg)
    reason = _reason(why, f"split {part} off {block.code}")
    new = RenovationBlock(
        code=_next_split_code(block),
        name=(name or "").strip() or f"{block.name}（拆分）",
        run=block.run,
        group_code=block.group_code,
        geom=block.geom,
    )
    _save(new, user=user, why=reason)
    BlockMembership.objects.filter(
        block=block, active=True, community__code__in=part
    ).update(block=new)
    _refresh(new, user=user, why=reason)
    _refresh(block, user=user, why=reason)
    return new


def _community(code: str) -> Community:
    try:
        return Community.objects.get(code=code)
    except Community.DoesNotExist as exc:
        msg = f"未知小区 / unknown community: {code}"
        raise ValidationError(msg) from exc


@transaction.atomic
def block_move_community(
    *,
    community: Community | str,
    to_block: RenovationBlock,
    user: Any = None,
    why: str = "",
) -> RenovationBlock:
    """Move a community into ``to_block`` (from its current active block, or unassigned).

    Both blocks must stay contiguous, the source must keep a member, the target must
    stay under the run's household ceiling and in one group.
    """
    if isinstance(community, str):
        community = _community(community)
    membership = (
        BlockMembership.objects.select_related("block")
        .filter(community=community, active=True)
        .first()
    )
    source = membership.block if membership else None
    if source is not None and source.pk == to_block.pk:
        msg = (
            f"小区 {community.code} 已在片区 {to_block.code} 中 / already in that block"
        )
        raise ValidationError(msg)
    locked_rows = _lock_rows(to_block, *([source] if source else []))
    _check_blocks(user, "调整片区成员", *locked_rows, community=community)
    to_block = locked_rows[0]
    _editable(to_block)
    group_col = GROUPS.get(
        to_block.run.parameters.get("group_by", "street"), "street_code"
    )
    group = (
        community.street.code
        if group_col == "street_code" and community.street
        else community.district.code
        if group_col == "district_code"
        else ""
    )
    if to_block.group_code and group != to_block.group_code:
        msg = (
            f"小区 {community.code} 不在片区 {to_block.code} 的街道/区县内 / community is "
            f"in another group ({group} vs {to_block.group_code})"
        )
        raise ValidationError(msg)
    involved = [*to_block.member_codes, community.code]
    if source is not None:
        source = locked_rows[1]
        _editable(source)
        remaining = [c for c in source.member_codes if c != community.code]
        if not remaining:
            msg = (
                f"移出后片区 {source.code} 将为空，请改用合并 / moving its last member "
                f"would empty {source.code}: merge the blocks instead"
            )
            raise ValidationError(msg)
        involved += remaining
    graph = _Graph(to_block.run, involved)
    target = [*to_block.member_codes, community.code]
    if not graph.connected(target):
        msg = (
            f"小区 {community.code} 与片区 {to_block.code} 不相邻 / {community.code} is not "
            f"adjacent to block {to_block.code}: the block would not be contiguous"
        )
        raise ValidationError(msg)
    if source is not None and not graph.connected(remaining):
        msg = (
            f"移出后片区 {source.code} 不再连片 / block {source.code} would no longer be "
            f"contiguous without {community.code}"
        )
        raise ValidationError(msg)
    total = graph.households(target)
    if total > graph.ceiling():
        msg = (
            f"片区 {to_block.code} 户数将达 {total:g}，超过上限 {graph.ceiling():g} / "
            f"would have {total:g} households, above the ceiling {graph.ceiling():g}"
        )
        raise ValidationError(msg)
    reason = _reason(
        why,
        f"moved {community.code} from {source.code if source else 'unassigned'} "
        f"to {to_block.code}",
    )
    if membership is not None:
        membership.block = to_block
        _save(membership, user=user, why=reason)
    else:
        _save(
            BlockMembership(block=to_block, community=community), user=user, why=reason
        )
    _refresh(to_block, user=user, why=reason)
    if source is not None:
        _refresh(source, user=user, why=reason)
    return to_block
