"""Households estimated from building footprints x levels (analysis.households).

::

    area A (0..100 x 0..100)          area B (200..300)      area C: no buildings
      b1 20x10, 6 levels  -> 1200 m2     b3 10x10, no levels -> 100 x 6 = 600 m2
      b2 10x10, no levels -> 600 m2      b4 school 50x50: not residential
      b5 40x10 across A's east edge (70..110), no levels: its representative point
         is inside A, so it counts there, whole: 400 x 6 = 2400 m2
"""

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from analysis.households import estimate_households

CRS = "EPSG:4549"


def test_footprints_times_levels_per_area():
    areas = gpd.GeoSeries(
        [box(0, 0, 100, 100), box(200, 0, 300, 100), box(400, 0, 500, 100)], crs=CRS
    )
    buildings = gpd.GeoDataFrame(
        {
            "levels": [6, None, None, 3, None],
            "building": ["apartments", "yes", "residential", "school", "yes"],
        },
        geometry=[
            box(10, 10, 30, 20),
            box(50, 50, 60, 60),
            box(210, 10, 220, 20),
            box(240, 40, 290, 90),
            box(70, 0, 110, 10),
        ],
        crs=CRS,
    )
    e = estimate_households(areas, buildings, floor_area_per_household_m2=80)
    assert e["buildings"].tolist() == [3, 1, 0]
    assert e["buildings_with_levels"].tolist() == [1, 0, 0]
    assert e["floor_area_m2"].tolist() == pytest.approx([1200 + 600 + 2400, 600, 0])
    assert e["households"].tolist()[:2] == [round(4200 / 80), round(600 / 80)]
    assert e["households"].isna().tolist() == [False, False, True]


def test_refuses_degrees_and_bad_assumptions():
    areas = gpd.GeoSeries([box(0, 0, 1, 1)], crs="EPSG:4326")
    with pytest.raises(ValueError, match="geographic"):
        estimate_households(areas, gpd.GeoDataFrame({"levels": []}, geometry=[]))
    metric = areas.set_crs(CRS, allow_override=True)
    with pytest.raises(ValueError):
        estimate_households(
            metric, gpd.GeoDataFrame({"levels": []}, geometry=[]), default_levels=0
        )


def test_no_buildings_no_estimate():
    areas = gpd.GeoSeries([box(0, 0, 1, 1)], crs=CRS)
    e = estimate_households(
        areas, gpd.GeoDataFrame({"levels": []}, geometry=[], crs=CRS)
    )
    assert e["households"].isna().all() and (e["buildings"] == 0).all()
    assert np.isclose(e["floor_area_m2"], 0).all()
