"""The array core: contiguous partition of a community graph into blocks within household and count bounds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

#: Household floor of a block: the lower dwelling bound of a 居住街坊
#: (GB 50180-2018 表 3.0.4: 300–1,000 dwellings [C], see LIFECIRCLE.md §1.1).
#: One household ≈ one dwelling.
DEFAULT_MIN_HOUSEHOLDS: Final = 300


#: Household ceiling of a block: inside the 5-minute life circle's 1,500–4,000
#: dwellings (LIFECIRCLE.md §1.1 [C]) and about the 居住街坊's 3,000 residents
#: upper bound scaled to a few adjacent 街坊, so that a 片区 stays one
#: 5-minute-circle project rather than a whole 10-minute circle.
DEFAULT_MAX_HOUSEHOLDS: Final = 3000


@dataclass(frozen=True)
class Partition:
    """Output of :func:`partition_contiguous`.

    Parameters
    ----------
    labels
        Block number per node (``0..k-1``), ``-1`` when unassigned.
    reasons
        Reason code per node (``""`` when assigned): ``"exceeds_ceiling"``,
        ``"isolated"``, ``"component_below_floor"`` or ``"no_room"``.
    below_floor
        Boolean per block number: ``True`` for a whole component kept below the
        floor because ``keep_small_components`` was set.
    """

    labels: np.ndarray
    reasons: np.ndarray
    below_floor: np.ndarray


@dataclass
class _Bounds:
    min_w: float
    max_w: float
    min_n: int
    max_n: int

    def fits(self, w: float, n: int) -> bool:
        return self.min_w <= w <= self.max_w and self.min_n <= n <= self.max_n

    def oversized(self, w: float, n: int) -> bool:
        return w > self.max_w or n > self.max_n


def _spanning_forest(
    matrix: sparse.csr_matrix, cost: sparse.csr_matrix
) -> sparse.csr_matrix:
    """Symmetric minimum spanning forest of ``cost`` restricted to ``matrix``."""
    tree = csgraph.minimum_spanning_tree(sparse.triu(cost.multiply(matrix), k=1))
    tree = tree.tocsr()
    return (tree + tree.T).tocsr()


def _tree_split(
    roots: Iterable[int],
    tree: sparse.csr_matrix,
    weights: np.ndarray,
    feats: np.ndarray,
    sq: np.ndarray,
    bounds: _Bounds,
) -> tuple[list[np.ndarray], list[int]]:
    """Cut a spanning forest into subtrees that fit ``bounds`` (SKATER-style).

    ``roots`` holds one node per tree to split. Returns the blocks (node arrays)
    and the left-over nodes.
    """
    indptr, indices = tree.indptr, tree.indices
    region = np.full(len(weights), -1, dtype=np.int64)
    stack: list[tuple[int, int]] = []
    next_region = 0
    for r in roots:
        stack.append((int(r), next_region))
        next_region += 1
    # Mark initial regions by flooding the tree from each root.
    for r, rid in stack:
        flood = [r]
        region[r] = rid
        while flood:
            u = flood.pop()
            for v in indices[indptr[u] : indptr[u + 1]]:
                if region[v] == -1:
                    region[v] = rid
                    flood.append(v)

    blocks: list[np.ndarray] = []
    leftovers: list[int] = []
    while stack:
        root, rid = stack.pop()
        # Iterative DFS pre-order: every subtree is a contiguous slice
        # order[k : k + size[k]], which makes cutting O(size).
        order: list[int] = []
        parent: list[int] = []
        todo: list[tuple[int, int, int]] = [(root, -1, -1)]
        while todo:
            u, pu, ppos = todo.pop()
            pos = len(order)
            order.append(u)
            parent.append(ppos)
            for v in indices[indptr[u] : indptr[u + 1]][::-1]:
                if v != pu and region[v] == rid:
                    todo.append((int(v), u, pos))
        nodes = np.asarray(order, dtype=np.int64)
        sw = weights[nodes].astype(float)
        sn = np.ones(len(nodes), dtype=np.int64)
        sf = feats[nodes].copy()
        ssq = sq[nodes].copy()
        for k in range(len(nodes) - 1, 0, -1):
            p = parent[k]
            sw[p] += sw[k]
            sn[p] += sn[k]
            sf[p] += sf[k]
            ssq[p] += ssq[k]
        total_w, total_n = sw[0], int(sn[0])
        if not bounds.oversized(total_w, total_n):
            if bounds.fits(total_w, total_n):
                blocks.append(nodes)
            else:
                leftovers.extend(order)
            continue
        a_w, a_n = sw[1:], sn[1:]
        b_w, b_n = total_w - a_w, total_n - a_n
        ssd_a = ssq[1:] - (sf[1:] ** 2).sum(axis=1) / a_n
        ssd_b = (ssq[0] - ssq[1:]) - ((sf[0] - sf[1:]) ** 2).sum(axis=1) / b_n
        feas_a = (a_w >= bounds.min_w) & (a_n >= bounds.min_n)
        feas_b = (b_w >= bounds.min_w) & (b_n >= bounds.min_n)
        valid = feas_a & feas_b
        if valid.any():
            k = int(np.argmin(np.where(valid, ssd_a + ssd_b, np.inf))) + 1
        else:
            one = feas_a ^ feas_b
            if one.any():
                small = np.where(feas_a, b_w, a_w)
                k = int(np.argmax(np.where(one, small, -np.inf))) + 1
            else:
                k = int(np.argmax(np.minimum(a_w, b_w))) + 1
        sub = nodes[k : k + sn[k]]
        region[sub] = next_region
        stack.append((int(nodes[0]), rid))
        stack.append((int(nodes[k]), next_region))
        next_region += 1
    return blocks, leftovers


def partition_contiguous(
    matrix: sparse.csr_matrix,
    weights: np.ndarray,
    features: np.ndarray,
    *,
    min_weight: float,
    max_weight: float,
    min_count: int = 2,
    max_count: int | None = None,
    edge_cost: sparse.csr_matrix | None = None,
    keep_small_components: bool = False,
    seed: int = 0,
) -> Partition:
    """Partition a graph into connected regions within weight and size bounds.

    Parameters
    ----------
    matrix
        ``n × n`` symmetric boolean adjacency (csr); the diagonal is ignored.
    weights
        Non-negative weight per node (households).
    features
        ``n × d`` array; the within-region sum of squared deviations of these
        features is what tree cuts minimise (use scaled centroids for
        compactness, plus gap bits for homogeneity).
    min_weight, max_weight
        Floor and ceiling of a region's total weight.
    min_count, max_count
        Floor and ceiling of a region's node count (``None``: no ceiling).
    edge_cost
        Optional ``n × n`` csr of positive dissimilarities on the edges of
        ``matrix`` for the spanning tree; default: squared feature distance.
    keep_small_components
        Keep whole components below ``min_weight`` (but with at least
        ``min_count`` nodes) as regions, flagged in ``below_floor``.
    seed
        Seed of the jitter that breaks ties between equal edge costs.

    Returns
    -------
    Partition
        Labels, reason codes and the below-floor flags.

    Raises
    ------
    ValueError
        On shape mismatches, negative or non-finite weights, or bounds that
        contradict each other.
    """
    n = matrix.shape[0]
    weights = np.asarray(weights, dtype=float)
    features = np.asarray(features, dtype=float)
    if features.ndim == 1:
        features = features[:, None]
    if matrix.shape != (n, n) or len(weights) != n or len(features) != n:
        msg = f"matrix {matrix.shape} and weights ({len(weights)}) must agree."
        raise ValueError(msg)
    if not np.isfinite(weights).all() or (weights < 0).any():
        msg = "weights must be finite and >= 0."
        raise ValueError(msg)
    if not np.isfinite(features).all():
        msg = "features must be finite."
        raise ValueError(msg)
    if min_weight < 0 or max_weight < min_weight:
        msg = f"need 0 <= min_weight <= max_weight, got {min_weight}, {max_weight}."
        raise ValueError(msg)
    max_n = max(n, min_count) if max_count is None else int(max_count)
    if min_count < 1 or max_n < min_count:
        msg = f"need 1 <= min_count <= max_count, got {min_count}, {max_count}."
        raise ValueError(msg)
    bounds = _Bounds(float(min_weight), float(max_weight), int(min_count), max_n)

    labels = np.full(n, -1, dtype=np.int64)
    reasons = np.full(n, "", dtype=object)
    below_floor: list[bool] = []

    def _new_block(nodes: np.ndarray, *, small: bool = False) -> None:
        labels[nodes] = len(below_floor)
        below_floor.append(small)

    # Boolean, symmetric, no self-loops, whatever the caller passed.
    coo = sparse.coo_matrix(matrix)
    off = (coo.row != coo.col) & (coo.data != 0)
    matrix = sparse.csr_matrix(
        (np.ones(off.sum(), dtype=bool), (coo.row[off], coo.col[off])), shape=(n, n)
    )
    matrix = (matrix + matrix.T).astype(bool).tocsr()
    # 1. Communities that can never be in a block.
    too_big = weights > bounds.max_w
    reasons[too_big] = "exceeds_ceiling"
    keep = sparse.diags((~too_big).astype(float))
    active = sparse.csr_matrix(keep @ matrix @ keep, dtype=bool)
    active.eliminate_zeros()

    # 2. Components.
    n_comp, comp = csgraph.connected_components(active, directed=False)
    comp_w = np.bincount(comp, weights=weights, minlength=n_comp)
    comp_n = np.bincount(comp, minlength=n_comp)
    oversized_roots: list[int] = []
    # Members of each component in row order, without an O(n) scan per component.
    by_comp = np.argsort(comp, kind="stable")
    bounds_at = np.concatenate([[0], np.cumsum(comp_n)])
    first = by_comp[bounds_at[:-1]]
    for c in range(n_comp):
        nodes = by_comp[bounds_at[c] : bounds_at[c + 1]]
        if too_big[nodes[0]]:
            continue
        w, cnt = comp_w[c], int(comp_n[c])
        if bounds.fits(w, cnt):
            _new_block(nodes)
        elif bounds.oversized(w, cnt):
            oversized_roots.append(int(first[c]))
        elif cnt == 1:
            reasons[nodes] = "isolated"
        elif keep_small_components and cnt >= bounds.min_n and w <= bounds.max_w:
            _new_block(nodes, small=True)
        else:
            reasons[nodes] = "component_below_floor"

    if not oversized_roots:
        return Partition(labels, reasons, np.asarray(below_floor, dtype=bool))

    # 3. Split oversized components on a minimum spanning tree.
    rng = np.random.default_rng(seed)
    sq = (features**2).sum(axis=1)

    def _costs(sub: sparse.csr_matrix) -> sparse.csr_matrix:
        coo = sparse.triu(sub, k=1).tocoo()
        if edge_cost is not None:
            base = np.asarray(edge_cost[coo.row, coo.col]).ravel().astype(float)
        else:
            base = ((features[coo.row] - features[coo.col]) ** 2).sum(axis=1)
        # csgraph treats 0 as "no edge": keep costs > 0; jitter breaks ties.
        base = base + 1e-9 + rng.uniform(0.0, 1e-9, size=len(base))
        c = sparse.csr_matrix((base, (coo.row, coo.col)), shape=(n, n))
        return (c + c.T).tocsr()

    cost = _costs(active)
    forest = _spanning_forest(active, cost)
    blocks, leftover = _tree_split(
        oversized_roots, forest, weights, features, sq, bounds
    )
    for nodes in blocks:
        _new_block(nodes)

    # 4a. Left-over pieces that touch each other may form blocks of their own.
    if leftover:
        lmask = np.zeros(n, dtype=bool)
        lmask[leftover] = True
        lk = sparse.diags(lmask.astype(float))
        lgraph = sparse.csr_matrix(lk @ active @ lk, dtype=bool)
        _, lcomp = csgraph.connected_components(lgraph, directed=False)
        roots: list[int] = []
        rest: list[int] = []
        for c in np.unique(lcomp[lmask]):
            nodes = np.flatnonzero((lcomp == c) & lmask)
            w, cnt = weights[nodes].sum(), len(nodes)
            if bounds.fits(w, cnt):
                _new_block(nodes)
            elif bounds.oversized(w, cnt):
                roots.append(int(nodes[0]))
            else:
                rest.extend(nodes.tolist())
        if roots:
            lforest = _spanning_forest(lgraph, _costs(lgraph))
            more, rest2 = _tree_split(roots, lforest, weights, features, sq, bounds)
            for nodes in more:
                _new_block(nodes)
            rest.extend(rest2)
        # 4b. Attach the rest to adjacent blocks with room, until nothing moves.
        k = len(below_floor)
        bw = np.bincount(labels[labels >= 0], weights=weights[labels >= 0], minlength=k)
        bn = np.bincount(labels[labels >= 0], minlength=k)
        bf = np.zeros((k, features.shape[1]))
        np.add.at(bf, labels[labels >= 0], features[labels >= 0])
        pending = sorted(set(rest))
        moved = True
        while moved and pending:
            moved = False
            still: list[int] = []
            for v in pending:
                nbr = active.indices[active.indptr[v] : active.indptr[v + 1]]
                cand = np.unique(labels[nbr])
                cand = cand[cand >= 0]
                cand = cand[
                    (bw[cand] + weights[v] <= bounds.max_w) & (bn[cand] < max_n)
                ]
                if len(cand) == 0:
                    still.append(v)
                    continue
                centre = bf[cand] / bn[cand][:, None]
                b = int(cand[np.argmin(((centre - features[v]) ** 2).sum(axis=1))])
                labels[v] = b
                bw[b] += weights[v]
                bn[b] += 1
                bf[b] += features[v]
                moved = True
            pending = still
        reasons[pending] = "no_room"

    return Partition(labels, reasons, np.asarray(below_floor, dtype=bool))
