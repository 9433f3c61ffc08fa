"""Supply per facility (from its attributes or the rule set's standard, with the source of each figure) and demand per community."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.capacity.e2sfca import FloatArray
from analysis.eligibility import select_in_force
from analysis.rules import CapacityStandard, RuleSet

BASIS_ATTRIBUTE = "attribute"


BASIS_FLOOR_AREA = "floor_area"


BASIS_STANDARD = "standard"


UNIT_NAMES = {"places": "个学位/托位", "beds": "张床位", "m2": "m²"}


# ---------------------------------------------------------------- supply, demand
def facility_supply(amenities: pd.DataFrame, ruleset: RuleSet) -> pd.DataFrame:
    """Each facility's supply in its category's unit, and where the figure comes from.

    Parameters
    ----------
    amenities
        ``category`` and optional ``capacity`` (places or beds) and
        ``floor_area_m2`` columns; rows of categories without a capacity
        standard are returned with NaN supply.
    ruleset
        Gives each category's :class:`~analysis.rules.CapacityStandard`.

    Returns
    -------
    pandas.DataFrame
        Same index: ``supply`` (float), ``unit``, ``basis``
        (:data:`BASIS_ATTRIBUTE`, :data:`BASIS_FLOOR_AREA`,
        :data:`BASIS_STANDARD`) and ``note`` (how the figure was obtained, with
        the standard's source).

    Notes
    -----
    In order: the ``capacity`` attribute where the unit is places or beds; the
    floor area, as is for m², divided by ``m2_per_unit`` for places and beds;
    else one facility of the standard, ``service_population * per_1000 / 1000``.
    """
    n = len(amenities)
    cat = amenities["category"].astype(str).to_numpy()
    cap = (
        pd.to_numeric(amenities["capacity"], errors="coerce").to_numpy(float)
        if "capacity" in amenities.columns
        else np.full(n, np.nan)
    )
    area = (
        pd.to_numeric(amenities["floor_area_m2"], errors="coerce").to_numpy(float)
        if "floor_area_m2" in amenities.columns
        else np.full(n, np.nan)
    )
    supply = np.full(n, np.nan)
    unit = np.full(n, "", dtype=object)
    basis = np.full(n, "", dtype=object)
    note = np.full(n, "", dtype=object)
    for code in np.unique(cat):
        if code not in ruleset.codes:
            continue
        std = ruleset.rule(code).capacity
        if std is None:
            continue
        rows = np.flatnonzero(cat == code)
        unit[rows] = std.unit
        src = std.source_clause
        has_cap = np.isfinite(cap[rows]) & (cap[rows] >= 0) & (std.unit != "m2")
        has_area = ~has_cap & np.isfinite(area[rows]) & (area[rows] > 0)
        if std.unit != "m2" and std.m2_per_unit is None:
            has_area[:] = False
        rest = ~has_cap & ~has_area
        r = rows[has_cap]
        supply[r] = cap[r]
        basis[r] = BASIS_ATTRIBUTE
        note[r] = [f"{v:g} {UNIT_NAMES[std.unit]} (设施属性 capacity)" for v in cap[r]]
        r = rows[has_area]
        if std.unit == "m2":
            supply[r] = area[r]
            note[r] = [f"{v:g} m² (设施属性 floor_area_m2)" for v in area[r]]
        else:
            per = float(std.m2_per_unit)  # type: ignore[arg-type]
            supply[r] = area[r] / per
            note[r] = [
                f"由建筑面积 {v:g} m² 按 {per:g} m²/{UNIT_NAMES[std.unit]} 估算 "
                f"(estimated from floor area; {src})"
                for v in area[r]
            ]
        basis[r] = BASIS_FLOOR_AREA
        r = rows[rest]
        if std.service_population is not None:
            value = std.service_population * std.per_person
            supply[r] = value
            basis[r] = BASIS_STANDARD
            note[r] = (
                f"按标准估算 {value:g} {UNIT_NAMES[std.unit]}: 每处服务 "
                f"{std.service_population:g} 人 × {std.per_1000:g}/千人 "
                f"(estimated from the standard; {src})"
            )
    return pd.DataFrame(
        {"supply": supply, "unit": unit, "basis": basis, "note": note},
        index=amenities.index,
    )


def target_shares(data: Mapping[str, Any], on: dt.date) -> dict[str, Any]:
    """The target-group shares in force on a day (``fixtures/lifecircle/population_shares.json``).

    Parameters
    ----------
    data
        ``{"versions": [...]}``, each version with ``effective_from``,
        ``effective_to``, ``default`` (group → share) and ``districts``
        (district code → group → share).
    on
        The day of the analysis.

    Returns
    -------
    dict
        The version in force (``id``, ``default``, ``districts``, ``source``).

    Raises
    ------
    ValueError
        When no version or several are in force, or a share is not in [0, 1].
    """
    version = dict(select_in_force(data, on))
    tables = [version.get("default") or {}, *(version.get("districts") or {}).values()]
    for table in tables:
        for group, share in table.items():
            if isinstance(share, bool) or not isinstance(share, int | float):
                msg = f"share of {group!r} must be a number, got {share!r}."
                raise ValueError(msg)
            if not 0 <= float(share) <= 1:
                msg = f"share of {group!r} must be within [0, 1], got {share!r}."
                raise ValueError(msg)
    return version


def community_demand(
    residents: npt.ArrayLike,
    district_code: npt.ArrayLike,
    standard: CapacityStandard,
    shares: Mapping[str, Any] | None,
) -> tuple[FloatArray, FloatArray]:
    """Persons of the demand group per community.

    Parameters
    ----------
    residents
        Residents per community (NaN counts as 0).
    district_code
        District of each community.
    standard
        The category's standard (its ``target_group``).
    shares
        A version of :func:`target_shares`; needed when the standard has a
        target group.

    Returns
    -------
    tuple
        ``(demand, share)``: persons of the group and the share used, per
        community (share 1 without a target group).

    Raises
    ------
    ValueError
        When a target group is needed and ``shares`` gives no share for it.
    """
    res = np.nan_to_num(np.asarray(residents, dtype=float), nan=0.0)
    group = standard.target_group
    if group is None:
        return res, np.ones(res.shape)
    if shares is None:
        msg = f"target-group shares are needed for {group!r}."
        raise ValueError(msg)
    default = (shares.get("default") or {}).get(group)
    by_district = shares.get("districts") or {}
    codes = np.asarray(district_code, dtype=object).astype(str)
    share = np.full(res.shape, np.nan)
    for code in np.unique(codes):
        value = (by_district.get(code) or {}).get(group, default)
        share[codes == code] = np.nan if value is None else float(value)
    if np.isnan(share).any():
        msg = f"no share of {group!r} for districts {sorted(set(codes[np.isnan(share)]))}."
        raise ValueError(msg)
    return res * share, share
