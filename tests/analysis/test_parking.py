"""analysis.parking: ratios in force, demand, gap per community and block, plots."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import scipy.sparse as sp

from analysis import parking

DATA = {
    "versions": [
        {
            "id": "old",
            "effective_from": "2020-01-01",
            "effective_to": "2023-12-31",
            "default": {"*": 0.2},
        },
        {
            "id": "survey-2024",
            "effective_from": "2024-01-01",
            "effective_to": None,
            "source": "test",
            "default": {"work_unit": 0.4, "commodity": 0.6, "*": 0.5},
            "districts": {"330203": {"work_unit": 0.3}},
        },
    ]
}


def version(on=dt.date(2025, 6, 1)):
    return parking.parking_version(DATA, on)


def test_version_in_force():
    assert version()["id"] == "survey-2024"
    assert version(dt.date(2021, 1, 1))["id"] == "old"
    with pytest.raises(ValueError, match="in force"):
        parking.parking_version(DATA, dt.date(2019, 1, 1))


@pytest.mark.parametrize("bad", [-0.1, 3.5, "0.5", True])
def test_version_rejects_bad_ratios(bad):
    data = {"versions": [{**DATA["versions"][1], "default": {"commodity": bad}}]}
    with pytest.raises(ValueError, match="parking ratio"):
        parking.parking_version(data, dt.date(2025, 1, 1))


def test_version_needs_default():
    data = {"versions": [{**DATA["versions"][1], "default": {}}]}
    with pytest.raises(ValueError, match="default"):
        parking.parking_version(data, dt.date(2025, 1, 1))


def test_ratio_district_then_default_then_star():
    r = parking.demand_ratios(
        ["work_unit", "work_unit", "commodity", "villa"],
        ["330203", "330212", "330203", "330203"],
        version(),
    )
    np.testing.assert_allclose(r, [0.3, 0.4, 0.6, 0.5])


def test_ratio_unknown_without_star():
    v = {"default": {"commodity": 0.6}}
    r = parking.demand_ratios(["villa"], ["x"], v)
    assert np.isnan(r[0])


def test_community_demand_and_gap():
    df = parking.community_parking(
        households=[400, 250, 300, 101],
        housing_type=["work_unit", "commodity", "work_unit", "work_unit"],
        district_code=["330203", "330212", "330212", "330212"],
        spaces=[80, 200, None, 0],
        version=version(),
    )
    # 400 × 0.3 = 120; 250 × 0.6 = 150; 300 × 0.4 = 120; 101 × 0.4 = 40.4 → 40
    assert df["demand"].tolist() == [120, 150, 120, 40]
    assert df["gap"].iloc[0] == 40
    assert df["gap"].iloc[1] == -50  # a surplus
    assert df["shortage"].iloc[1] == 0
    assert np.isnan(df["gap"].iloc[2])  # not surveyed: unknown, not 120
    assert np.isnan(df["shortage"].iloc[2])
    assert df["shortage"].iloc[3] == 40


def test_demand_rounds_half_up_like_sql():
    df = parking.community_parking(
        [5, 15], ["x", "x"], ["d", "d"], [0, 0], {"default": {"x": 0.5}}
    )
    # 2.5 → 3 and 7.5 → 8 (SQL round(numeric)), not banker's 2 and 8
    assert df["demand"].tolist() == [3, 8]


def test_negative_inputs_rejected():
    with pytest.raises(ValueError, match="households"):
        parking.community_parking([-1], ["x"], ["d"], [0], {"default": {"x": 0.5}})
    with pytest.raises(ValueError, match="spaces"):
        parking.community_parking([1], ["x"], ["d"], [-3], {"default": {"x": 0.5}})


def test_block_totals():
    df = parking.community_parking(
        households=[400, 250, 300, 100],
        housing_type=["work_unit", "commodity", "work_unit", "work_unit"],
        district_code=["330203", "330212", "330212", "330212"],
        spaces=[80, 200, None, 10],
        version=version(),
    )
    out = parking.block_parking(["B1", "B1", "B1", None], df)
    assert list(out.index) == ["B1"]
    b = out.loc["B1"]
    assert b["communities"] == 3
    assert b["surveyed"] == 2
    assert b["demand"] == 120 + 150 + 120
    assert b["spaces"] == 280
    assert b["gap"] == 40 - 50
    # the surplus of one community does not cover the other's shortage
    assert b["shortage"] == 40


def test_plot_spaces():
    got = parking.plot_spaces([900, 29, np.nan, -5, 61])
    assert got.tolist() == [30, 0, 0, 0, 2]
    with pytest.raises(ValueError):
        parking.plot_spaces([1], 0)


def test_gap_reduced_caps_at_spaces_and_reach():
    cover = sp.csr_matrix(np.array([[1, 1, 0], [0, 0, 1], [0, 0, 0]], dtype=float))
    reduced, reach = parking.gap_reduced([50, 50, 50], cover, [30, np.nan, 80])
    assert reach.tolist() == [30, 80, 0]
    assert reduced.tolist() == [30, 50, 0]


def test_prefer_parking():
    got = parking.prefer_parking([100, 10, 0], [20, 20, 0], 1.0)
    assert got.tolist() == [False, True, False]
    assert not parking.prefer_parking([0], [50], 0.0).any()
    with pytest.raises(ValueError):
        parking.prefer_parking([0], [0], -1)


def test_set_gap_reduced_counts_a_community_once():
    cover = sp.csr_matrix(np.array([[1, 1, 0], [0, 1, 0], [0, 0, 1]], dtype=float))
    shortage = [30, 40, 5]
    # plots 0 and 1 both reach community 1: its 40 counted once (70, not 110)
    assert parking.set_gap_reduced([0, 1], [100, 100, 100], cover, shortage) == 70
    # capped by the spaces
    assert parking.set_gap_reduced([0, 1], [10, 20, 0], cover, shortage) == 30
    assert parking.set_gap_reduced([], [1, 1, 1], cover, shortage) == 0
