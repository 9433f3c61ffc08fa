"""Tests for analysis.rules: parsing, validation, distances and tier semantics.

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

from analysis.rules import RuleSet, load_ruleset

FIXTURE = Path(__file__).parents[2] / "fixtures" / "rulesets" / "gb50180_2018.json"


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
    assert rs.tier_minutes == (3, 5, 10, 15)
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


# --- the shipped rule set checked against LIFECIRCLE.md and GB 50180-2018 附录B/C ---
@pytest.fixture(scope="module")
def gb() -> RuleSet:
    return load_ruleset(json.loads(FIXTURE.read_text(encoding="utf-8")))


def test_gb50180_2_0_5_block_tier_holds_its_own_facilities(gb: RuleSet) -> None:
    """居住街坊 (2.0.5): 生活垃圾收集点 within 70 m, 便利店 and 邮件快件 belong there (they
    were 5-minute rules); its 150 m is derived, so flagged unverified."""
    block = gb.tier(3)
    assert (block.name, block.distance_m, block.verified) == ("居住街坊", 150.0, False)
    assert gb.rule("garbage_point").tier_minutes == 3
    assert gb.threshold_m("garbage_point") == 70.0
    for code in ("convenience_store", "parcel_locker"):
        assert gb.rule(code).tier_minutes == 3, code
        assert gb.threshold_m(code) == 150.0
    # cumulative: a 5-minute circle must also provide the block facilities
    assert "garbage_point" in gb.required_codes(5)
    assert "kindergarten" not in gb.required_codes(3)


def test_gb50180_appendix_b_mall_and_bank_are_required_at_10_minutes(
    gb: RuleSet,
) -> None:
    """附录B marks 商场 and 银行营业网点 ▲ at 10 and 15 minutes: with cumulative sets they
    are checked at the 10-minute distance (they were checked at 1000 m only)."""
    for code in ("shopping_mall", "bank"):
        assert gb.rule(code).tier_minutes == 10, code
        assert gb.threshold_m(code) == 500.0
        assert "十分钟、十五分钟生活圈 ▲" in gb.rule(code).source_clause


def test_gb50180_appendix_b_missing_rules_are_there(gb: RuleSet) -> None:
    expected = {
        "garbage_station": (5, "生活垃圾收集站"),
        "nursing_care_home": (15, "老年养护院"),
        "street_office": (15, "街道办事处"),
        "judicial_office": (15, "司法所"),
    }
    for code, (tier, name) in expected.items():
        rule = gb.rule(code)
        assert (rule.tier_minutes, rule.name, rule.required) == (tier, name, True)


def test_gb50180_every_rule_cites_its_clause_with_a_verified_flag(gb: RuleSet) -> None:
    """Numbers come with their source; the 完整居住社区 minimums are cited as such (the
    kindergarten's 2 200 / 3 500 m² were cited as 表5.0.2-3), and the 文化活动站 radius,
    found in no source, is flagged."""
    for rule in gb.rules:
        assert rule.source_clause.startswith(("GB 50180-2018", "完整居住社区")), rule
        assert "表5.0.2" not in rule.source_clause, rule.code
    k = gb.rule("kindergarten")
    assert "完整居住社区建设标准 第2项" in k.source_clause
    assert (k.min_floor_area_m2, k.min_site_area_m2, k.verified) == (2200, 3500, True)
    culture = gb.rule("culture_station")
    assert culture.verified is False and "no radius" in culture.source_clause
    for tier in gb.tiers:
        assert tier.source_clause.startswith("GB 50180-2018"), tier


def test_complete_community_items_8_to_13_and_15_to_20(gb: RuleSet) -> None:
    """完整居住社区建设标准 items that are not walking distances are carried as rules
    (they were absent), each with its clause and verified flag."""
    items = {i["item"]: i for i in gb.complete_community_items}
    assert set(items) == {8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20}
    for n, item in items.items():
        assert f"第{n}项" in item["source_clause"]
        assert isinstance(item["verified"], bool)
    assert set(items[13]["categories"]) >= {"garbage_point", "public_toilet"}


def test_gb50180_4_0_5_and_old_estate_rules(gb: RuleSet) -> None:
    """旧区改建: public green per head >= 70 % of the control value (GB 4.0.5); old
    estates may have 2-3 convenience stores of 50-100 m² (完整居住社区 第6项)."""
    rules = {r["code"]: r for r in gb.old_area_rules}
    green = rules["public_green_share_of_control"]
    assert green["min_share_of_control"] == 0.7
    assert "4.0.5" in green["source_clause"]
    shops = rules["convenience_stores_for_supermarket"]
    assert (shops["min_count"], shops["max_count"]) == (2, 3)
    assert shops["category"] == "convenience_store"


def test_cited_rules_need_a_clause_and_known_categories() -> None:
    data = _small()
    data["old_area_rules"] = [{"code": "x", "verified": True}]
    with pytest.raises(ValueError, match="source_clause"):
        load_ruleset(data)
    data["old_area_rules"] = [
        {"code": "x", "verified": True, "source_clause": "c", "category": "nope"}
    ]
    with pytest.raises(ValueError, match="unknown categories"):
        load_ruleset(data)
