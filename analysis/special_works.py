"""Special works and renovation dug up once (最多改一次, 四(四)2): which works touch
which community or block, where the years conflict, and the joint year proposed.

The plan asks that the renovation of a community and the special works of other
departments and the utilities (雨污分流, 海绵城市, pipelines…) in it be done together:
the ground is opened once. Here a *target* is what a renovation project covers (one
community, or the communities of a 连片 block, as one footprint) with its planned year;
a *work* is an area or a line with its planned years ``[start_year, end_year]`` and its
status.

Touching
--------
A work touches a target when its geometry lies within ``buffer_m`` metres of the
target's footprint (``dwithin``, which includes crossing and lying inside). The default
10 m takes in a pipeline laid in the street along a community's fence, whose trench and
house connections open the community's edge.

Conflict and joint year (the rule)
----------------------------------
Works already *done* are listed but do not count: their ground is closed. For the
others, with ``Y`` the renovation year:

1. the target is **in conflict** when some counted work's years exclude ``Y`` (the same
   ground would be opened in different years); without a renovation year, when the
   counted works share no year among themselves;
2. the **joint year** ``J`` is, among ``Y`` and every year from the earliest start to
   the latest end of the counted works, the year that leaves (a) the fewest works
   *under way* outside it (they cannot move), then (b) the fewest *planned* works to
   reschedule, then (c) is nearest to ``Y``, then (d) is the earliest. So when every
   work's years include ``Y``, ``J = Y``; when the works share years that exclude
   ``Y``, the renovation moves to the nearest shared year; when they share none, the
   year that most of them allow, next to ``Y``;
3. when the renovation cannot move (its works have started: ``fixed``), ``J = Y`` and
   the works outside it are the ones to reschedule;
4. the works to **reschedule** are the counted works whose years exclude ``J``; the
   renovation moves when ``J != Y``.

Pure functions over GeoDataFrames in one metric CRS (the project SRID).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = [
    "DEFAULT_BUFFER_M",
    "DONE",
    "UNDER_WAY",
    "Schedule",
    "Window",
    "joint_schedule",
    "schedules",
    "touching",
]

#: a work this close to a footprint (metres) touches it
DEFAULT_BUFFER_M = 10.0
DONE = "done"
UNDER_WAY = "under_way"


@dataclass(frozen=True)
class Window:
    """One work's planned years (inclusive) and status."""

    code: str
    start_year: int
    end_year: int
    status: str = "planned"

    def allows(self, year: int) -> bool:
        return self.start_year <= year <= self.end_year


@dataclass(frozen=True)
class Schedule:
    """The joint schedule of one target."""

    year: int | None
    #: every touching work (done ones too), by code
    works: tuple[str, ...]
    conflict: bool
    #: the proposed joint year (None without counted works and renovation year)
    joint_year: int | None
    #: the counted works whose years exclude the joint year
    reschedule: tuple[str, ...] = field(default=())
    #: works under way outside the joint year (they cannot move: a residual conflict)
    blocked: tuple[str, ...] = field(default=())

    @property
    def renovation_moves(self) -> bool:
        return (
            self.year is not None
            and self.joint_year is not None
            and self.joint_year != self.year
        )


def joint_schedule(
    year: int | None, windows: Sequence[Window], *, fixed: bool = False
) -> Schedule:
    """The conflict and joint year of one target (the rule in the module text).

    Parameters
    ----------
    year
        The renovation year, or None when the target has none.
    windows
        The touching works' years and status.
    fixed
        The renovation year cannot move (its works have started).
    """
    for w in windows:
        if w.end_year < w.start_year:
            msg = f"work {w.code!r}: end year {w.end_year} before start {w.start_year}"
            raise ValueError(msg)
    codes = tuple(w.code for w in windows)
    live = [w for w in windows if w.status != DONE]
    if not live:
        return Schedule(year, codes, False, year)
    if year is not None:
        conflict = any(not w.allows(year) for w in live)
    else:
        conflict = max(w.start_year for w in live) > min(w.end_year for w in live)
    if fixed and year is not None:
        candidates = [year]
    else:
        lo = min(w.start_year for w in live)
        hi = max(w.end_year for w in live)
        candidates = sorted({*range(lo, hi + 1), *([year] if year is not None else [])})

    def cost(j: int) -> tuple[int, int, int, int]:
        blocked = sum(w.status == UNDER_WAY and not w.allows(j) for w in live)
        moved = sum(w.status != UNDER_WAY and not w.allows(j) for w in live)
        return (blocked, moved, abs(j - year) if year is not None else 0, j)

    joint = min(candidates, key=cost)
    return Schedule(
        year,
        codes,
        conflict,
        joint,
        reschedule=tuple(w.code for w in live if not w.allows(joint)),
        blocked=tuple(
            w.code for w in live if w.status == UNDER_WAY and not w.allows(joint)
        ),
    )


