"""Tests for geoapp.analysis.rules: parsing, validation, distances and tier semantics.

Cases: the shipped GB 50180-2018 fixture loads; tier distances in metres, strict
variant and speed mode; category thresholds; cumulative required sets; every
validation error names what is wrong.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from geoapp.analysis.rules import RuleSet, load_ruleset

FIXTURE = Path(__file__).parents[3] / "fixtures" / "rulesets" / "gb50180_2018.json"


def _small() -> dict[str, Any]:
    return {
        "name": "test",
        "version": 1,
        "tiers": [
            {"minutes": 10, "distance_m": 500},
            {"minutes": 5, "distance_m": 300},
            {"minutes": 15, "distance_m": 1000, "strict_distance_m": 800},
        ],
        "walking_profiles": [{"code": "elderly", "speed_m_per_min": 55.0}],
        "categories": [
            {"code": "k", "tier_minutes": 5, "required": True, "service_radius_m": 300},
            {"code": "g", "tier_minutes": 5, "required": True, "service_radius_m": 70},
            {"code": "n", "tier_minutes": 5, "required": False},
            {"code": "p", "tier_minutes": 10, "required": True},
            {"code": "m", "tier_minutes": 15, "required": True},
        ],
    }


@pytest.fixture
def rs() -> RuleSet:
    return load_ruleset(_small())


def test_fixture_loads() -> None:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    rs = load_ruleset(data)
    assert rs.tier_minutes == (5, 10, 15)
    assert len(rs.codes) == len(data["categories"])
    assert rs.rule("kindergarten").tier_minutes == 5
    assert rs.profile("elderly").speed_m_per_min == 55.0


def test_tiers_sorted_and_distances(rs: RuleSet) -> None:
    assert rs.tier_minutes == (5, 10, 15)
    # 5/10/15 min = 300/500/1000 m (GB 50180-2018, LIFECIRCLE.md §1.6)
    assert rs.distance_for(5) == 300.0
    assert rs.distance_for(10) == 500.0
    assert rs.distance_for(15) == 1000.0
    # strict variant only exists at 15 min (800 m); other tiers unchanged
    assert rs.distance_for(15, strict=True) == 800.0
    assert rs.distance_for(5, strict=True) == 300.0
    # speed mode: minutes × speed, 10 × 55 = 550
    assert rs.distance_for(10, speed_m_per_min=55.0) == 550.0


def test_thresholds(rs: RuleSet) -> None:
    assert rs.threshold_m("k") == 300.0
    assert rs.threshold_m("g") == 70.0  # own radius smaller than the tier
    assert rs.threshold_m("p") == 500.0  # no radius: tier distance
    assert rs.threshold_m("m", strict=True) == 800.0
    # speed mode rescales the tier: 70 × (5 × 60 / 300) = 70; 300 → 5 × 66 = 330
    assert rs.threshold_m("g", speed_m_per_min=60.0) == pytest.approx(70.0)
    assert rs.threshold_m("k", speed_m_per_min=66.0) == pytest.approx(330.0)
    assert rs.max_distance_m() == 1000.0
    assert rs.max_distance_m(strict=True) == 800.0


def test_required_codes_are_cumulative(rs: RuleSet) -> None:
    assert rs.required_codes(5) == ("k", "g")
    assert rs.required_codes(10) == ("k", "g", "p")
    assert rs.required_codes(15) == ("k", "g", "p", "m")
    assert rs.required_codes() == ("k", "g", "p", "m")


def test_unknown_lookups(rs: RuleSet) -> None:
    with pytest.raises(ValueError, match="Unknown tier 20"):
        rs.distance_for(20)
    with pytest.raises(ValueError, match="Unknown facility category 'zz'"):
        rs.rule("zz")
    with pytest.raises(ValueError, match="mutually exclusive"):
        rs.distance_for(15, strict=True, speed_m_per_min=60)
    with pytest.raises(ValueError, match="positive"):
        rs.distance_for(15, speed_m_per_min=0)


def _mutate(path: list[Any], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(_small())
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["categories", 0, "tier_minutes"], 7, "unknown tier 7"),
        (["categories", 0, "service_radius_m"], -5, "service_radius_m"),
        (["categories", 1, "code"], "k", "duplicate category code"),
        (["categories", 0, "required"], "yes", "'required' must be true or false"),
        (["tiers", 0, "minutes"], 5, "duplicate tier minutes"),
        (["tiers", 1, "distance_m"], -300, "distance_m"),
        (["tiers", 2, "strict_distance_m"], 1200, "strict_distance_m"),
        (["tiers", 0, "distance_m"], 200, "must exceed"),
        (["name"], "", "'name'"),
        (["categories"], [], "'categories' must be a non-empty list"),
        (["walking_profiles", 0, "speed_m_per_min"], 0, "speed_m_per_min"),
    ],
)
def test_validation_errors(path: list[Any], value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_ruleset(_mutate(path, value))


def test_not_a_mapping() -> None:
    with pytest.raises(ValueError, match="mapping"):
        load_ruleset([])  # type: ignore[arg-type]


def test_frozen(rs: RuleSet) -> None:
    with pytest.raises(AttributeError):
        rs.name = "x"  # type: ignore[misc]
