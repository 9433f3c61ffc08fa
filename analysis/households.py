"""Households of a residential area estimated from its building footprints.

OpenStreetMap has no household counts. A candidate community's households are
estimated as the gross floor area of the residential buildings inside it (footprint
area × ``building:levels``) divided by a floor area per household:

    households ≈ Σ footprint_m2 × levels / floor_area_per_household_m2

Buildings without ``building:levels`` count with ``default_levels`` (most buildings
in OSM carry no levels). Both numbers are assumptions, so the result is always
*flagged as estimated*: a planner confirms or corrects it (layers.candidates).

Cases: a building counts for the area containing its representative point (once);
non-residential buildings (schools, shops, offices…) do not count; an area without
buildings has no estimate (``None``), never 0.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.network import check_metric_crs

__all__ = [
    "DEFAULT_LEVELS",
    "FLOOR_AREA_PER_HOUSEHOLD_M2",
    "NON_RESIDENTIAL",
    "estimate_households",
]

#: Gross floor area per household (m²). Flats in Ningbo's pre-2000 compounds are mostly
#: 50–70 m² of usable area; with stairs, walls and shared space that is about 80 m²
#: of gross (建筑面积) floor area each.
FLOOR_AREA_PER_HOUSEHOLD_M2 = 80.0
#: Storeys assumed where OSM has no ``building:levels``: the six-storey walk-up (多层
#: 住宅) typical of the communities the renovation programme targets.
DEFAULT_LEVELS = 6
#: ``building=*`` values that hold no households
NON_RESIDENTIAL = frozenset(
    {
        "commercial",
        "retail",
        "office",
        "industrial",
        "warehouse",
        "school",
        "kindergarten",
        "university",
        "college",
        "hospital",
        "public",
        "civic",
        "government",
        "church",
        "temple",
        "garage",
        "garages",
        "parking",
        "carport",
        "shed",
        "roof",
        "hut",
        "kiosk",
        "toilets",
        "service",
        "transformer_tower",
        "train_station",
        "hotel",
        "sports_hall",
        "stadium",
        "construction",
    }
)


def estimate_households(
    areas: gpd.GeoSeries,
    buildings: gpd.GeoDataFrame,
    *,
    floor_area_per_household_m2: float = FLOOR_AREA_PER_HOUSEHOLD_M2,
    default_levels: int = DEFAULT_LEVELS,
) -> pd.DataFrame:
    """Estimate the households of each area from the buildings inside it.

    Parameters
    ----------
    areas
        Residential areas (Multi)Polygons, metric CRS.
    buildings
        Building footprints with ``levels`` (storeys or null) and ``building`` (the
        OSM value; optional), same CRS.
    floor_area_per_household_m2, default_levels
        The two assumptions (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        Aligned with ``areas``: ``buildings``, ``buildings_with_levels``,
        ``floor_area_m2`` and ``households`` (``<NA>`` without buildings).

    Raises
    ------
    ValueError
        On a geographic CRS or non-positive assumptions.
    """
    check_metric_crs(areas.crs, "areas")
    if not (floor_area_per_household_m2 > 0 and default_levels >= 1):
        msg = "floor_area_per_household_m2 must be > 0 and default_levels >= 1."
        raise ValueError(msg)
    n = len(areas)
    count = np.zeros(n, dtype=np.int64)
    with_levels = np.zeros(n, dtype=np.int64)
    floor = np.zeros(n)
    if n and len(buildings):
        b = buildings
        if "building" in b.columns:
            b = b[~b["building"].astype(str).isin(NON_RESIDENTIAL)]
        geoms = b.geometry.to_numpy()
        polys = shapely.get_type_id(geoms) >= 3  # (Multi)Polygons only
        geoms = geoms[polys]
        levels = pd.to_numeric(b["levels"], errors="coerce").to_numpy(float)[polys]
        pts = shapely.point_on_surface(geoms)
        tree = shapely.STRtree(np.asarray(areas.geometry.to_numpy(), dtype=object))
        b_idx, a_idx = tree.query(pts, predicate="within")
        # a point inside two overlapping areas counts for the first only
        first = np.unique(b_idx, return_index=True)[1]
        b_idx, a_idx = b_idx[first], a_idx[first]
        known = np.isfinite(levels[b_idx])
        lv = np.where(known, levels[b_idx], default_levels)
        area = shapely.area(geoms[b_idx]) * lv
        np.add.at(count, a_idx, 1)
        np.add.at(with_levels, a_idx, known.astype(np.int64))
        np.add.at(floor, a_idx, area)
    households = pd.array(
        np.round(floor / floor_area_per_household_m2).astype(np.int64), dtype="Int64"
    )
    households[count == 0] = pd.NA
    return pd.DataFrame(
        {
            "buildings": count,
            "buildings_with_levels": with_levels,
            "floor_area_m2": floor,
            "households": households,
        },
        index=areas.index,
    )
