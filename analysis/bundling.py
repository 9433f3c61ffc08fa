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
partition exists.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from analysis.adjacency import (
    DEFAULT_GAP_M,
    Adjacency,
    community_adjacency,
    validate_metric_polygons,
)

__all__ = [
    "DEFAULT_MAX_HOUSEHOLDS",
    "DEFAULT_MIN_HOUSEHOLDS",
    "BundlingResult",
    "Partition",
    "bundle_blocks",
    "dissolve_blocks",
    "partition_contiguous",
]

#: Household floor of a block: the lower dwelling bound of a 居住街坊
#: (GB 50180-2018 表 3.0.4: 300–1,000 dwellings [C], see LIFECIRCLE.md §1.1).
#: One household ≈ one dwelling.
DEFAULT_MIN_HOUSEHOLDS: Final = 300
#: Household ceiling of a block: inside the 5-minute life circle's 1,500–4,000
#: dwellings (LIFECIRCLE.md §1.1 [C]) and about the 居住街坊's 3,000 residents
#: upper bound scaled to a few adjacent 街坊, so that a 片区 stays one
#: 5-minute-circle project rather than a whole 10-minute circle.
DEFAULT_MAX_HOUSEHOLDS: Final = 3000
#: A category is a "most members" shared gap when strictly more than this share
#: of the block's communities lack it.
SHARED_GAP_SHARE: Final = 0.5

ReasonCode = Literal[
    "missing_group",
    "exceeds_ceiling",
    "isolated",
    "component_below_floor",
    "no_room",
]

_ALGORITHM: Final = "components+skater-ssd/v1"


# --------------------------------------------------------------------------- core


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


# ------------------------------------------------------------------------ adapter


@dataclass(frozen=True)
class BundlingResult:
    """Renovation blocks (片区) produced by :func:`bundle_blocks`.

    Parameters
    ----------
    labels
        Block id per community (indexed like the input), ``-1`` when the
        community is in no block (not selected, or unassigned).
    blocks
        One row per block, indexed by ``block_id``: ``members`` (list of ids),
        ``n_communities``, ``households``, ``residents``, ``floor_area_m2``,
        ``completion_year_min``/``_max``, ``dangerous_c``, ``dangerous_d``,
        ``dangerous_buildings`` (C + D), ``group`` (the ``group_by`` value),
        ``locked``, ``below_floor``, ``gaps_all`` (categories every member
        lacks) and ``gaps_most`` (lacked by more than half of the members).
    unassigned
        Selected, unlocked communities in no block, indexed by community id:
        ``reason_code`` (``missing_group``, ``exceeds_ceiling``, ``isolated``,
        ``component_below_floor``, ``no_room``, ``not_alone``) and a readable ``reason`` such as
        ``"isolated: neighbours within 30 m are across a barrier"``.
    parameters
        The parameters used, JSON-serialisable (for ``AnalysisRun.parameters``).
    adjacency
        The neighbour relation actually used: selected, unlocked communities,
        barrier- and group-filtered.
    """

    labels: pd.Series
    blocks: pd.DataFrame
    unassigned: pd.DataFrame
    parameters: dict[str, Any]
    adjacency: Adjacency = field(repr=False)


def _selection_mask(communities: gpd.GeoDataFrame, selected: Any | None) -> np.ndarray:
    n = len(communities)
    if selected is None:
        return np.ones(n, dtype=bool)
    if isinstance(selected, pd.Series) and selected.dtype == bool:
        missing = communities.index.difference(selected.index)
        if len(missing):
            msg = f"selected mask lacks ids: {missing[:5].tolist()}."
            raise ValueError(msg)
        return selected.reindex(communities.index).to_numpy(dtype=bool)
    arr = np.asarray(selected)
    if arr.dtype == bool:
        if arr.shape != (n,):
            msg = f"selected boolean mask must have length {n}, got {arr.shape}."
            raise ValueError(msg)
        return arr.copy()
    ids = pd.Index(list(selected))
    unknown = ids.difference(communities.index)
    if len(unknown):
        msg = f"selected ids not in communities: {unknown[:5].tolist()}."
        raise ValueError(msg)
    return communities.index.isin(ids)


