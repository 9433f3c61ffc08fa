"""Bundling runs: read the layers, call analysis.bundling, store the blocks (all or nothing)."""

from __future__ import annotations

import inspect
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import permissions
from analysis.bundling import (
    DEFAULT_MAX_HOUSEHOLDS,
    DEFAULT_MIN_HOUSEHOLDS,
    bundle_blocks,
    dissolve_blocks,
)
from blocks import selectors
from blocks.models import BlockMembership, RenovationBlock
from blocks.services.common import (
    _VALIDATED,
    ENGINE,
    GROUPS,
    NEARBY_M,
    Status,
    _barriers,
    _basic_cost_per_household,
    _block_totals,
    _cost,
    _history,
    _multi,
    _nearby_update,
    _user,
    _validate_params,
)
from layers import frames
from layers.models import (
    Community,
)
from programme import scope
from runs.lifecycle import run_recorded
from runs.models import AnalysisRun
from runs.registry import kwargs_of


# --------------------------------------------------------------------------- runs
def bundle_validate(params: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of :func:`bundle_run` for a queued run, checked before
    queuing (bounds, district and street, the selection)."""
    kw = kwargs_of(bundle_run, params)
    defaults = {
        name: p.default
        for name, p in inspect.signature(bundle_run).parameters.items()
        if name in _VALIDATED
    }
    _validate_params(**{**defaults, **{k: v for k, v in kw.items() if k in _VALIDATED}})
    return kw


def bundle_run(
    *,
    district: str | None = None,
    street: str | None = None,
    selected: str | Sequence[str] | None = None,
    group_by: str = "street",
    gap_m: float = 30.0,
    min_households: float = DEFAULT_MIN_HOUSEHOLDS,
    max_households: float = DEFAULT_MAX_HOUSEHOLDS,
    min_communities: int = 2,
    max_communities: int | None = None,
    use_barriers: bool = True,
    barrier_road_class: str | None = None,
    use_gaps: bool = True,
    seed: int = 0,
    user: Any = None,
    run: AnalysisRun | None = None,
) -> AnalysisRun:
    """Bundle the communities in scope into renovation blocks and store them as a run.

    ``selected``: ``None`` (every community in scope), ``"eligible"`` (in the
    programme's scope by the one 二(一) rule, :func:`programme.scope.scope_table`;
    pure villa communities join a block only with others) or a list of community
    codes.
    Barriers: walk segments flagged ``is_barrier`` (plus every segment at or above
    ``barrier_road_class``) and the :class:`~blocks.models.Barrier` layer, when
    ``use_barriers``. ``use_gaps``: prefer bundling communities that share
    life-circle gaps (latest life-circle run). Raises ``ValidationError`` on bad
    parameters (nothing stored); an engine error marks the run failed.
    """
    permissions.check_analysis(
        user, [district] if district else None, "运行连片改造分区"
    )
    _validate_params(
        district=district,
        street=street,
        selected=selected,
        group_by=group_by,
        gap_m=gap_m,
        min_households=min_households,
        max_households=max_households,
        min_communities=min_communities,
        max_communities=max_communities,
        barrier_road_class=barrier_road_class,
    )
    started = time.perf_counter()
    comm = selectors.community_frame(district=district, street=street)
    not_alone = None
    if selected is None:
        mask = pd.Series(True, index=comm.index)
    elif selected == "eligible":
        table = scope.scope_table(
            communities=Community.objects.filter(code__in=list(comm.index))
        ).reindex(comm.index)
        villa = (table["status"] == "with_others_only") & table["basis"].isin(
            ["", "block"]
        )
        mask = (table["eligible"].astype(bool) | villa).fillna(value=False)
        not_alone = villa.fillna(value=False).to_numpy(dtype=bool)
    else:
        codes = list(selected)
        unknown = sorted(set(codes) - set(comm.index))
        if unknown:
            msg = f"所选小区不在范围内 / selected codes not in scope: {unknown[:10]}"
            raise ValidationError(msg)
        mask = pd.Series(comm.index.isin(codes), index=comm.index)

    # Locked blocks: carried over when wholly in scope, never re-bundled.
    locked_blocks = list(
        RenovationBlock.objects.filter(is_active=True, locked=True).order_by("code")
    )
    in_scope = set(comm.index)
    locked: dict[int, list[str]] = {}
    carried: dict[int, RenovationBlock] = {}
    for b in locked_blocks:
        codes = list(b.member_codes)
        mask[mask.index.isin(codes)] = False
        if codes and set(codes) <= in_scope:
            locked[len(locked)] = codes
            carried[len(carried)] = b

    params: dict[str, Any] = {
        "district": district,
        "street": street,
        "selected": selected if selected in (None, "eligible") else list(selected),
        "group_by": group_by,
        "gap_m": float(gap_m),
        "min_households": float(min_households),
        "max_households": float(max_households),
        "min_communities": int(min_communities),
        "max_communities": max_communities,
        "use_barriers": bool(use_barriers),
        "barrier_road_class": barrier_road_class,
        "use_gaps": bool(use_gaps),
        "seed": int(seed),
        "nearby_m": NEARBY_M,
    }
    try:
        with run_recorded(
            run=run,
            kind=AnalysisRun.Kind.BUNDLING,
            parameters=params,
            data_time=frames.data_time(),
            engine=ENGINE,
            created_by=_user(user),
            offset_s=time.perf_counter() - started,
        ) as rec:
            t = time.perf_counter()
            barriers = _barriers(params)
            lc_run = selectors.lifecircle_latest() if use_gaps else None
            gaps = selectors.gap_profile(run=lc_run) if lc_run else None
            read_s = time.perf_counter() - t
            t = time.perf_counter()
            result = bundle_blocks(
                comm,
                gap_m=gap_m,
                barriers=barriers,
                selected=mask.to_numpy(dtype=bool),
                group_by=GROUPS[group_by],
                min_households=min_households,
                max_households=max_households,
                min_communities=min_communities,
                max_communities=max_communities,
                gap_profile=gaps,
                locked=locked or None,
                not_alone=not_alone,
                seed=seed,
            )
            outlines = dissolve_blocks(comm, result.labels, gap_m=gap_m)
            bundle_s = time.perf_counter() - t
            with rec.finishing() as run:
                t = time.perf_counter()
                stats = _store(run, comm, result, outlines, gaps, carried, user=user)
                store_s = time.perf_counter() - t
                un = result.unassigned
                run.summary = {
                    "n_communities_in_scope": len(comm),
                    "n_selected": int(mask.sum()),
                    "n_blocks": stats["n_blocks"],
                    "n_new_blocks": stats["n_new"],
                    "n_assigned": int((result.labels >= 0).sum()),
                    "n_unassigned": len(un),
                    "locked_kept": stats["locked_kept"],
                    "superseded": stats["superseded"],
                    "barriers": 0 if barriers is None else len(barriers),
                    "lifecircle_run": lc_run.pk if lc_run else None,
                    "gap_categories": result.parameters.get("gap_categories", []),
                    "unassigned_by_reason": {
                        str(k): int(v)
                        for k, v in un["reason_code"].value_counts().items()
                    },
                    "unassigned": [
                        {
                            "code": str(code),
                            "name": str(comm.at[code, "name"]),
                            "reason_code": str(row.reason_code),
                            "reason": str(row.reason),
                        }
                        for code, row in un.iterrows()
                    ],
                    "engine_parameters": result.parameters,
                    "timings": {
                        "read_s": read_s,
                        "bundle_s": bundle_s,
                        "store_s": store_s,
                    },
                    "nearby_m": NEARBY_M,
                }
    except (ValueError, TypeError) as exc:
        # bad input named by the engine, as the API's validation error
        raise ValidationError(str(exc)) from exc
    return run


@transaction.atomic
def _store(
    run: AnalysisRun,
    comm: Any,
    result: Any,
    outlines: Any,
    gaps: pd.DataFrame | None,
    carried: dict[int, RenovationBlock],
    *,
    user: Any,
) -> dict[str, Any]:
    """Supersede, carry over and create the run's blocks, all or nothing.

    Set-based, so the number of queries does not grow with the number of blocks:
    one UPDATE per table for the superseded blocks, one for the carried ones, one
    bulk INSERT each for the new blocks, their memberships and each batch of
    history rows, one UPDATE (+ one SELECT) for the nearby plots of every new
    outline. The history rows are those ``save()`` wrote one by one before: one
    ``~`` row per superseded or carried block and one ``+`` row per new block,
    with the user and the reason; memberships get none (``bulk_create`` and
    ``update`` write none, as before).
    """
    now = timezone.now()
    stale_ids = BlockMembership.objects.filter(
        block__is_active=True, block__locked=False, community__code__in=list(comm.index)
    ).values("block_id")
    stale = list(RenovationBlock.objects.select_for_update().filter(pk__in=stale_ids))
    BlockMembership.objects.filter(block__in=stale).update(active=False)
    changes = {"is_active": False, "status": Status.SUPERSEDED, "updated_at": now}
    RenovationBlock.objects.filter(pk__in=[b.pk for b in stale]).update(**changes)
    for b in stale:
        for field, value in changes.items():
            setattr(b, field, value)
    _history(stale, user=user, why=f"superseded by bundling run #{run.pk}", update=True)
    kept = list(carried.values())
    RenovationBlock.objects.filter(pk__in=[b.pk for b in kept]).update(
        run=run, updated_at=now
    )
    for b in kept:
        b.run, b.updated_at = run, now
    _history(
        kept, user=user, why=f"locked: kept in bundling run #{run.pk}", update=True
    )

    new = [int(i) not in carried for i in result.blocks.index]
    new_rows = result.blocks.loc[np.array(new, dtype=bool)]
    members = [list(m) for m in new_rows["members"]]
    totals = _block_totals(comm, members, gaps)
    cost = _basic_cost_per_household()
    group_col = GROUPS[run.parameters["group_by"]]
    names = comm["street_name" if group_col == "street_code" else "district_name"]
    geoms = outlines.geometry
    per_group: dict[str, int] = {}
    blocks = []
    for n, (block_id, row) in enumerate(new_rows.iterrows(), start=1):
        group = str(row["group"])
        per_group[group] = per_group.get(group, 0) + 1
        label = names.loc[members[n - 1][0]] or group
        block = RenovationBlock(
            code=f"R{run.pk}-B{n:03d}",
            name=f"{label}片区 {per_group[group]}",
            run=run,
            group_code=group,
            below_floor=bool(row["below_floor"]),
            geom=_multi(geoms.loc[block_id]),
            **totals[n - 1],
        )
        block.cost_estimate_yuan, block.cost_basis = _cost(block.households, cost)
        blocks.append(block)
    # Insert first, so that the database finds the nearby plots of every stored
    # outline at once; the history rows are written after, with the complete rows.
    RenovationBlock.objects.bulk_create(blocks)
    if blocks:
        nearby = _nearby_update([b.pk for b in blocks])
        for b in blocks:
            b.idle_land, b.vacant_housing = nearby[b.pk]
    _history(blocks, user=user, why=f"proposed by bundling run #{run.pk}", update=False)

    pk_by_code = dict(
        Community.objects.filter(code__in=list(comm.index)).values_list("code", "pk")
    )
    BlockMembership.objects.bulk_create(
        [
            BlockMembership(block=b, community_id=pk_by_code[c])
            for b, codes in zip(blocks, members, strict=True)
            for c in codes
        ]
    )
    return {
        "n_blocks": len(blocks) + len(carried),
        "n_new": len(blocks),
        "locked_kept": [b.code for b in kept],
        "superseded": [b.code for b in stale],
    }