def _check(frame: gpd.GeoDataFrame, what: str, columns: Sequence[str]) -> None:
    if frame.crs is None or not frame.crs.is_projected:
        msg = f"{what}: a projected (metric) CRS is required, got {frame.crs}"
        raise ValueError(msg)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = f"{what}: missing columns {', '.join(missing)}"
        raise ValueError(msg)


def touching(
    targets: gpd.GeoDataFrame,
    works: gpd.GeoDataFrame,
    *,
    buffer_m: float = DEFAULT_BUFFER_M,
) -> pd.DataFrame:
    """The (target ``key``, work ``code``) pairs within ``buffer_m`` of each other.

    ``targets`` has a ``key`` column, ``works`` a ``code`` column; both in the same
    metric CRS. Rows in target order, then work code.
    """
    _check(targets, "targets", ["key"])
    _check(works, "works", ["code"])
    if targets.crs != works.crs:
        msg = f"targets and works in different CRS ({targets.crs}, {works.crs})"
        raise ValueError(msg)
    if buffer_m < 0:
        msg = "buffer_m must be >= 0"
        raise ValueError(msg)
    if not len(targets) or not len(works):
        return pd.DataFrame({"key": [], "code": []})
    tree = shapely.STRtree(np.asarray(works.geometry.to_numpy(), dtype=object))
    ti, wi = tree.query(
        np.asarray(targets.geometry.to_numpy(), dtype=object),
        predicate="dwithin",
        distance=buffer_m,
    )
    pairs = pd.DataFrame(
        {
            "t": ti,
            "key": targets["key"].to_numpy()[ti],
            "code": works["code"].to_numpy()[wi],
        }
    )
    pairs = pairs.sort_values(["t", "code"], kind="stable").drop(columns="t")
    return pairs.reset_index(drop=True)


def schedules(
    targets: gpd.GeoDataFrame,
    works: gpd.GeoDataFrame,
    *,
    buffer_m: float = DEFAULT_BUFFER_M,
) -> dict[object, Schedule]:
    """The joint schedule of every target that a work touches, by target ``key``.

    ``targets``: ``key``, ``year`` (renovation year, may be missing), optional
    ``fixed`` (bool); ``works``: ``code``, ``start_year``, ``end_year``, ``status``.
    """
    _check(works, "works", ["code", "start_year", "end_year", "status"])
    _check(targets, "targets", ["key", "year"])
    pairs = touching(targets, works, buffer_m=buffer_m)
    by_code = {
        str(r.code): Window(
            str(r.code), int(r.start_year), int(r.end_year), str(r.status)
        )
        for r in works[["code", "start_year", "end_year", "status"]].itertuples()
    }
    fixed = (
        targets["fixed"].astype(bool).to_numpy()
        if "fixed" in targets.columns
        else np.zeros(len(targets), dtype=bool)
    )
    info = {
        k: (None if pd.isna(y) else int(y), bool(f))
        for k, y, f in zip(targets["key"], targets["year"], fixed, strict=True)
    }
    out: dict[object, Schedule] = {}
    for key, group in pairs.groupby("key", sort=False):
        year, is_fixed = info[key]
        windows = [by_code[str(c)] for c in group["code"]]
        out[key] = joint_schedule(year, windows, fixed=is_fixed)
    return out