def _locked_positions(
    communities: gpd.GeoDataFrame, locked: Mapping[int, Sequence[Hashable]] | None
) -> dict[int, np.ndarray]:
    if not locked:
        return {}
    out: dict[int, np.ndarray] = {}
    seen: dict[Hashable, int] = {}
    for block_id, members in locked.items():
        if isinstance(block_id, bool) or not isinstance(block_id, int | np.integer):
            msg = f"locked block ids must be integers >= 0, got {block_id!r}."
            raise ValueError(msg)
        if block_id < 0:
            msg = f"locked block ids must be >= 0, got {block_id}."
            raise ValueError(msg)
        members = list(members)
        if not members:
            msg = f"locked block {block_id} has no members."
            raise ValueError(msg)
        for m in members:
            if m not in communities.index:
                msg = f"locked block {block_id}: unknown community id {m!r}."
                raise ValueError(msg)
            if m in seen:
                msg = f"community {m!r} is locked in blocks {seen[m]} and {block_id}."
                raise ValueError(msg)
            seen[m] = int(block_id)
        out[int(block_id)] = communities.index.get_indexer(members)
    return out


def _gap_matrix(
    communities: gpd.GeoDataFrame, gap_profile: pd.DataFrame | None
) -> tuple[np.ndarray, list[str]]:
    if gap_profile is None:
        return np.zeros((len(communities), 0), dtype=bool), []
    if not isinstance(gap_profile, pd.DataFrame):
        msg = "gap_profile must be a DataFrame (community × category, bool)."
        raise TypeError(msg)
    if not gap_profile.index.is_unique or not gap_profile.columns.is_unique:
        msg = "gap_profile index and columns must be unique."
        raise ValueError(msg)
    prof = gap_profile.reindex(communities.index)
    values = prof.to_numpy(dtype=float, na_value=0.0)
    if not np.isin(values, (0.0, 1.0)).all():
        msg = "gap_profile values must be boolean (True = category missing)."
        raise ValueError(msg)
    return values.astype(bool), [str(c) for c in gap_profile.columns]


def _numeric(communities: pd.DataFrame, col: str) -> np.ndarray:
    if col not in communities.columns:
        return np.full(len(communities), np.nan)
    return pd.to_numeric(communities[col], errors="coerce").to_numpy(dtype=float)


def _plural(k: int, word: str) -> str:
    return f"{k} {word}" if k == 1 else f"{k} {word}s"


