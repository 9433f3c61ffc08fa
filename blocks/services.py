"""Bundling runs and the planner's edits of renovation blocks (连片改造, 四(四)).

:func:`bundle_run` reads the layers, calls the pure
:func:`analysis.bundling.bundle_blocks` and stores one
:class:`~blocks.models.RenovationBlock` per block. The planner then edits blocks with
``block_accept``, ``block_lock``/``block_unlock``, ``block_merge``, ``block_split``
and ``block_move_community``. Each edit is checked first and raises
``ValidationError`` with a clear message before anything is written (the database is
then unchanged); each change is saved with django-simple-history, with the user and
the reason (``_change_reason``).

Decisions (first version, documented here):

- *Scope.* A run covers the communities of ``district``/``street`` (all when
  ``None``). Active, unlocked blocks with a member in that scope are superseded.
  Active locked blocks whose members are all in scope are passed to
  ``bundle_blocks`` as ``locked`` and carried over into the new run unchanged (same
  code and members); members of any locked block are never re-bundled.
- *Idle plots and vacant housing* "inside or within walking distance" are those with
  status ``available`` within :data:`NEARBY_M` (300 m, the 5-minute walking distance
  of the default rule set) of the block outline, straight line.
- *Cost.* When the ``programme`` app and its works catalogue exist, the basic works
  estimate is households × Σ(unit cost of every basic, non-special catalogue item),
  i.e. one unit of each basic item per household. The catalogue's costs are
  illustrative; the figure is an order of magnitude for comparing blocks, not a
  budget. Otherwise ``null``.
- *Planner edits* keep the run's adjacency (its ``gap_m`` and barriers) and its
  household ceiling; they don't enforce the floor (a planner may keep a small block).
  Locked blocks must be unlocked before they are edited. An edited accepted block
  goes back to ``proposed``.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import shapely
from django.apps import apps
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.contrib.gis.measure import D
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Func, JSONField, OuterRef, Q
from django.utils import timezone
from scipy.sparse import csgraph

from accounts import permissions
from analysis.adjacency import community_adjacency
from analysis.bundling import (
    DEFAULT_MAX_HOUSEHOLDS,
    DEFAULT_MIN_HOUSEHOLDS,
    SHARED_GAP_SHARE,
    bundle_blocks,
    dissolve_blocks,
)
from layers import frames
from layers.dbcopy import insert_history
from layers.models import (
    Availability,
    Community,
    District,
    IdleLand,
    Street,
    VacantHousing,
)
from programme import scope
from runs.lifecycle import run_recorded
from runs.models import AnalysisRun
from runs.registry import kwargs_of

from . import selectors
from .models import BlockMembership, RenovationBlock

ENGINE = "analysis.bundling.bundle_blocks (components + SKATER-style SSD)"
#: Walking distance (m) within which idle plots and vacant housing count for a block.
NEARBY_M = 300.0
GROUPS = {"street": "street_code", "district": "district_code"}
#: the parameters :func:`_validate_params` checks
_VALIDATED = (
    "district",
    "street",
    "selected",
    "group_by",
    "gap_m",
    "min_households",
    "max_households",
    "min_communities",
    "max_communities",
    "barrier_road_class",
)
Status = RenovationBlock.Status


# --------------------------------------------------------------------------- helpers
_user = permissions.user_of


def _save(obj: Any, *, user: Any, why: str) -> None:
    obj._change_reason = why[:100]
    obj._history_user = _user(user)
    obj.save()


def _check_blocks(
    user: Any, what: str, *blocks: RenovationBlock, community: Any = None
) -> None:
    """Planners only; a district planner only on blocks (and a community) whose
    members all lie in their district."""
    actor = permissions.require(user, permissions.PLANNERS, what)
    if actor.city_wide:
        return
    districts = set(
        BlockMembership.objects.filter(
            block__in=[b.pk for b in blocks], active=True
        ).values_list("community__district_id", flat=True)
    )
    if community is not None:
        districts.add(community.district_id)
    for district_id in districts or {None}:
        permissions.check_district(user, district_id, what)


def _multi(geom: Any) -> MultiPolygon:
    g = GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=settings.SRID)
    if g.geom_type == "Polygon":
        g = MultiPolygon(g, srid=settings.SRID)
    return g


def _num(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


def _int(value: Any) -> int | None:
    v = _num(value)
    return None if v is None else round(v)


def _basic_cost_per_household() -> tuple[Decimal | None, dict[str, Any]]:
    """Σ unit cost of the basic catalogue items (one unit of each per household)."""
    if not apps.is_installed("programme"):
        return None, {}
    works = apps.get_model("programme", "WorksItem")
    if works._meta.db_table not in connection.introspection.table_names():
        return None, {}
    items = list(
        works.objects.filter(category="basic", special_item="").values_list(
            "code", "unit_cost", "catalogue_version"
        )
    )
    if not items:
        return None, {}
    per_household = sum((Decimal(c) for _, c, _ in items), Decimal(0))
    return per_household, {
        "method": "households × Σ basic item unit costs (one unit each per household)",
        "per_household_yuan": str(per_household),
        "items": [code for code, _, _ in items],
        "catalogue_version": items[0][2],
        "illustrative": True,
    }


def _nearby(geom: MultiPolygon) -> tuple[list[str], list[str]]:
    """Available idle plots and vacant housing within :data:`NEARBY_M` of ``geom``."""
    ok = {"status": Availability.AVAILABLE, "geom__dwithin": (geom, D(m=NEARBY_M))}
    idle = list(IdleLand.objects.filter(**ok).values_list("code", flat=True))
    vacant = list(VacantHousing.objects.filter(**ok).values_list("code", flat=True))
    return idle, vacant


def _nearby_update(pks: Sequence[int]) -> dict[int, tuple[list[str], list[str]]]:
    """Store :func:`_nearby` of the stored outlines of blocks ``pks`` in one UPDATE.

    The same ``dwithin`` lookup as :func:`_nearby`, with the block outline as the
    outer reference of a correlated array subquery per layer (one GiST index probe
    per block and layer), codes in the models' order (``code``). Returns the
    stored lists by block pk (one more query).
    """

    def codes(model: Any) -> Func:
        near = model.objects.filter(
            status=Availability.AVAILABLE,
            geom__dwithin=(OuterRef("geom"), D(m=NEARBY_M)),
        )
        array = ArraySubquery(near.order_by("code").values("code"))
        return Func(array, function="to_jsonb", output_field=JSONField())

    blocks = RenovationBlock.objects.filter(pk__in=list(pks))
    blocks.update(idle_land=codes(IdleLand), vacant_housing=codes(VacantHousing))
    rows = blocks.values_list("pk", "idle_land", "vacant_housing")
    return {pk: (idle, vacant) for pk, idle, vacant in rows}


def _barriers(params: dict[str, Any]):
    if not params.get("use_barriers", True):
        return None
    return selectors.barrier_series(road_class=params.get("barrier_road_class"))


def _block_totals(
    frame: pd.DataFrame,
    blocks: Sequence[Sequence[str]],
    gaps: pd.DataFrame | None,
) -> list[dict[str, Any]]:
    """Totals and shared gaps of each block, from its members' rows in ``frame``.

    Parameters
    ----------
    frame
        Communities indexed by code (``households``, ``residents``,
        ``floor_area_m2``, ``completion_year``, ``dangerous_c``, ``dangerous_d``).
    blocks
        Member codes of each block; sums run in this order.
    gaps
        Community code × category, ``True`` where missing (or ``None``).

    Returns
    -------
    list of dict
        Per block, the :class:`~blocks.models.RenovationBlock` field values.

    Notes
    -----
    The columns are converted to arrays once and each block reads its rows by
    position, which gives the same numbers as converting each block's slice: the
    conversion is element-wise, and a block's sum adds the same values in the same
    order. A category is shared by all members when its share is 1 and by most
    when the share exceeds ``SHARED_GAP_SHARE``; missing gap rows count as not
    missing.
    """

    def col(
        name: str, *, coerce: bool = False, fill: float | None = None
    ) -> np.ndarray:
        values = pd.to_numeric(frame[name], errors="coerce" if coerce else "raise")
        if fill is not None:
            values = values.fillna(fill)
        return values.to_numpy(dtype=float, na_value=np.nan)

    households = col("households")
    residents = col("residents", coerce=True)
    floor_area = col("floor_area_m2", fill=0)
    years = col("completion_year", coerce=True)
    dangerous_c = col("dangerous_c", fill=0)
    dangerous_d = col("dangerous_d", fill=0)
    if gaps is not None:
        categories = list(gaps.columns)
        missing = gaps.reindex(frame.index).fillna(value=False).astype(float).to_numpy()

    row_of = {code: i for i, code in enumerate(frame.index)}
    out = []
    for codes in blocks:
        pos = np.array([row_of[c] for c in codes], dtype=np.intp)
        res = residents[pos]
        res = res[~np.isnan(res)]
        yrs = years[pos]
        yrs = yrs[~np.isnan(yrs)]
        totals = {
            "member_codes": sorted(codes),
            "n_communities": len(pos),
            "households": int(np.nansum(households[pos])),
            "residents": int(res.sum()) if res.size else None,
            "floor_area_m2": float(floor_area[pos].sum()),
            "completion_year_min": _int(yrs.min()) if yrs.size else None,
            "completion_year_max": _int(yrs.max()) if yrs.size else None,
            "dangerous_buildings": int(dangerous_c[pos].sum() + dangerous_d[pos].sum()),
            "gaps_all": [],
            "gaps_most": [],
        }
        if gaps is not None and len(pos):
            share = missing[pos].sum(axis=0) / len(pos)
            pairs = list(zip(categories, share, strict=True))
            totals["gaps_all"] = [c for c, s in pairs if s >= 1.0]
            totals["gaps_most"] = [c for c, s in pairs if s > SHARED_GAP_SHARE]
        out.append(totals)
    return out


def _cost(
    households: int, cost: tuple[Decimal | None, dict[str, Any]]
) -> tuple[Decimal | None, dict[str, Any]]:
    per_household, basis = cost
    return (None if per_household is None else per_household * households), basis


def _fill(
    block: RenovationBlock,
    members: pd.DataFrame,
    geom: Any,
    gaps: pd.DataFrame | None,
    cost: tuple[Decimal | None, dict[str, Any]],
) -> None:
    """Set the block's totals, outline, shared gaps, nearby plots and cost from its members."""
    (totals,) = _block_totals(members, [list(members.index)], gaps)
    for field, value in totals.items():
        setattr(block, field, value)
    block.geom = _multi(geom)
    block.idle_land, block.vacant_housing = _nearby(block.geom)
    block.cost_estimate_yuan, block.cost_basis = _cost(block.households, cost)


