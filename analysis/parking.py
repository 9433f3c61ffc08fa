"""Parking (三(一) 停车设施, issue 19 part 3): spaces, demand and the gap per community
and per block, and what an idle plot could hold.

Demand is households × a ratio (spaces per household) that depends on the housing type
and the district, read from a dated version of ``fixtures/lifecircle/parking_ratios.json``
(the version in force on the day, as for the target-group shares). Spaces are the
surveyed spaces of the community (``Community.parking_spaces``); a community whose
spaces were not surveyed has an unknown gap (NaN), never a gap of its whole demand.

Conventions
-----------
- ``demand = round_half_up(households × ratio)`` whole spaces. The planner's tiles
  compute the same in SQL (``round(numeric)`` rounds half away from zero, as here);
  tests/planner/test_parking_tiles.py holds the two equal.
- ``gap = demand − spaces``: positive is a shortage, negative a surplus.
- A plot holds ``floor(area / m2_per_space)`` surface spaces; GB/T 51149-2016
  (城市停车规划规范) puts a surface car park at 25–30 m² per space including aisles,
  :data:`SPACE_M2` takes the upper end.
- A plot given over to parking reduces the shortage of the communities within walking
  distance by at most its spaces: ``min(spaces, Σ shortage in reach)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from analysis.eligibility.dated import select_in_force

__all__ = [
    "MAX_RATIO",
    "PARKING_WALK_M",
    "SPACE_M2",
    "block_parking",
    "community_parking",
    "demand_ratios",
    "gap_reduced",
    "parking_version",
    "plot_spaces",
    "prefer_parking",
    "set_gap_reduced",
]

#: surface car park, m² per space with aisles (GB/T 51149-2016: 25–30 m²)
SPACE_M2: Final = 30.0
#: how far residents walk from their car: a plot serves the communities within this walk
PARKING_WALK_M: Final = 300.0
#: a ratio above this is a typing error, not a city (spaces per household)
MAX_RATIO: Final = 3.0


def parking_version(data: Mapping[str, Any], on: dt.date) -> dict[str, Any]:
    """The demand ratios in force on a day.

    Parameters
    ----------
    data
        ``{"versions": [...]}``; each version has ``effective_from``, ``effective_to``,
        ``default`` (housing type → spaces per household) and ``districts`` (district
        code → housing type → ratio, overriding the default).
    on
        The day of the figures.

    Returns
    -------
    dict
        The version in force (``id``, ``default``, ``districts``, ``source``…).

    Raises
    ------
    ValueError
        When no version or several are in force, a ratio is not a number in
        [0, :data:`MAX_RATIO`], or the default table is empty.
    """
    version = dict(select_in_force(data, on))
    if not version.get("default"):
        msg = f"parking ratios {version.get('id')!r} have no default table."
        raise ValueError(msg)
    tables = [version["default"], *(version.get("districts") or {}).values()]
    for table in tables:
        for kind, ratio in table.items():
            if isinstance(ratio, bool) or not isinstance(ratio, int | float):
                msg = f"parking ratio of {kind!r} must be a number, got {ratio!r}."
                raise ValueError(msg)
            if not 0 <= float(ratio) <= MAX_RATIO:
                msg = f"parking ratio of {kind!r} must be within [0, {MAX_RATIO}], got {ratio!r}."
                raise ValueError(msg)
    return version


def demand_ratios(
    housing_type: npt.ArrayLike,
    district_code: npt.ArrayLike,
    version: Mapping[str, Any],
) -> np.ndarray:
    """Spaces per household of each community: its district's ratio for its housing
    type, else the default ratio for it, else the default's ``"*"`` (NaN if none)."""
    kinds = np.asarray(housing_type, dtype=object)
    codes = np.asarray(district_code, dtype=object)
    default = version.get("default") or {}
    districts = version.get("districts") or {}
    out = np.full(kinds.shape, np.nan)
    for i, (kind, code) in enumerate(zip(kinds, codes, strict=True)):
        table = districts.get(str(code)) or {}
        ratio = table.get(kind, default.get(kind, default.get("*")))
        if ratio is not None:
            out[i] = float(ratio)
    return out


def _round_half_up(x: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(x), np.nan, np.floor(np.abs(x) + 0.5) * np.sign(x))


def community_parking(
    households: npt.ArrayLike,
    housing_type: npt.ArrayLike,
    district_code: npt.ArrayLike,
    spaces: npt.ArrayLike,
    version: Mapping[str, Any],
) -> pd.DataFrame:
    """Spaces, demand and gap of each community.

    Parameters
    ----------
    households, housing_type, district_code
        Per community.
    spaces
        Surveyed spaces per community; NaN (or None) where not surveyed.
    version
        The ratios in force (:func:`parking_version`).

    Returns
    -------
    pandas.DataFrame
        One row per community, in input order: ``ratio``, ``demand`` (whole spaces),
        ``spaces`` (NaN: not surveyed), ``gap`` (demand − spaces, NaN when spaces are
        unknown) and ``shortage`` (the positive part of the gap, NaN when unknown).
    """
    hh = np.asarray(households, dtype=float)
    if (hh < 0).any():
        msg = "households must be non-negative."
        raise ValueError(msg)
    have = np.asarray(pd.to_numeric(pd.Series(spaces, dtype=object), errors="coerce"))
    have = have.astype(float)
    if (have[~np.isnan(have)] < 0).any():
        msg = "parking spaces must be non-negative."
        raise ValueError(msg)
    ratio = demand_ratios(housing_type, district_code, version)
    demand = _round_half_up(hh * ratio)
    gap = demand - have
    return pd.DataFrame(
        {
            "ratio": ratio,
            "demand": demand,
            "spaces": have,
            "gap": gap,
            "shortage": np.where(np.isnan(gap), np.nan, np.maximum(gap, 0.0)),
        }
    )


