"""Tests for analysis.special_works: touching, conflicts and the joint year (no DB)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from analysis.special_works import (
    Window,
    joint_schedule,
    schedules,
    touching,
)

CRS = "EPSG:4549"


def _targets(rows):
    return gpd.GeoDataFrame(
        {
            "key": [r[0] for r in rows],
            "year": [r[1] for r in rows],
            "fixed": [r[3] if len(r) > 3 else False for r in rows],
        },
        geometry=[r[2] for r in rows],
        crs=CRS,
    )


def _works(rows):
    return gpd.GeoDataFrame(
        {
            "code": [r[0] for r in rows],
            "start_year": [r[1] for r in rows],
            "end_year": [r[2] for r in rows],
            "status": [r[3] for r in rows],
        },
        geometry=[r[4] for r in rows],
        crs=CRS,
    )


BOX = shapely.box(0, 0, 100, 100)


def test_a_work_inside_crossing_or_along_the_fence_touches_one_far_away_does_not():
    targets = _targets([("A", 2026, BOX)])
    works = _works(
        [
            ("inside", 2026, 2026, "planned", shapely.box(10, 10, 20, 20)),
            (
                "crossing",
                2026,
                2026,
                "planned",
                shapely.LineString([(-50, 50), (150, 50)]),
            ),
            # a pipeline in the street 8 m outside the fence
            (
                "street",
                2026,
                2026,
                "planned",
                shapely.LineString([(-8, -50), (-8, 150)]),
            ),
            (
                "far",
                2026,
                2026,
                "planned",
                shapely.LineString([(-30, -50), (-30, 150)]),
            ),
        ]
    )
    pairs = touching(targets, works, buffer_m=10)
    assert sorted(pairs["code"]) == ["crossing", "inside", "street"]
    assert sorted(touching(targets, works, buffer_m=0)["code"]) == [
        "crossing",
        "inside",
    ]


def test_touching_refuses_geographic_crs_and_mixed_crs():
    targets = _targets([("A", 2026, BOX)])
    works = _works([("w", 2026, 2026, "planned", BOX)])
    with pytest.raises(ValueError, match="projected"):
        touching(targets.set_crs("EPSG:4326", allow_override=True), works)
    with pytest.raises(ValueError, match="different CRS"):
        touching(targets, works.set_crs("EPSG:3857", allow_override=True))


def test_every_work_in_the_renovation_year_is_no_conflict():
    s = joint_schedule(2026, [Window("a", 2025, 2027), Window("b", 2026, 2026)])
    assert not s.conflict
    assert s.joint_year == 2026
    assert s.reschedule == ()
    assert not s.renovation_moves


def test_works_sharing_a_later_year_move_the_renovation_to_the_nearest_shared_year():
    # renovation 2025, sewer separation 2027–2028, sponge city 2026–2028
    s = joint_schedule(
        2025, [Window("sewer", 2027, 2028), Window("sponge", 2026, 2028)]
    )
    assert s.conflict
    assert s.joint_year == 2027
    assert s.reschedule == ()
    assert s.renovation_moves


def test_works_sharing_no_year_reschedule_the_fewest_planned_ones():
    # two works allow 2027, one allows only 2025; renovation 2026
    s = joint_schedule(
        2026,
        [Window("a", 2027, 2028), Window("b", 2027, 2027), Window("c", 2025, 2025)],
    )
    assert s.conflict
    assert s.joint_year == 2027
    assert s.reschedule == ("c",)


def test_a_work_under_way_cannot_move_so_the_joint_year_is_in_its_years():
    # a planned work allows 2026 (the renovation year); the gas work under way, 2027
    s = joint_schedule(
        2026,
        [Window("plan", 2026, 2026), Window("gas", 2027, 2027, "under_way")],
    )
    assert s.conflict
    assert s.joint_year == 2027
    assert s.reschedule == ("plan",)
    assert s.blocked == ()


def test_a_fixed_renovation_keeps_its_year_and_names_the_works_to_move():
    s = joint_schedule(
        2026,
        [Window("late", 2028, 2029), Window("gas", 2027, 2027, "under_way")],
        fixed=True,
    )
    assert s.conflict
    assert s.joint_year == 2026
    assert s.reschedule == ("late", "gas")
    assert s.blocked == ("gas",)


def test_done_works_are_listed_but_never_conflict():
    s = joint_schedule(2027, [Window("old", 2022, 2023, "done")])
    assert s.works == ("old",)
    assert not s.conflict
    assert s.joint_year == 2027


def test_ties_go_to_the_earlier_year():
    # renovation 2026; works 2025 and 2027 each alone: 2025 and 2027 both move one work
    s = joint_schedule(2026, [Window("a", 2025, 2025), Window("b", 2027, 2027)])
    assert s.joint_year == 2025
    assert s.reschedule == ("b",)


def test_without_a_renovation_year_works_in_different_years_conflict():
    assert joint_schedule(
        None, [Window("a", 2025, 2025), Window("b", 2027, 2027)]
    ).conflict
    s = joint_schedule(None, [Window("a", 2025, 2026), Window("b", 2026, 2027)])
    assert not s.conflict
    assert s.joint_year == 2026


def test_years_out_of_order_are_refused():
    with pytest.raises(ValueError, match="before start"):
        joint_schedule(2026, [Window("bad", 2027, 2025)])


def test_schedules_keys_the_touched_targets_only():
    targets = _targets(
        [
            ("P1", 2025, BOX),
            ("P2", 2026, shapely.box(500, 0, 600, 100), True),
            ("P3", 2026, shapely.box(2000, 0, 2100, 100)),
        ]
    )
    works = _works(
        [
            (
                "sewer",
                2027,
                2028,
                "planned",
                shapely.LineString([(-50, 50), (650, 50)]),
            ),
            ("gas", 2026, 2026, "under_way", shapely.box(510, 10, 520, 20)),
        ]
    )
    out = schedules(targets, works)
    assert set(out) == {"P1", "P2"}
    assert out["P1"].works == ("sewer",)
    assert out["P1"].joint_year == 2027
    # P2 has started: it keeps 2026, the sewer works move to it
    assert out["P2"].works == ("gas", "sewer")
    assert out["P2"].joint_year == 2026
    assert out["P2"].reschedule == ("sewer",)
