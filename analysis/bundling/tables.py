"""The tables of a bundling result: blocks with their figures, unassigned communities with a reason."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from analysis.adjacency import (
    Adjacency,
)
from analysis.bundling.partition import Partition

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


def _numeric(communities: pd.DataFrame, col: str) -> np.ndarray:
    if col not in communities.columns:
        return np.full(len(communities), np.nan)
    return pd.to_numeric(communities[col], errors="coerce").to_numpy(dtype=float)


def _plural(k: int, word: str) -> str:
    return f"{k} {word}" if k == 1 else f"{k} {word}s"


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
