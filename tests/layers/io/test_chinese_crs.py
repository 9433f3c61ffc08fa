"""GCJ-02 / BD-09 conversions: control pairs from the forward formula, round trips.

Reference values: the forward GCJ-02 pair for Tianyi Square (121.5537, 29.8707) was
computed with the published formula (eviltransform / coordtransform, same constants);
the offset in Ningbo is ~0.0045° east and ~-0.0024° north (~500 m).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.io.chinese_crs import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)


def test_forward_offset_in_ningbo_is_hundreds_of_metres():
    gx, gy = wgs84_to_gcj02(121.5537, 29.8707)
    dx_m = (gx - 121.5537) * 111_320 * np.cos(np.radians(29.87))
    dy_m = (gy - 29.8707) * 110_574
    assert 300 < np.hypot(dx_m, dy_m) < 700
    assert 0.004 < gx - 121.5537 < 0.006  # east
    assert -0.004 < gy - 29.8707 < 0  # south


def test_outside_china_unchanged():
    x, y = wgs84_to_gcj02([2.35, 139.0], [48.85, 60.0])
    assert np.array_equal(x, [2.35, 139.0]) and np.array_equal(y, [48.85, 60.0])


def test_inverse_residual_below_1e7_degrees():
    rng = np.random.default_rng(42)
    lon = rng.uniform(120.8, 122.5, 10_000)
    lat = rng.uniform(28.8, 30.6, 10_000)
    gx, gy = wgs84_to_gcj02(lon, lat)
    wx, wy = gcj02_to_wgs84(gx, gy)
    assert np.abs(wx - lon).max() < 1e-7
    assert np.abs(wy - lat).max() < 1e-7
    bx, by = wgs84_to_bd09(lon, lat)
    wx, wy = bd09_to_wgs84(bx, by)
    assert np.abs(wx - lon).max() < 1e-7
    assert np.abs(wy - lat).max() < 1e-7


def test_bd09_known_relation():
    # BD-09 adds a further ~0.0065/0.006 deg shift to GCJ-02
    bx, by = gcj02_to_bd09(121.558, 29.868)
    assert 0.005 < bx - 121.558 < 0.008 and 0.004 < by - 29.868 < 0.008
    gx, gy = bd09_to_gcj02(bx, by)
    assert abs(gx - 121.558) < 1e-9 and abs(gy - 29.868) < 1e-9


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=73.0, max_value=135.0),
    st.floats(min_value=18.0, max_value=53.0),
)
def test_round_trip_property(lon, lat):
    wx, wy = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert abs(wx - lon) < 1e-7 and abs(wy - lat) < 1e-7
