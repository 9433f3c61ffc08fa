"""Community access points: gates where given, else points along the boundary."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.network.graph import check_metric_crs


def community_access_points(
    polygons: gpd.GeoSeries | gpd.GeoDataFrame,
    entrances: gpd.GeoSeries | None = None,
    *,
    spacing_m: float = 50.0,
) -> pd.DataFrame:
    """Points where residents leave each community.

    Parameters
    ----------
    polygons
        Community (Multi)Polygons, metric CRS.
    entrances
        Optional Point/MultiPoint per community, aligned by position with
        ``polygons``; null or empty where unknown.
    spacing_m
        Spacing of the boundary points used where entrances are unknown.

    Returns
    -------
    pandas.DataFrame
        Columns ``community`` (row position in ``polygons``), ``x``, ``y`` and
        ``source`` (``"entrance"`` or ``"boundary"``).

    Raises
    ------
    ValueError
        On a geographic CRS, a non-positive spacing or misaligned entrances.

    Notes
    -----
    Known gates are the authority (LIFECIRCLE.md, "support a curated local walk
    network (gated-community gates …)"). Without them, points every
    ``spacing_m`` along each exterior ring (starting at its first vertex, at
    least one per ring) stand in for gates, which is optimistic for walled
    estates: the nearest boundary point is used as if it were a gate.
    """
    geom = polygons.geometry if isinstance(polygons, gpd.GeoDataFrame) else polygons
    check_metric_crs(geom.crs, "communities")
    if not (np.isfinite(spacing_m) and spacing_m > 0):
        msg = f"spacing_m must be positive, got {spacing_m!r}."
        raise ValueError(msg)
    g = np.asarray(geom.array, dtype=object)
    n = g.shape[0]
    use_entrance = np.zeros(n, dtype=bool)
    frames: list[pd.DataFrame] = []
    if entrances is not None:
        e = np.asarray(
            entrances.array if hasattr(entrances, "array") else entrances, dtype=object
        )
        if e.shape[0] != n:
            msg = f"entrances has {e.shape[0]} rows, polygons has {n}."
            raise ValueError(msg)
        ok = ~(shapely.is_missing(e) | shapely.is_empty(e))
        if ok.any():
            pts, idx = shapely.get_parts(e[ok], return_index=True)
            pxy = shapely.get_coordinates(pts)
            owners = np.flatnonzero(ok)[idx]
            use_entrance[owners] = True
            frames.append(
                pd.DataFrame(
                    {
                        "community": owners,
                        "x": pxy[:, 0],
                        "y": pxy[:, 1],
                        "source": "entrance",
                    }
                )
            )
    rest = np.flatnonzero(
        ~use_entrance & ~(shapely.is_missing(g) | shapely.is_empty(g))
    )
    if rest.size:
        polys, pidx = shapely.get_parts(g[rest], return_index=True)
        rings = shapely.get_exterior_ring(polys)
        ring_len = shapely.length(rings)
        count = np.maximum(np.ceil(ring_len / spacing_m), 1).astype(np.int64)
        rep = np.repeat(np.arange(rings.shape[0]), count)
        first = np.repeat(np.cumsum(count) - count, count)
        along = (np.arange(rep.shape[0]) - first) * spacing_m
        bxy = shapely.get_coordinates(shapely.line_interpolate_point(rings[rep], along))
        frames.append(
            pd.DataFrame(
                {
                    "community": rest[pidx][rep],
                    "x": bxy[:, 0],
                    "y": bxy[:, 1],
                    "source": "boundary",
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            {
                "community": np.zeros(0, np.int64),
                "x": np.zeros(0),
                "y": np.zeros(0),
                "source": np.zeros(0, object),
            }
        )
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values("community", kind="stable").reset_index(drop=True)
