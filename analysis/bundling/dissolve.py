"""Block outlines: the members' polygons dissolved across the small gaps between them."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.adjacency import (
    DEFAULT_GAP_M,
    validate_metric_polygons,
)


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
