"""The result of a life-circle computation, and where the communities entered the network."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.network import (
    NetworkEntry,
)
from analysis.walkshed.routing import FloatArray, IntArray

MODE_NETWORK = "network"


MODE_STRAIGHT = "straight_line"


# ------------------------------------------------------------------------ result
class LazyTables:
    """``missing``, ``by_street`` and ``by_district`` of a result, computed by its
    ``missing_of`` and ``aggregates`` callables when first read (a what-if reads
    none of them), then kept."""

    missing_of: Callable[[], pd.DataFrame]
    aggregates: Callable[[], tuple[pd.DataFrame, pd.DataFrame]]

    @cached_property
    def missing(self) -> pd.DataFrame:
        """Community × tier minutes: the missing categories (see the result's class)."""
        return self.missing_of()

    @cached_property
    def _aggregated(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return self.aggregates()

    @property
    def by_street(self) -> pd.DataFrame:
        """Residents-weighted aggregates per street (see the result's class)."""
        return self._aggregated[0]

    @property
    def by_district(self) -> pd.DataFrame:
        """Residents-weighted aggregates per district (see the result's class)."""
        return self._aggregated[1]


@dataclass(frozen=True)
class CommunityAccess:
    """Where the communities enter the network (their access points), kept with the
    result so that a what-if, the capacity step and siting route from the same
    entries without re-snapping."""

    ap_owner: IntArray
    ap_xy: FloatArray
    ap_entry: NetworkEntry | None
    community_attrs: pd.DataFrame


@dataclass(frozen=True, eq=False)
class FacilityPairs:
    """Every (facility, community) pair within the facility's category threshold,
    found by :func:`life_circle` for the categories it was asked for
    (``pair_categories``), in the routing pass itself: the capacity step's cost
    matrix (:func:`~analysis.walkshed.cost_pairs` of these facilities).

    Attributes
    ----------
    entry, xy, category
        The facilities (the reachable amenities of those categories, in the
        amenities' order): where they enter the network, their coordinates and
        category.
    source, community, distance_m
        One entry per pair: the facility's position in the above, the
        community's position and the walking distance.
    """

    entry: NetworkEntry
    xy: FloatArray
    category: npt.NDArray[np.object_]
    source: IntArray
    community: IntArray
    distance_m: FloatArray


@dataclass(frozen=True, eq=False)
class LifeCircleResult(LazyTables):
    """Result of :func:`life_circle` / :func:`what_if`.

    Attributes
    ----------
    distance_m
        Community × category walking distance in metres (index: community code;
        ``inf`` beyond the routing limit or when unreachable).
    covered
        Community × category: distance within the category's threshold.
    walk_tier
        Community × category: smallest tier (minutes) whose distance covers
        the facility, NaN beyond the largest tier ("the market is within a
        10-minute walk").
    tiers_met
        Community × tier minutes (bool): every required category of tier
        ``<= T`` is covered (cumulative, see :mod:`analysis.rules`).
    missing
        Community × tier minutes: tuple of the required category codes of tier
        ``<= T`` that are not covered.
    score
        Coverage score 0-100 per community: share of the required categories
        (of those analysed) that are covered, each weighted equally.
    by_street, by_district
        Residents-weighted aggregates: ``communities``, ``residents``,
        ``residents_tier_<T>min`` (residents of communities meeting tier T),
        ``share_tier_<T>min``, ``residents_lacking_<code>`` (residents of
        communities where the category is not covered) and ``mean_score``
        (residents-weighted).
    unreachable_amenities
        Amenities farther than the snap limit from the network: ``code``,
        ``category``, ``distance_to_network_m``.
    unreachable_communities
        Communities with no access point within the snap limit: ``code``,
        ``distance_to_network_m`` (of the closest access point).
    islands
        The network components left out of snapping (fewer than
        ``min_component_nodes`` nodes), largest first: ``component``, ``nodes``,
        ``edges``, ``length_m``, ``amenities_nearest`` and ``access_points_nearest``
        (points whose nearest edge was on that island and that snapped to the main
        network, or stayed unreachable, instead) and the island's lines
        (``geometry``, network CRS). Empty in straight-line mode.
    thresholds_m
        Category → threshold in metres used for ``covered``.
    limit_m
        Routing limit in metres.
    mode
        ``"network"`` or ``"straight_line"``.
    parameters
        JSON-friendly parameters that produced the result.
    pairs
        The facility-community pairs of the categories asked for
        (:class:`FacilityPairs`), else ``None``.
    """

    distance_m: pd.DataFrame
    covered: pd.DataFrame
    walk_tier: pd.DataFrame
    tiers_met: pd.DataFrame
    #: computes ``missing``, called once when it is first read
    missing_of: Callable[[], pd.DataFrame] = field(repr=False)
    score: pd.Series
    #: computes ``(by_street, by_district)``, called once when either is first read
    #: (a picklable callable: ``functools.partial`` of a module function)
    aggregates: Callable[[], tuple[pd.DataFrame, pd.DataFrame]] = field(repr=False)
    unreachable_amenities: pd.DataFrame
    unreachable_communities: pd.DataFrame
    islands: gpd.GeoDataFrame
    thresholds_m: pd.Series
    limit_m: float
    mode: str
    parameters: dict[str, Any]
    access: CommunityAccess = field(repr=False)
    pairs: FacilityPairs | None = field(default=None, repr=False)

    @property
    def straight_line(self) -> bool:
        """``True`` when distances are Euclidean, not network distances."""
        return self.mode == MODE_STRAIGHT
