"""Tests for analysis.funding: funding split and city subsidy (三)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.funding import (
    PAYERS,
    catalogue_items,
    cofunding_share,
    funding_split,
    is_central_district,
    to_yuan,
)

PROGRAMME = Path(__file__).resolve().parents[2] / "fixtures" / "programme"
ON = dt.date(2021, 6, 1)


def load(name: str) -> dict[str, Any]:
    return json.loads((PROGRAMME / name).read_text(encoding="utf-8"))


RATES = load("funding_rates.json")
CATALOGUE = load("works_catalogue.json")
DISTRICTS = load("districts.json")
D = Decimal

# A mixed project, all items audited (final accounts):
#   road             480,000  basic          → government 100 %       = 480,000
#   stairwell        240,000  improvement, co-pay → gov 70 % = 168,000, owners 72,000
#   pocket_park      200,000  improvement    → gov 80 % = 160,000, owners 40,000
#   pipelines        300,000  basic/pipelines → gov 50 % = 150,000, utilities 150,000
#   elderly_service  400,000  enhancement    → social capital 100 %  = 400,000
# government = 480,000 + 168,000 + 160,000 + 150,000 = 958,000
MIXED = [
    {"code": "road", "budget_yuan": 500_000, "final_account_yuan": 480_000},
    {"code": "stairwell", "quantity": 10, "final_account_yuan": 240_000},
    {"code": "pocket_park", "budget_yuan": 200_000, "final_account_yuan": 200_000},
    {"code": "pipelines", "final_account_yuan": 300_000},
    {"code": "elderly_service", "final_account_yuan": "400000"},
]


def split(items: list[dict[str, Any]], central: bool, **kw: Any):  # type: ignore[no-untyped-def]
    return funding_split(
        items,
        district_is_central=central,
        rates=RATES,
        on=ON,
        catalogue=CATALOGUE,
        **kw,
    )


def test_clause_3_1_central_district_project_gets_40pct_city_subsidy() -> None:
    result = split(MIXED, central=is_central_district("海曙区", DISTRICTS, on=ON))
    assert result.totals == {
        "government": D("958000.00"),
        "owners": D("112000.00"),  # 72,000 + 40,000
        "utilities": D("150000.00"),
        "social_capital": D("400000.00"),
    }
    assert result.total_yuan == D("1620000.00")  # 480+240+200+300+400 thousand
    # city subsidy = 40 % × 958,000 = 383,200; district keeps 958,000 − 383,200
    assert result.city_subsidy_base_yuan == D("958000.00")
    assert result.city_subsidy_yuan == D("383200.00")
    assert result.district_net_yuan == D("574800.00")
    assert not result.city_subsidy_provisional
    subsidy = [f for f in result.figures if f.label == "city subsidy"]
    assert subsidy[0].clause == "三(一)"


def test_clause_3_1_fenghua_project_gets_no_city_subsidy() -> None:
    assert not is_central_district("奉化区", DISTRICTS, on=ON)
    assert not is_central_district("Fenghua", DISTRICTS, on=ON)
    result = split(MIXED, central=False)
    # same shares as the central example, but no city subsidy:
    # district carries the whole government outlay of 958,000
    assert result.city_subsidy_yuan == D("0.00")
    assert result.district_net_yuan == D("958000.00")
    assert "奉化" in result.reasons[0].text_zh


def test_clause_3_1_lifts_and_dangerous_buildings_excluded_from_subsidy_base() -> None:
    items = [
        # 2 lifts, audited 1,280,000: own policy → gov 40 % = 512,000, owners 768,000
        {"code": "lift", "quantity": 2, "final_account_yuan": 1_280_000},
        # dangerous building 600,000: own policy → gov 100 % = 600,000
        {"code": "dangerous_building", "final_account_yuan": 600_000},
        # façade hazards 100,000: basic → gov 100 % = 100,000 (the only subsidy base)
        {"code": "facade_hazard", "final_account_yuan": 100_000},
    ]
    result = split(items, central=True)
    assert result.totals["government"] == D("1212000.00")  # 512k + 600k + 100k
    assert result.totals["owners"] == D("768000.00")
    assert result.city_subsidy_base_yuan == D("100000.00")
    assert result.city_subsidy_yuan == D("40000.00")  # 40 % × 100,000
    assert result.district_net_yuan == D("1172000.00")  # 1,212,000 − 40,000
    lift = result.items[0]
    assert not lift.city_subsidy_eligible
    assert lift.rule_id == "lift_special"
    assert any("lift" in r.text_en for r in result.reasons)


def test_clause_3_1_budget_only_subsidy_is_provisional() -> None:
    # facade_finish 1,000 m² × 90 = 90,000 budget, co-pay: gov 63,000, owners 27,000
    result = split([{"code": "facade_finish", "quantity": 1000}], central=True)
    item = result.items[0]
    assert item.basis == "budget"
    assert item.base_yuan == D("90000.00")
    assert item.shares["government"] == D("63000.00")
    assert result.city_subsidy_yuan == D("25200.00")  # 40 % × 63,000
    assert result.city_subsidy_provisional


def test_clause_3_basic_government_pays_all() -> None:
    result = split([{"code": "road", "budget_yuan": 1000}], central=False)
    assert result.items[0].shares["government"] == D("1000.00")
    assert result.items[0].figures[-1].clause == "三"


def test_clause_3_2_pipelines_utilities_share() -> None:
    result = split([{"code": "pipelines", "quantity": 100}], central=False)
    # 100 m × 600 = 60,000 → utilities 50 % = 30,000
    assert result.items[0].shares["utilities"] == D("30000.00")
    assert any(f.clause == "三(二)" for f in result.items[0].figures)


def test_clause_3_2_enhancement_is_social_capital() -> None:
    result = split([{"code": "parking", "quantity": 20}], central=True)
    assert result.totals["social_capital"] == D("500000.00")  # 20 × 25,000
    assert result.city_subsidy_yuan == D("0.00")


def test_clause_3_enhancement_works_may_carry_government_money() -> None:
    """Elderly service 400,000 with 60 % from the district: government 240,000 enters
    the 40 % base (city 96,000), social capital 160,000 (it was always 100 % social
    capital, so public money for elderly, childcare or medical facilities could not
    be recorded and the base was understated)."""
    item = {"code": "elderly_service", "final_account_yuan": 400_000}
    result = split([{**item, "government_share": "0.6"}], central=True)
    (line,) = result.items
    assert line.shares["government"] == D("240000.00")
    assert line.shares["social_capital"] == D("160000.00")
    assert result.city_subsidy_base_yuan == D("240000.00")
    assert result.city_subsidy_yuan == D("96000.00")
    assert any(f.label.startswith("government share") for f in line.figures)
    with pytest.raises(ValueError, match="enhancement works"):
        split([{"code": "road", "budget_yuan": 1, "government_share": "0.5"}], True)
    with pytest.raises(ValueError, match="between 0 and 1"):
        split([{**item, "government_share": "1.5"}], central=True)


def test_clause_3_cofunding_share_is_not_raised_by_enhancement_items() -> None:
    """Road 100,000 (government) + stairwell 50,000 (owners 30 %): 15,000 / 150,000 =
    10 %; adding a fitness corner paid by social capital leaves it at 10 % (counting it
    would give 95,000 / 230,000 = 41 %)."""
    base = [
        {"code": "road", "budget_yuan": 100_000},
        {"code": "stairwell", "quantity": 2},
    ]
    plain = cofunding_share(split(base, central=True))
    more = cofunding_share(
        split([*base, {"code": "fitness", "quantity": 1}], central=True)
    )
    assert plain == more == D("0.1")
    assert cofunding_share(split([{"code": "fitness", "quantity": 1}], True)) == 0


def test_clause_3_3_district_owner_copay_standard_overrides() -> None:
    # stairwell 100,000 with district standard owners 50 % → gov 50,000
    items = [{"code": "stairwell", "budget_yuan": 100_000, "owners_share": "0.5"}]
    result = split(items, central=False)
    assert result.items[0].shares["owners"] == D("50000.00")
    assert result.items[0].shares["government"] == D("50000.00")
    with pytest.raises(ValueError, match="no owners' co-pay"):
        split([{"code": "road", "budget_yuan": 1, "owners_share": 0.5}], central=False)


def test_money_rounding_shares_add_up_to_base() -> None:
    # 0.05 yuan at 70/30: 0.035 → 0.04 and 0.015 → 0.02 would sum to 0.06;
    # the 0.01 residue goes back to the largest payer (government → 0.03).
    result = split([{"code": "stairwell", "budget_yuan": "0.05"}], central=False)
    shares = result.items[0].shares
    assert shares["government"] == D("0.03")
    assert shares["owners"] == D("0.02")
    assert sum(shares.values()) == D("0.05")
    assert to_yuan(0.1) == D("0.10")
    assert to_yuan("100.005") == D("100.01")


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"code": "road", "budget_yuan": -1}, "budget_yuan must not be negative"),
        ({"code": "road", "quantity": -3}, "quantity must not be negative"),
        ({"code": "road", "final_account_yuan": -5}, "final_account_yuan"),
        ({"code": "road", "budget_yuan": "abc"}, "must be a number"),
        ({"code": "road"}, "give budget_yuan, quantity"),
        ({"code": "spaceport", "budget_yuan": 1}, "not in the works catalogue"),
        ({"code": "municipal_infrastructure", "budget_yuan": 1}, "area-wide"),
    ],
)
def test_clause_3_bad_items_clear_errors(item: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        split([item], central=True)


def test_clause_3_area_project_allows_municipal_infrastructure() -> None:
    result = split(
        [{"code": "municipal_infrastructure", "budget_yuan": 10}],
        central=True,
        area_project=True,
    )
    assert result.totals["government"] == D("10.00")


def test_clause_3_rates_must_be_in_force() -> None:
    with pytest.raises(ValueError, match="no rule version is in force"):
        funding_split(
            MIXED,
            district_is_central=True,
            rates=RATES,
            on=dt.date(2019, 1, 1),
            catalogue=CATALOGUE,
        )


def test_clause_3_rates_version_chosen_by_date() -> None:
    rates = json.loads(json.dumps(RATES))
    old = rates["versions"][0]
    old["effective_to"] = "2021-12-31"
    new = json.loads(json.dumps(old))
    new.update(id="rates-2022", effective_from="2022-01-01", effective_to=None)
    new["city_subsidy"]["rate"] = "0.50"
    rates["versions"].append(new)
    items = [{"code": "road", "final_account_yuan": 1000}]
    kw: dict[str, Any] = {"district_is_central": True, "rates": rates}
    r21 = funding_split(items, on=dt.date(2021, 12, 31), catalogue=CATALOGUE, **kw)
    r22 = funding_split(items, on=dt.date(2022, 1, 1), catalogue=CATALOGUE, **kw)
    assert r21.city_subsidy_yuan == D("400.00")
    assert r22.city_subsidy_yuan == D("500.00")
    assert r22.rates_version == "rates-2022"


def test_clause_2_2_catalogue_has_three_categories_and_all_items() -> None:
    items = catalogue_items(CATALOGUE, ON)
    by_cat: dict[str, set[str]] = {}
    for code, item in items.items():
        by_cat.setdefault(item["category"], set()).add(code)
        for key in ("name_zh", "name_en", "unit_zh", "typical_unit_cost_yuan"):
            assert item[key], (code, key)
        assert item["cost_illustrative"] is True
        assert item["special_item"] in ("lift", "dangerous_building", None)
    assert len(by_cat["basic"]) == 10
    assert {
        "lift",
        "stairwell",
        "ac_bracket",
        "facade_finish",
        "pocket_park",
        "smart_management",
        "notice_board",
    } <= by_cat["improvement"]
    assert len(by_cat["enhancement"]) == 10
    assert items["lift"]["special_item"] == "lift"
    assert items["dangerous_building"]["special_item"] == "dangerous_building"
    assert items["municipal_infrastructure"]["area_project_only"] is True
    assert set(PAYERS) == set(RATES["payers"])


def test_districts_central_list() -> None:
    central = {
        d["name_zh"] for d in DISTRICTS["versions"][0]["districts"] if d["is_central"]
    }
    assert central == {"海曙区", "江北区", "北仑区", "镇海区", "鄞州区"}
    with pytest.raises(ValueError, match="unknown district"):
        is_central_district("上海", DISTRICTS, on=ON)


@given(
    code=st.sampled_from(sorted(catalogue_items(CATALOGUE, ON))),
    cents=st.integers(min_value=0, max_value=10**11),
    central=st.booleans(),
)
@settings(max_examples=200, deadline=None)
def test_clause_3_shares_always_add_up_to_base(
    code: str, cents: int, central: bool
) -> None:
    amount = D(cents) / 100
    result = split(
        [{"code": code, "budget_yuan": amount}], central=central, area_project=True
    )
    item = result.items[0]
    assert sum(item.shares.values()) == item.base_yuan == amount
    assert all(v >= 0 for v in item.shares.values())
    assert 0 <= result.city_subsidy_yuan <= result.totals["government"]
