"""Where points enter the network (the snapped edge, its end nodes and their costs), defined once for every analysis."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.network.graph import FloatArray, IntArray, SnapResult, WalkNetwork


@dataclass(frozen=True)
class NetworkEntry:
    """Where a set of points enters the network: the one definition every analysis
    (life circle, capacity, siting, the distance surface) routes from.

    A point joins its snapped edge ``edge`` at ``along`` metres from the edge's start
    node after a straight walk of ``offset`` metres; ``cost_u``/``cost_v`` already
    include the offset and the partial edge length to the end nodes ``u``/``v``.
    """

    u: IntArray
    v: IntArray
    cost_u: FloatArray
    cost_v: FloatArray
    edge: IntArray
    along: FloatArray
    offset: FloatArray

    @staticmethod
    def from_snap(net: WalkNetwork, snap: SnapResult, rows: IntArray) -> NetworkEntry:
        """The entries of the snapped points ``rows`` (reachable ones)."""
        e = snap.edge[rows]
        along = snap.along_m[rows]
        off = snap.distance_m[rows]
        length = net.edge_length_m[e]
        return NetworkEntry(
            u=net.edge_u[e],
            v=net.edge_v[e],
            cost_u=off + along,
            cost_v=off + (length - along),
            edge=e,
            along=along,
            offset=off,
        )

    def take(self, rows: IntArray) -> NetworkEntry:
        return NetworkEntry(
            self.u[rows],
            self.v[rows],
            self.cost_u[rows],
            self.cost_v[rows],
            self.edge[rows],
            self.along[rows],
            self.offset[rows],
        )

    def nodes(self) -> tuple[IntArray, FloatArray]:
        """Both end nodes of every entry with their costs: the sources of a search."""
        return (
            np.concatenate([self.u, self.v]),
            np.concatenate([self.cost_u, self.cost_v]),
        )

    def __len__(self) -> int:
        return int(self.u.shape[0])


def same_edge_pairs(
    sources: NetworkEntry, targets: NetworkEntry
) -> tuple[IntArray, IntArray, FloatArray]:
    """Every (source, target) pair on the same edge with the direct walk along it
    (offset + along-edge gap + offset), which a search over nodes cannot see."""
    order = np.argsort(sources.edge, kind="stable")
    s_edge = sources.edge[order]
    lo = np.searchsorted(s_edge, targets.edge, side="left")
    hi = np.searchsorted(s_edge, targets.edge, side="right")
    cnt = hi - lo
    total = int(cnt.sum())
    tgt = np.repeat(np.arange(len(targets)), cnt)
    start = np.repeat(np.cumsum(cnt) - cnt, cnt)
    src = order[np.repeat(lo, cnt) + (np.arange(total) - start)]
    dist = sources.offset[src] + np.abs(sources.along[src] - targets.along[tgt])
    return src, tgt, dist + targets.offset[tgt]


def same_edge_min(sources: NetworkEntry, targets: NetworkEntry) -> FloatArray:
    """Per target, the shortest direct along-edge walk to a source (inf: none)."""
    out = np.full(len(targets), np.inf)
    _, tgt, dist = same_edge_pairs(sources, targets)
    np.minimum.at(out, tgt, dist)
    return out