def bundle_blocks(
    communities: gpd.GeoDataFrame,
    *,
    gap_m: float = DEFAULT_GAP_M,
    barriers: gpd.GeoSeries | None = None,
    selected: Any | None = None,
    group_by: str | None = "street_code",
    min_households: float = DEFAULT_MIN_HOUSEHOLDS,
    max_households: float = DEFAULT_MAX_HOUSEHOLDS,
    min_communities: int = 2,
    max_communities: int | None = None,
    gap_profile: pd.DataFrame | None = None,
    gap_weight: float = 0.5,
    locked: Mapping[int, Sequence[Hashable]] | None = None,
    keep_small_components: bool = False,
    not_alone: Any | None = None,
    seed: int = 0,
) -> BundlingResult:
    """Bundle selected, adjacent communities into renovation blocks (连片改造).

    Parameters
    ----------
    communities
        小区 polygons in a metric CRS with a unique index (the ids) and the
        ``docs/DATA_MODEL.md`` columns. Required: ``households``, plus the
        ``group_by`` column. Used when present: ``residents``,
        ``floor_area_m2``, ``completion_year``, ``dangerous_c``, ``dangerous_d``.
    gap_m
        Fuzzy-contiguity tolerance in metres (street width), see
        :func:`~analysis.adjacency.community_adjacency`.
    barriers
        Optional arterial roads, rivers and railways that separate neighbours.
    selected
        Which communities to bundle: ``None`` (all), a boolean mask (array in
        row order or Series indexed by id) or an iterable of ids. Typically
        the eligible ones.
    group_by
        Column whose value a block may not cross (``"street_code"``,
        ``"district_code"``) or ``None``. Communities with no value are
        unassigned (``missing_group``).
    min_households, max_households
        Household floor and ceiling of a block. Defaults: 300 (居住街坊 lower
        dwelling bound) and 3,000 (inside the 5-minute circle's 1,500–4,000
        dwellings); see LIFECIRCLE.md §1.1.
    min_communities, max_communities
        Community-count floor and ceiling of a block. The default floor 2 means
        a block is a genuine 连片 of several 小区; set 1 to let a large
        community with no partner be a block of its own.
    gap_profile
        Optional community × category boolean frame (``True`` = the 15-minute
        analysis found that category missing). Missing rows count as no gaps.
        Bundling then prefers communities that share gaps, and the blocks table
        lists shared gaps.
    gap_weight
        Share (0–1) of the dissimilarity given to gap profiles versus centroid
        distance; ignored without ``gap_profile``.
    locked
        ``{block_id: [community ids]}`` fixed by a planner. Kept exactly as
        given (not checked against the constraints), excluded from re-bundling;
        new blocks are numbered after the largest locked id.
    keep_small_components
        If ``True``, a whole connected component below the household floor
        (that therefore cannot grow) becomes a block flagged ``below_floor``
        instead of being reported as unassigned.
    not_alone
        Communities that may join a block only together with others (a mask or
        ids like ``selected``): pure villa communities, which 二(一) does not
        list *on their own*. A block made of such communities only is not
        kept; its members are unassigned with ``reason_code="not_alone"``.
    seed
        Tie-breaking seed; the same input and seed give the same blocks.

    Returns
    -------
    BundlingResult
        Labels, blocks table, unassigned communities with reasons, parameters.

    Raises
    ------
    ValueError
        On invalid geometry/CRS/ids (see ``community_adjacency``), a missing
        ``households`` or ``group_by`` column, missing or negative households on
        a community to bundle, contradictory bounds or bad ``locked`` ids.

    Notes
    -----
    Policy 四(四) 连片改造. Size bounds from GB 50180-2018 表 3.0.4 (LIFECIRCLE.md
    §1.1; the dwelling figures are flagged [C] there: confirm with planners).
    See the module docstring for the algorithm and its guarantees.
    """
    validate_metric_polygons(communities)
    if "households" not in communities.columns:
        msg = "communities needs a 'households' column."
        raise ValueError(msg)
    if group_by is not None and group_by not in communities.columns:
        msg = f"group_by column {group_by!r} not in communities."
        raise ValueError(msg)
    if not 0.0 <= gap_weight <= 1.0:
        msg = f"gap_weight must be in [0, 1], got {gap_weight}."
        raise ValueError(msg)
    if min_households < 0 or max_households < min_households:
        msg = (
            "need 0 <= min_households <= max_households, got "
            f"{min_households}, {max_households}."
        )
        raise ValueError(msg)
    if min_communities < 1 or (
        max_communities is not None and max_communities < min_communities
    ):
        msg = (
            "need 1 <= min_communities <= max_communities, got "
            f"{min_communities}, {max_communities}."
        )
        raise ValueError(msg)

    n = len(communities)
    ids = communities.index
    sel = _selection_mask(communities, selected)
    locked_pos = _locked_positions(communities, locked)
    is_locked = np.zeros(n, dtype=bool)
    for pos in locked_pos.values():
        is_locked[pos] = True
    households = _numeric(communities, "households")
    todo = sel & ~is_locked
    bad = todo & (~np.isfinite(households) | (households < 0))
    if bad.any():
        msg = f"households missing or negative for: {ids[bad][:5].tolist()}."
        raise ValueError(msg)

    if group_by is not None:
        group = communities[group_by]
        no_group = group.isna().to_numpy()
    else:
        group = pd.Series([None] * n, index=ids, dtype=object)
        no_group = np.zeros(n, dtype=bool)
    active = todo & ~no_group
    act = np.flatnonzero(active)
    gaps, categories = _gap_matrix(communities, gap_profile)

    # Adjacency among the communities to bundle, then cut edges across groups.
    raw = community_adjacency(communities.iloc[act], gap_m=gap_m, barriers=barriers)
    codes = pd.factorize(group.iloc[act])[0]
    coo = raw.matrix.tocoo()
    same = codes[coo.row] == codes[coo.col]
    m = len(act)
    matrix = sparse.csr_matrix(
        (np.ones(same.sum(), dtype=bool), (coo.row[same], coo.col[same])),
        shape=(m, m),
    )
    used = Adjacency(ids=raw.ids, matrix=matrix, blocked=raw.blocked, gap_m=gap_m)

    # Features: centroids scaled by the median neighbour distance, plus gap bits.
    cent = shapely.centroid(np.asarray(communities.geometry.values[act]))
    xy = np.column_stack([shapely.get_x(cent), shapely.get_y(cent)])
    if len(xy):
        # centre first: SSD = Σ|f|² − |Σf|²/n loses precision on raw 10⁶ m values
        xy = xy - xy.mean(axis=0)
    ecoo = sparse.triu(matrix, k=1).tocoo()
    d = np.hypot(*(xy[ecoo.row] - xy[ecoo.col]).T)
    scale = float(np.median(d)) if len(d) and np.median(d) > 0 else 1.0
    w_gap = gap_weight if categories else 0.0
    g = gaps[act].astype(float)
    feats = np.column_stack(
        [
            xy / scale * np.sqrt(1.0 - w_gap),
            g * np.sqrt(w_gap / max(len(categories), 1)),
        ]
    )
    cost = None
    if len(d):
        # Spanning-tree dissimilarity: centroid distance (compactness) mixed
        # with the Jaccard distance of gap profiles (shared needs).
        gi, gj = gaps[act][ecoo.row], gaps[act][ecoo.col]
        union = (gi | gj).sum(axis=1)
        jacc = np.where(
            union > 0, 1.0 - (gi & gj).sum(axis=1) / np.maximum(union, 1), 0
        )
        c = (1.0 - w_gap) * d / scale + w_gap * jacc
        cost = sparse.csr_matrix((c, (ecoo.row, ecoo.col)), shape=(m, m))
        cost = (cost + cost.T).tocsr()

    part = partition_contiguous(
        matrix,
        households[act],
        feats,
        min_weight=min_households,
        max_weight=max_households,
        min_count=min_communities,
        max_count=max_communities,
        edge_cost=cost,
        keep_small_components=keep_small_components,
        seed=seed,
    )
    if not_alone is not None:
        part = _drop_blocks_of_only(part, _selection_mask(communities, not_alone)[act])

    # Labels: locked ids first, new blocks numbered after them by first member.
    labels = np.full(n, -1, dtype=np.int64)
    for block_id, pos in locked_pos.items():
        labels[pos] = block_id
    start = max(locked_pos) + 1 if locked_pos else 0
    new_ids: dict[int, int] = {}
    below_floor: dict[int, bool] = {}
    for local in part.labels[part.labels >= 0]:  # row order
        if local not in new_ids:
            new_ids[int(local)] = start + len(new_ids)
            below_floor[start + len(new_ids) - 1] = bool(part.below_floor[local])
    has = part.labels >= 0
    labels[act[has]] = [new_ids[int(v)] for v in part.labels[has]]

    blocks = _blocks_table(
        communities, labels, group, gaps, categories, set(locked_pos), below_floor
    )
    unassigned = _unassigned_table(
        communities,
        act=act,
        part=part,
        raw=raw,
        codes=codes,
        households=households,
        no_group=todo & no_group,
        group_by=group_by,
        gap_m=gap_m,
        min_households=min_households,
        max_households=max_households,
    )
    parameters: dict[str, Any] = {
        "algorithm": _ALGORITHM,
        "gap_m": float(gap_m),
        "barriers": None if barriers is None else len(barriers),
        "group_by": group_by,
        "min_households": float(min_households),
        "max_households": float(max_households),
        "min_communities": int(min_communities),
        "max_communities": None if max_communities is None else int(max_communities),
        "gap_weight": float(gap_weight),
        "gap_categories": categories,
        "keep_small_components": bool(keep_small_components),
        "locked_blocks": sorted(locked_pos),
        "n_selected": int(sel.sum()),
        "seed": int(seed),
    }
    return BundlingResult(
        labels=pd.Series(labels, index=ids, name="block_id"),
        blocks=blocks,
        unassigned=unassigned,
        parameters=parameters,
        adjacency=used,
    )