def block_parking(block_code: Sequence[Any], figures: pd.DataFrame) -> pd.DataFrame:
    """The communities' figures summed per block.

    Parameters
    ----------
    block_code
        The block of each row of ``figures`` (None or "" for none: left out).
    figures
        :func:`community_parking`'s frame.

    Returns
    -------
    pandas.DataFrame
        Indexed by block code: ``communities``, ``surveyed`` (communities with known
        spaces), ``demand``, ``spaces`` (surveyed ones), ``gap`` (demand of the surveyed
        communities − their spaces) and ``shortage`` (Σ of the communities' shortages:
        one community's surplus does not park another's cars across the block).
    """
    codes = pd.Series(list(block_code), index=figures.index, dtype=object)
    df = figures.assign(block=codes)
    df = df[df["block"].notna() & (df["block"] != "")]
    known = df["spaces"].notna()
    grouped = df.groupby("block", sort=True)
    out = pd.DataFrame(
        {
            "communities": grouped.size(),
            "surveyed": known.groupby(df["block"]).sum(),
            "demand": grouped["demand"].sum(),
            "spaces": df.loc[known].groupby("block")["spaces"].sum(),
            "gap": df.loc[known].groupby("block")["gap"].sum(),
            "shortage": df.loc[known].groupby("block")["shortage"].sum(),
        }
    )
    out.index.name = "block"
    return out.fillna({"surveyed": 0, "spaces": 0.0}).astype({"surveyed": int})


def plot_spaces(area_m2: npt.ArrayLike, m2_per_space: float = SPACE_M2) -> np.ndarray:
    """Surface spaces a plot of ``area_m2`` holds (0 for an unknown or empty area)."""
    if not m2_per_space > 0:
        msg = f"m2_per_space must be positive, got {m2_per_space!r}."
        raise ValueError(msg)
    area = np.asarray(area_m2, dtype=float)
    return np.where(np.isfinite(area) & (area > 0), np.floor(area / m2_per_space), 0.0)


def gap_reduced(
    spaces: npt.ArrayLike, cover: sp.csr_matrix, shortage: npt.ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """What each plot would take off the parking shortage if given over to parking.

    Parameters
    ----------
    spaces
        Spaces each plot holds (:func:`plot_spaces`), one per row of ``cover``.
    cover
        Plot × community: nonzero where the community is within walking distance.
    shortage
        Each community's shortage (NaN: unknown, counted as 0).

    Returns
    -------
    (reduced, in_reach)
        Per plot, ``min(spaces, Σ shortage in reach)`` and ``Σ shortage in reach``.
    """
    s = np.nan_to_num(np.asarray(shortage, dtype=float), nan=0.0)
    reach = (cover != 0).astype(float) @ s if cover.shape[0] else np.zeros(0)
    reach = np.asarray(reach, dtype=float).ravel()
    return np.minimum(np.asarray(spaces, dtype=float), reach), reach


def prefer_parking(
    gain_residents: npt.ArrayLike, reduced: npt.ArrayLike, weight: float
) -> np.ndarray:
    """Plots better given over to parking: ``weight × spaces of shortage removed`` above
    the residents the amenity would newly serve (a weight of 0: never)."""
    if not weight >= 0:
        msg = f"the parking weight must be non-negative, got {weight!r}."
        raise ValueError(msg)
    gain = np.asarray(gain_residents, dtype=float)
    red = np.asarray(reduced, dtype=float)
    return (weight > 0) & (weight * red > gain)


def set_gap_reduced(
    rows: npt.ArrayLike,
    spaces: npt.ArrayLike,
    cover: sp.csr_matrix,
    shortage: npt.ArrayLike,
) -> float:
    """At most how much of the shortage a set of plots (``rows`` of ``cover``) removes
    if all are given over to parking: ``min(Σ their spaces, Σ shortage of the
    communities any of them reaches)``, so that a community reached by two plots is not
    counted twice. An upper bound: which cars park where is not solved."""
    idx = np.asarray(rows, dtype=np.int64)
    if idx.size == 0:
        return 0.0
    s = np.nan_to_num(np.asarray(shortage, dtype=float), nan=0.0)
    reached = np.unique(cover[idx].nonzero()[1])
    total = float(np.asarray(spaces, dtype=float)[idx].sum())
    return float(min(total, s[reached].sum()))
