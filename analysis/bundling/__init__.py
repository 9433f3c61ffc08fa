"""Group adjacent communities into contiguous renovation blocks (连片改造, 片区).

Policy 四(四) asks districts to renovate neighbouring communities together
(连片改造). This module turns selected 小区 into blocks (片区) that are

- contiguous under the fuzzy adjacency of :mod:`analysis.adjacency`
  (boundaries within ``gap_m`` metres, not separated by a barrier);
- inside one administrative group (``street_code`` by default: a block never
  crosses a 街道 or district boundary);
- within a household floor and ceiling, and optionally a community-count ceiling.

Two layers, as in spopt (STYLE.md §2.I, §4.3 #5): :func:`partition_contiguous` is
the array core (csr graph, weights, features), :func:`bundle_blocks` the
GeoDataFrame adapter, and :func:`dissolve_blocks` draws block outlines.

Algorithm
---------
1. Drop communities that cannot be in any block: more households than the ceiling
   on their own, or no neighbour at all (isolated).
2. Connected components of the adjacency graph. A component whose totals fit
   inside the floor and ceiling becomes one block as it is: 连片 as large as the
   ceiling allows. A component below the floor is reported, not bundled (unless
   ``keep_small_components``).
3. An oversized component is split SKATER-style: take the minimum spanning tree
   of the component under a dissimilarity that mixes centroid distance
   (compactness) and the Jaccard distance of life-circle gap profiles (shared
   needs), then cut tree edges one at a time. Among the cuts that leave both sides
   above the floor, the one with the smallest total within-region sum of squared
   deviations (SSD) of the features wins; each side is split again until it fits.
   When no cut keeps both sides above the floor, the largest sub-floor piece is cut
   off as a left-over. Subtree sums make each cut ``O(size)``.
4. Left-overs: their own components that fit become blocks (oversized ones get
   one more tree split); the remaining communities join an adjacent block that
   still has room (nearest in feature space), until nothing moves.

Guarantees: every block is connected under the adjacency used (a subtree of a
spanning tree, a component, or a block plus an adjacent community); all members
share the group value; each block holds ``min_households``–``max_households``
households and ``min_communities``–``max_communities`` communities (except
components kept with ``keep_small_components``, which are flagged
``below_floor``); a community is in at most one block; every selected,
unlocked community not in a block is listed with a reason. The result depends
only on the input rows, their order and ``seed`` (used for tie-breaking jitter on
spanning-tree edge costs). It is a heuristic: it does not prove that no better
partition exists."""

from __future__ import annotations

from analysis.bundling.bundle import BundlingResult, bundle_blocks
from analysis.bundling.dissolve import dissolve_blocks
from analysis.bundling.partition import (
    DEFAULT_MAX_HOUSEHOLDS,
    DEFAULT_MIN_HOUSEHOLDS,
    Partition,
    partition_contiguous,
)
from analysis.bundling.tables import SHARED_GAP_SHARE

__all__ = [
    "BundlingResult",
    "DEFAULT_MAX_HOUSEHOLDS",
    "DEFAULT_MIN_HOUSEHOLDS",
    "Partition",
    "SHARED_GAP_SHARE",
    "bundle_blocks",
    "dissolve_blocks",
    "partition_contiguous",
]