def _drop_blocks_of_only(part: Partition, only: np.ndarray) -> Partition:
    """Unassign the blocks whose every member is in ``only`` (``not_alone``)."""
    labels, reasons = part.labels.copy(), part.reasons.copy()
    for local in np.unique(labels[labels >= 0]):
        members = labels == local
        if only[members].all():
            labels[members] = -1
            reasons[members] = "not_alone"
    return Partition(labels, reasons, part.below_floor)


def _blocks_table(
    communities: gpd.GeoDataFrame,
    labels: np.ndarray,
    group: pd.Series,
    gaps: np.ndarray,
    categories: list[str],
    locked_ids: set[int],
    below_floor: Mapping[int, bool],
) -> pd.DataFrame:
    ids = communities.index
    pos = np.flatnonzero(labels >= 0)
    pos = pos[np.argsort(labels[pos], kind="stable")]  # by block, then row order
    lab = labels[pos]
    if len(pos) == 0:
        return pd.DataFrame(
            columns=list(_BLOCK_COLUMNS),
            index=pd.Index([], dtype=np.int64, name="block_id"),
        )
    block_ids, starts = np.unique(lab, return_index=True)
    frame = pd.DataFrame(
        {
            name: _numeric(communities, name)[pos]
            for name in (
                "households",
                "residents",
                "floor_area_m2",
                "dangerous_c",
                "dangerous_d",
            )
        },
        index=pd.Index(lab, name="block_id"),
    )
    grouped = frame.groupby(level=0, sort=True)
    # min_count=1: a block with no known value gets NaN, not 0.
    table = grouped.sum(min_count=1)
    year = pd.Series(_numeric(communities, "completion_year")[pos], index=frame.index)
    table["completion_year_min"] = year.groupby(level=0).min()
    table["completion_year_max"] = year.groupby(level=0).max()
    table["dangerous_buildings"] = table[["dangerous_c", "dangerous_d"]].sum(
        axis=1, min_count=1
    )
    members = np.split(ids[pos].to_numpy(dtype=object), starts[1:])
    table.insert(0, "members", [list(m) for m in members])
    table.insert(1, "n_communities", np.diff(np.append(starts, len(pos))))
    groups = np.split(group.iloc[pos].to_numpy(dtype=object), starts[1:])
    table["group"] = [
        g[0] if len(set(g)) == 1 else sorted(set(g), key=str) for g in groups
    ]
    table["locked"] = [int(b) in locked_ids for b in block_ids]
    table["below_floor"] = [bool(below_floor.get(int(b), False)) for b in block_ids]
    if categories:
        share = np.add.reduceat(gaps[pos].astype(float), starts, axis=0)
        share /= table["n_communities"].to_numpy()[:, None]
    else:
        share = np.zeros((len(block_ids), 0))
    cats = np.asarray(categories, dtype=object)
    table["gaps_all"] = [cats[row >= 1.0].tolist() for row in share]
    table["gaps_most"] = [cats[row > SHARED_GAP_SHARE].tolist() for row in share]
    table.index = pd.Index(block_ids.astype(np.int64), name="block_id")
    return table[list(_BLOCK_COLUMNS)]


