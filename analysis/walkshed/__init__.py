"""The 15-minute life-circle engine: walking distance from communities to facilities.

Array core
    :func:`nearest_distance` runs **one** multi-source Dijkstra per facility
    category (``scipy.sparse.csgraph.dijkstra`` with ``min_only=True`` and a
    distance ``limit``) and returns the distance from every node to the nearest
    facility. No per-community loops over Dijkstra: the search runs from the
    facilities outwards, and communities read the distance at the nodes of the
    edges they are snapped to.

Adapters
    :func:`life_circle` (GeoDataFrames + :class:`~analysis.rules.RuleSet`
    in, :class:`LifeCircleResult` out) and :func:`what_if` (add facilities to a
    stored result and recompute only the affected categories).

Distance definition (network mode). For a facility ``f`` snapped to edge ``e``
at ``along`` metres from ``e``'s start node with offset ``o_f`` (straight line
from the facility to the edge) and a community access point ``a`` snapped to
edge ``e'`` at ``t`` with offset ``o_a``::

    d(a, f) = o_f + network path between the two snapped points + o_a

The snapped facility enters the graph through both end nodes of its edge with
initial costs ``o_f + along`` and ``o_f + (length - along)``; these *source
offsets* are handled by a virtual super-source row appended to the csr matrix
(one extra node joined to every seed node by an edge of weight = offset), so a
single Dijkstra from that row gives the offset-aware minimum. An access point
reads ``min(D[u'] + t, D[v'] + length' - t) + o_a``; when facility and access
point share an edge, the direct ``|along - t|`` along the edge is also taken.
A community's distance is the minimum over its access points. Distances above
the routing limit (the largest tier distance, 1000 m by default) are ``inf``.

Straight-line mode (``network=None``) uses Euclidean distance from access
points to facilities (cKDTree); the result says so (``mode``), because
straight lines over-claim coverage across rivers and barriers (LIFECIRCLE.md,
"Euclidean buffers over-claim coverage").

Tiers, thresholds and the score follow :mod:`analysis.rules`: a
category is *covered* when its distance is within its own threshold, and a
community meets tier T when every required category of tier ``<= T`` is covered
(GB 50180-2018, facility sets are cumulative; LIFECIRCLE.md §1.1)."""

from __future__ import annotations

from analysis.walkshed.circle import life_circle, what_if
from analysis.walkshed.pairs import cost_pairs
from analysis.walkshed.result import (
    MODE_NETWORK,
    MODE_STRAIGHT,
    CommunityAccess,
    FacilityPairs,
    LifeCircleResult,
)
from analysis.walkshed.routing import nearest_distance
from analysis.walkshed.tables import (
    aggregates,
    coverage_core,
    coverage_tables,
    missing_table,
)

__all__ = [
    "CommunityAccess",
    "FacilityPairs",
    "LifeCircleResult",
    "MODE_NETWORK",
    "MODE_STRAIGHT",
    "cost_pairs",
    "aggregates",
    "coverage_core",
    "coverage_tables",
    "life_circle",
    "missing_table",
    "nearest_distance",
    "what_if",
]
