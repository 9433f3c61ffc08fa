"""Walking network: build a routable graph from ``walk_segment`` lines and snap points.

The network is an undirected graph stored as a symmetric
:class:`scipy.sparse.csr_array` of edge lengths in metres, ready for
:func:`scipy.sparse.csgraph.dijkstra`.

* **Nodes** are segment *endpoints*. Endpoints closer than ``snap_tolerance_m``
  are merged (cKDTree pairs + connected components, so a cluster of nearly
  coincident endpoints becomes one node at its centroid). Interior vertices of a
  segment are not nodes: segments must be split at junctions, as in the
  ``walk_segment`` layer (DATA_MODEL.md). Two lines that merely cross (a bridge
  over a road) are therefore not connected, which is what we want.
* **Edges** keep their full geometry, as flat coordinate arrays (shapely lines
  are built only on demand): the weight is the line's length, and snapping
  projects onto the real line, not onto the chord. :func:`network_from_coords`
  builds the network straight from such arrays (the database adapter parses
  the segments' WKB into them), :func:`build_network` from a GeoDataFrame.
* **Snapping** (:meth:`WalkNetwork.snap_points`) projects a point onto the
  nearest edge (a kd-tree of short edge pieces, with shapely's
  ``STRtree.query_nearest`` for points far from everything) and records the edge, the
  position along it (``along_m`` from the edge's start node ``edge_u``) and the
  perpendicular offset. The routing code then enters the graph through *both*
  end nodes with the partial lengths ``along_m`` and ``length - along_m`` (a
  virtual node on the edge, without changing the graph). Points farther than
  ``max_distance_m`` from every edge are flagged unreachable, never dropped.
* **Islands.** Snapping uses only the edges of components with at least
  ``min_component_nodes`` nodes (:data:`MIN_COMPONENT_NODES`; the largest component
  always counts): a facility beside a footway island of a few nodes would reach
  nobody, and the communities beside it would read the long way round. Points
  whose nearest edge is on an island snap to the main network within the same
  limit; :meth:`WalkNetwork.islands` lists the components left out and
  :meth:`WalkNetwork.nearest_island` says which points had one nearest.

All inputs must be in a projected metric CRS (EPSG:4549 by DATA_MODEL.md)."""

from __future__ import annotations

from analysis.network.access import community_access_points
from analysis.network.build import build_network, line_arrays, network_from_coords
from analysis.network.entry import NetworkEntry, same_edge_min, same_edge_pairs
from analysis.network.graph import (
    MIN_COMPONENT_NODES,
    SnapResult,
    WalkNetwork,
    check_metric_crs,
)

__all__ = [
    "MIN_COMPONENT_NODES",
    "NetworkEntry",
    "SnapResult",
    "WalkNetwork",
    "build_network",
    "check_metric_crs",
    "community_access_points",
    "line_arrays",
    "network_from_coords",
    "same_edge_min",
    "same_edge_pairs",
]