_BLOCK_COLUMNS: Final = (
    "members",
    "n_communities",
    "households",
    "residents",
    "floor_area_m2",
    "dangerous_c",
    "dangerous_d",
    "completion_year_min",
    "completion_year_max",
    "dangerous_buildings",
    "group",
    "locked",
    "below_floor",
    "gaps_all",
    "gaps_most",
)


def _unassigned_table(
    communities: gpd.GeoDataFrame,
    *,
    act: np.ndarray,
    part: Partition,
    raw: Adjacency,
    codes: np.ndarray,
    households: np.ndarray,
    no_group: np.ndarray,
    group_by: str | None,
    gap_m: float,
    min_households: float,
    max_households: float,
) -> pd.DataFrame:
    ids = communities.index
    out: list[tuple[int, str, str]] = [
        (int(i), "missing_group", f"missing {group_by}")
        for i in np.flatnonzero(no_group)
    ]
    comp = None
    for local in np.flatnonzero(part.labels < 0):
        code = str(part.reasons[local])
        i = act[local]
        h = households[i]
        if code == "exceeds_ceiling":
            text = f"exceeds household ceiling alone ({h:g} > {max_households:g})"
        elif code == "isolated":
            text = _isolation_text(
                int(local), raw, codes, households[act], max_households
            )
            text = text.format(gap=f"{gap_m:g}", group=group_by)
        elif code == "not_alone":
            text = (
                "pure villa communities are not listed on their own (二(一)): a "
                "block needs another community"
            )
        elif code == "component_below_floor":
            if comp is None:
                comp = _group_components(raw, codes, households[act], max_households)
            members = np.flatnonzero(comp == comp[local])
            total = households[act][members].sum()
            text = (
                "component below household floor "
                f"({total:g} < {min_households:g} households in "
                f"{_plural(len(members), 'community')})"
                if total < min_households
                else f"component too small ({_plural(len(members), 'community')})"
            )
        else:
            text = (
                "left over when splitting an oversized component: adjacent blocks "
                "are at the household or community ceiling"
            )
        out.append((int(i), code, text))
    out.sort(key=lambda row: row[0])
    pos = np.asarray([row[0] for row in out], dtype=np.int64)
    return pd.DataFrame(
        {
            "reason_code": pd.Series([row[1] for row in out], dtype=object),
            "reason": pd.Series([row[2] for row in out], dtype=object),
        }
    ).set_axis(ids[pos])


