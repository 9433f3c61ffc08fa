"""What a demo city is: its CRS, cell size, scales, array types and the DemoCity record."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from affine import Affine
from numpy.typing import NDArray

CRS = "EPSG:4549"
CELL_M = 100.0
SANJIANGKOU = (121.550, 29.875)
_LONLAT_BOUNDS = (121.30, 29.60, 122.00, 30.10)
_ROTATION_DEG = 12.0
_OLD_CORE_M = 3500.0

Float = NDArray[np.float64]
Bool = NDArray[np.bool_]
Int = NDArray[np.int64]


@dataclass(frozen=True)
class _Scale:
    spacing_m: float
    warp_m: float
    communities: int
    amenity_factor: float
    idle: int
    vacant: int
    bridge_core_m: float
    bridge_far_m: float


_SCALES: dict[str, _Scale] = {
    "small": _Scale(175.0, 9000.0, 600, 1.0, 200, 100, 900.0, 2500.0),
    "city": _Scale(27.0, 12000.0, 3200, 25.0, 2200, 600, 700.0, 1800.0),
    # the whole municipality's density: ~800k walk nodes, ~15k communities (issue 22)
    "region": _Scale(12.2, 12000.0, 15000, 110.0, 10000, 3000, 700.0, 1800.0),
}
#: the scales a demo city can be generated at
SCALES = tuple(_SCALES)


@dataclass(frozen=True, eq=False)
class DemoCity:
    """A generated demo city: every source layer plus the population raster.

    All GeoDataFrames use EPSG:4549 and ``geometry`` as the active geometry
    column; columns follow ``docs/DATA_MODEL.md``.
    """

    districts: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    idle_land: gpd.GeoDataFrame
    vacant_housing: gpd.GeoDataFrame
    amenities: gpd.GeoDataFrame
    walk_segments: gpd.GeoDataFrame
    population: NDArray[np.float32]
    population_transform: Affine
    seed: int
    scale: str
    stage_history: pd.DataFrame | None = None
    basemap: gpd.GeoDataFrame | None = None
    #: residents' suggestions (geoapp.demo.generator.voice)
    suggestions: pd.DataFrame | None = None
