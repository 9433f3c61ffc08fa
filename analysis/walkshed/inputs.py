"""Checking and reading the inputs of a life-circle computation: codes, points, attributes, islands, straight-line fallback."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree

from analysis.network import (
    SnapResult,
    WalkNetwork,
    check_metric_crs,
)
from analysis.rules import RuleSet
from analysis.walkshed.pairs import _per_community
from analysis.walkshed.routing import FloatArray, IntArray


# ----------------------------------------------------------------------- helpers
def _check_inputs(
    network: WalkNetwork | None,
    communities: gpd.GeoDataFrame,
    amenities: gpd.GeoDataFrame,
    ruleset: RuleSet,
    categories: Sequence[str] | None,
) -> tuple[str, ...]:
    if not isinstance(communities, gpd.GeoDataFrame):
        msg = "communities must be a GeoDataFrame."
        raise TypeError(msg)
    if not isinstance(amenities, gpd.GeoDataFrame):
        msg = "amenities must be a GeoDataFrame."
        raise TypeError(msg)
    if "category" not in amenities.columns:
        msg = "amenities needs a 'category' column (a rule-set category code)."
        raise ValueError(msg)
    check_metric_crs(communities.crs, "communities")
    check_metric_crs(amenities.crs, "amenities")
    crs_set = {str(c) for c in (communities.crs, amenities.crs) if c is not None}
    if network is not None and network.crs is not None:
        crs_set.add(str(network.crs))
    if len(crs_set) > 1:
        msg = f"CRS mismatch between network, communities and amenities: {crs_set}."
        raise ValueError(msg)
    if categories is None:
        return ruleset.codes
    cats = tuple(dict.fromkeys(str(c) for c in categories))
    unknown = [c for c in cats if c not in ruleset.codes]
    if unknown:
        msg = f"Unknown categories {unknown}; the rule set has {list(ruleset.codes)}."
        raise ValueError(msg)
    if not cats:
        msg = "categories must not be empty."
        raise ValueError(msg)
    return cats


def _codes(frame: pd.DataFrame, what: str) -> npt.NDArray[np.object_]:
    raw = frame["code"] if "code" in frame.columns else frame.index.to_series()
    codes = np.asarray(raw.to_numpy(), dtype=object)
    if pd.Series(codes).duplicated().any():
        msg = f"{what} has duplicate codes."
        raise ValueError(msg)
    return codes


def _point_xy(frame: gpd.GeoDataFrame, what: str) -> FloatArray:
    geom = frame.geometry
    if len(geom) == 0:
        return np.zeros((0, 2))
    if geom.isna().any() or geom.is_empty.any():
        msg = f"{what} has null or empty geometries."
        raise ValueError(msg)
    if not (geom.geom_type == "Point").all():
        msg = f"{what} must be Point geometries."
        raise ValueError(msg)
    return np.column_stack([geom.x.to_numpy(float), geom.y.to_numpy(float)])


def _community_attrs(
    communities: gpd.GeoDataFrame,
    codes: npt.NDArray[np.object_],
    persons_per_household: float,
) -> tuple[pd.DataFrame, int]:
    n = len(communities)
    residents = (
        pd.to_numeric(communities["residents"], errors="coerce").to_numpy(float)
        if "residents" in communities.columns
        else np.full(n, np.nan)
    )
    imputed = 0
    if "households" in communities.columns:
        hh = pd.to_numeric(communities["households"], errors="coerce").to_numpy(float)
        fill = np.isnan(residents) & ~np.isnan(hh)
        residents = np.where(fill, hh * persons_per_household, residents)
        imputed = int(fill.sum())
    residents = np.nan_to_num(residents, nan=0.0)

    def col(name: str) -> npt.NDArray[np.object_]:
        if name in communities.columns:
            return communities[name].astype(object).fillna("").to_numpy()
        return np.full(n, "", dtype=object)

    attrs = pd.DataFrame(
        {
            "street_code": col("street_code"),
            "district_code": col("district_code"),
            "residents": residents,
        },
        index=pd.Index(codes, name="community"),
    )
    return attrs, imputed


def _straight(
    pts: FloatArray,
    ap_xy: FloatArray,
    ap_owner: IntArray,
    n_comm: int,
    limit: float,
) -> FloatArray:
    if pts.shape[0] == 0 or ap_xy.shape[0] == 0:
        return np.full(n_comm, np.inf)
    d, _ = cKDTree(pts).query(ap_xy, k=1, distance_upper_bound=limit)
    d = np.asarray(d, dtype=float)
    d[d > limit] = np.inf
    return _per_community(d, ap_owner, n_comm)


def _unreachable_communities(
    codes: npt.NDArray[np.object_],
    ap_owner: IntArray,
    snap: SnapResult,
    n_comm: int,
) -> pd.DataFrame:
    reach = np.zeros(n_comm, dtype=bool)
    reach[ap_owner[snap.reachable]] = True
    gap = np.full(n_comm, np.nan)
    if ap_owner.size:
        tmp = np.full(n_comm, np.inf)
        np.minimum.at(tmp, ap_owner, snap.distance_m)
        has = np.isfinite(tmp)
        gap[has] = tmp[has]
    rows = np.flatnonzero(~reach)
    return pd.DataFrame({"code": codes[rows], "distance_to_network_m": gap[rows]})


_ISLAND_COUNTS = ("amenities_nearest", "access_points_nearest")


def _no_islands(crs: Any) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(
        {
            "component": np.zeros(0, np.int64),
            "nodes": np.zeros(0, np.int64),
            "edges": np.zeros(0, np.int64),
            "length_m": np.zeros(0),
            **{k: np.zeros(0, np.int64) for k in _ISLAND_COUNTS},
        }
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def _islands_nearest(
    network: WalkNetwork,
    min_component_nodes: int,
    *groups: tuple[FloatArray, SnapResult, str],
) -> gpd.GeoDataFrame:
    """The islands left out, with how many points of each group had one nearest.

    A point counts for an island when that island is nearer than the main-network
    edge it snapped to (or than every main edge, for an unreachable point).
    """
    islands = network.islands(min_component_nodes)
    if islands.empty:
        return _no_islands(network.crs)
    out = islands.copy()
    for xy, snap, column in groups:
        comp, d = network.nearest_island(xy, min_component_nodes=min_component_nodes)
        hit = (comp >= 0) & (d < snap.distance_m)
        counts = np.bincount(comp[hit], minlength=network.n_components)
        out[column] = counts[out["component"].to_numpy()].astype(np.int64)
    cols = ["component", "nodes", "edges", "length_m", *_ISLAND_COUNTS, "geometry"]
    return out[cols]


def _empty_unreachable_amenities() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": pd.Series(dtype=object),
            "category": pd.Series(dtype=object),
            "distance_to_network_m": pd.Series(dtype=float),
        }
    )