def _group_components(
    raw: Adjacency, codes: np.ndarray, weights: np.ndarray, max_w: float
) -> np.ndarray:
    coo = raw.matrix.tocoo()
    ok = (codes[coo.row] == codes[coo.col]) & (weights[coo.row] <= max_w)
    ok &= weights[coo.col] <= max_w
    m = raw.n
    g = sparse.csr_matrix((np.ones(ok.sum()), (coo.row[ok], coo.col[ok])), shape=(m, m))
    return csgraph.connected_components(g, directed=False)[1]


def _isolation_text(
    local: int, raw: Adjacency, codes: np.ndarray, weights: np.ndarray, max_w: float
) -> str:
    row = raw.matrix.indices[raw.matrix.indptr[local] : raw.matrix.indptr[local + 1]]
    brow = raw.blocked.indices[
        raw.blocked.indptr[local] : raw.blocked.indptr[local + 1]
    ]
    same = row[codes[row] == codes[local]]
    if len(same):
        return "isolated: its only neighbours exceed the household ceiling alone"
    if len(row):
        return "isolated: neighbours within {gap} m are all in another {group}"
    if len(brow):
        return "isolated: neighbours within {gap} m are across a barrier"
    # Neighbours that are not selected, or already in a locked block, don't count.
    return "isolated: no selected neighbour within {gap} m"


def dissolve_blocks(
    communities: gpd.GeoDataFrame,
    labels: pd.Series,
    *,
    gap_m: float = DEFAULT_GAP_M,
) -> gpd.GeoDataFrame:
    """Draw one outline per block: the union of its members, street gaps closed.

    Parameters
    ----------
    communities
        The communities passed to :func:`bundle_blocks` (metric CRS).
    labels
        :attr:`BundlingResult.labels` (block id per community, ``-1`` for none),
        indexed by community id.
    gap_m
        The adjacency tolerance; members are buffered by ``gap_m / 2 + 0.5`` m,
        unioned, then buffered back in (a morphological closing), so streets up
        to ``gap_m`` wide between members are filled.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``block_id`` with ``n_communities`` and a valid polygonal
        ``geometry``, in the input CRS.

    Notes
    -----
    The closing rounds convex corners and fills concave notches narrower than
    about ``gap_m``, so an outline may cover a few metres of street or of a
    non-member plot in such a notch; use it for display and area summaries, not
    for membership (membership is ``labels``). The extra 0.5 m keeps members
    exactly ``gap_m`` apart joined. Geometries are passed through
    ``shapely.make_valid`` when GEOS returns an invalid closing.
    """
    validate_metric_polygons(communities)
    lab = pd.Series(labels).reindex(communities.index)
    if lab.isna().any():
        missing = communities.index[lab.isna().to_numpy()][:5].tolist()
        msg = f"labels lack communities: {missing}."
        raise ValueError(msg)
    lab = lab.astype(np.int64)
    radius = max(float(gap_m), 0.0) / 2.0 + 0.5
    geoms = np.asarray(communities.geometry.values)
    keep = lab.to_numpy() >= 0
    block_ids = np.unique(lab.to_numpy()[keep])
    out_geoms = []
    counts = []
    for b in block_ids:
        pos = np.flatnonzero(lab.to_numpy() == b)
        members = shapely.union_all(geoms[pos])
        grown = shapely.buffer(members, radius, join_style="mitre")
        closed = shapely.buffer(grown, -radius, join_style="mitre")
        # The closing can shave a sliver off acute corners: add the members back.
        shape = shapely.union_all([closed, members])
        if not shapely.is_valid(shape):
            shape = shapely.make_valid(shape)
        parts = shapely.get_parts(shape)
        polys = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
        shape = shapely.union_all(polys) if len(polys) else members
        out_geoms.append(shape)
        counts.append(len(pos))
    return gpd.GeoDataFrame(
        {"n_communities": np.asarray(counts, dtype=np.int64)},
        geometry=out_geoms,
        index=pd.Index(block_ids, name="block_id"),
        crs=communities.crs,
    )
