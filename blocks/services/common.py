"""What bundling runs and planner edits share: parameters, block figures (households, cost, idle land nearby), history."""

from __future__ import annotations

from collections.abc import Sequence
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
from django.db import connection
from django.db.models import Func, JSONField, OuterRef, Q

from accounts import permissions
from analysis.bundling import (
    SHARED_GAP_SHARE,
)
from blocks import selectors
from blocks.models import BlockMembership, RenovationBlock
from layers.dbcopy import insert_history
from layers.models import (
    Availability,
    District,
    IdleLand,
    Street,
    VacantHousing,
)

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


def _history(
    blocks: list[RenovationBlock], *, user: Any, why: str, update: bool
) -> None:
    """One history row per block, as ``save()`` writes it (``~`` update, ``+`` insert)."""
    insert_history(
        RenovationBlock, blocks, update=update, user=_user(user), reason=why[:100]
    )