def _validate_params(
    *,
    district: str | None = None,
    street: str | None = None,
    selected: Any = None,
    group_by: str,
    gap_m: float,
    min_households: float,
    max_households: float,
    min_communities: int,
    max_communities: int | None,
    barrier_road_class: str | None,
) -> None:
    errors = []
    if group_by not in GROUPS:
        errors.append(f"group_by 须为 street 或 district / got {group_by!r}")
    if not (np.isfinite(gap_m) and 0 <= gap_m <= 500):
        errors.append(f"gap_m 须在 0–500 米之间 / gap_m must be in [0, 500] m: {gap_m}")
    if not 0 <= min_households <= max_households:
        errors.append(
            "户数下限须不大于上限 / need 0 <= min_households <= max_households: "
            f"{min_households}, {max_households}"
        )
    if min_communities < 1 or (
        max_communities is not None and max_communities < min_communities
    ):
        errors.append(
            "小区数上下限无效 / need 1 <= min_communities <= max_communities: "
            f"{min_communities}, {max_communities}"
        )
    if barrier_road_class not in (None, *selectors.ROAD_CLASSES):
        errors.append(
            f"barrier_road_class 须为 {selectors.ROAD_CLASSES} 之一 / "
            f"got {barrier_road_class!r}"
        )
    if isinstance(selected, str) and selected != "eligible":
        errors.append(f"selected 须为 eligible 或小区编码列表 / got {selected!r}")
    if errors:
        raise ValidationError(errors)
    if (
        district
        and not District.objects.filter(Q(code=district) | Q(name=district)).exists()
    ):
        msg = f"未知区县 / unknown district: {district}"
        raise ValidationError(msg)
    if street and not Street.objects.filter(Q(code=street) | Q(name=street)).exists():
        msg = f"未知街道 / unknown street: {street}"
        raise ValidationError(msg)


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


def _history(
    blocks: list[RenovationBlock], *, user: Any, why: str, update: bool
) -> None:
    """One history row per block, as ``save()`` writes it (``~`` update, ``+`` insert)."""
    insert_history(
        RenovationBlock, blocks, update=update, user=_user(user), reason=why[:100]
    )


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
        try:
            community = Community.objects.get(code=community)
        except Community.DoesNotExist as exc:
            msg = f"未知小区 / unknown community: {community}"
            raise ValidationError(msg) from exc
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
