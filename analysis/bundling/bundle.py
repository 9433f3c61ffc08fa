"""The GeoDataFrame adapter: communities, barriers, groups, locked blocks and gaps into a bundling result."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from analysis.adjacency import (
    DEFAULT_GAP_M,
    Adjacency,
    community_adjacency,
    validate_metric_polygons,
)
from analysis.bundling.partition import (
    DEFAULT_MAX_HOUSEHOLDS,
    DEFAULT_MIN_HOUSEHOLDS,
    Partition,
    partition_contiguous,
)
from analysis.bundling.tables import _blocks_table, _numeric, _unassigned_table

_ALGORITHM: Final = "components+skater-ssd/v1"


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
