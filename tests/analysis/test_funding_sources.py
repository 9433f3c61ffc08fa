"""Funding sources against the funding split, and the utilities' pipeline shares."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from analysis import funding_sources as fs

SPLIT = {
    "total_yuan": D("1000000.00"),
    "payer_totals": {
        "government": D("800000.00"),
        "owners": D("100000.00"),
        "utilities": D("50000.00"),
        "social_capital": D("50000.00"),
    },
    "city_subsidy_yuan": D("300000.00"),
    "city_subsidy_provisional": False,
    "district_is_central": True,
    "utilities_recorded_yuan": D("50000.00"),
}
BALANCED = [
    ("central_special", D("200000")),
    ("special_bonds", D("100000")),
    ("district_special", D("200000")),
    ("city_subsidy", D("300000")),
    ("owners_direct", D("40000")),
    ("provident_fund", D("30000")),
    ("maintenance_fund", D("30000")),
    ("utilities", D("50000")),
    ("social_capital", D("20000")),
    ("bank_insurance", D("20000")),
    ("original_units", D("10000")),
]


def test_balanced_sources_reconcile():
    r = fs.reconcile(BALANCED, **SPLIT)
    assert r.status == "ok"
    assert r.total_yuan == D("1000000.00")
    assert r.by_group["government"] == D("800000.00")
    assert r.by_group["social_capital"] == D("50000.00")
    assert all(c.severity == "ok" for c in r.checks)
    assert not r.reasons


def test_every_source_has_a_group_of_the_split():
    assert set(fs.GROUPS) == {"government", "owners", "utilities", "social_capital"}
    assert sum(len(v) for v in fs.GROUPS.values()) == len(fs.SOURCES) == 11
    with pytest.raises(ValueError, match="unknown funding source"):
        fs.source_group("lottery")


def test_sources_not_summing_to_the_total_are_an_error():
    rows = [*BALANCED[:-1]]  # original units' 10,000 missing
    r = fs.reconcile(rows, **SPLIT)
    assert r.status == "error"
    total = next(c for c in r.checks if c.key == "total")
    assert total.severity == "error"
    assert total.difference_yuan == D("-10000.00")
    assert any("项目总投资" in x.text_zh for x in r.reasons)


def test_city_subsidy_must_match_the_split():
    rows = [
        (
            s,
            a + 1000
            if s == "district_special"
            else a - 1000
            if s == "city_subsidy"
            else a,
        )
        for s, a in BALANCED
    ]
    r = fs.reconcile(rows, **SPLIT)
    city = next(c for c in r.checks if c.key == "city_subsidy")
    assert city.severity == "error"
    assert city.recorded_yuan == D("299000.00")
    assert r.status == "error"
    # total and government group still add up
    assert next(c for c in r.checks if c.key == "total").severity == "ok"
    assert next(c for c in r.checks if c.key == "group_government").severity == "ok"


def test_no_city_subsidy_outside_the_central_districts():
    split = {**SPLIT, "district_is_central": False, "city_subsidy_yuan": D(0)}
    r = fs.reconcile(BALANCED, **split)
    city = next(c for c in r.checks if c.key == "city_subsidy")
    assert city.severity == "error" and city.expected_yuan == 0
    moved = [
        (
            s,
            D(0)
            if s == "city_subsidy"
            else a + 300000
            if s == "district_special"
            else a,
        )
        for s, a in BALANCED
    ]
    assert fs.reconcile(moved, **split).status == "ok"


def test_utilities_row_reconciles_with_the_utilities_amounts():
    r = fs.reconcile(BALANCED, **{**SPLIT, "utilities_recorded_yuan": D("60000")})
    line = next(c for c in r.checks if c.key == "utilities_rows")
    assert line.severity == "error" and line.expected_yuan == D("60000.00")
    r = fs.reconcile(BALANCED, **{**SPLIT, "utilities_recorded_yuan": None})
    assert not any(c.key == "utilities_rows" for c in r.checks)


def test_a_group_away_from_the_split_is_a_warning():
    # owners pay 10,000 more, social capital 10,000 less: total unchanged
    rows = [
        (
            s,
            a + 10000
            if s == "owners_direct"
            else a - 10000
            if s == "original_units"
            else a,
        )
        for s, a in BALANCED
    ]
    r = fs.reconcile(rows, **SPLIT)
    assert r.status == "warning"
    bad = {c.key for c in r.checks if c.severity != "ok"}
    assert bad == {"group_owners", "group_social_capital"}


def test_provisional_subsidy_is_flagged():
    r = fs.reconcile(BALANCED, **{**SPLIT, "city_subsidy_provisional": True})
    assert r.status == "ok"
    assert any("暂估" in x.text_zh for x in r.reasons)


def test_no_rows_is_empty_and_negative_amounts_refused():
    assert fs.reconcile([], **SPLIT).status == "empty"
    with pytest.raises(ValueError, match="negative"):
        fs.reconcile([("owners_direct", D(-1))], **SPLIT)


def test_several_years_of_one_source_add_up():
    rows = [*BALANCED, ("central_special", D("5000")), ("district_special", D(-0))]
    r = fs.reconcile(rows, **SPLIT)
    assert r.by_source["central_special"] == D("205000.00")


# ----------------------------------------------------------------- utilities
def test_utility_amount_from_its_share_of_the_pipeline_cost():
    lines = fs.utility_lines(
        [
            ("power", D("0.2"), None),
            ("telecom", D("0.1"), D("12345.67")),
            ("gas", None, D(5)),
        ],
        pipeline_base_yuan=D("300000"),
    )
    by = {x.utility: x for x in lines}
    assert by["power"].amount_yuan == D("60000.00")
    assert by["telecom"].amount_yuan == D("12345.67")
    assert by["telecom"].expected_yuan == D("30000.00")
    assert by["gas"].expected_yuan is None


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("power", D("0.6"), None), ("water", D("0.5"), None)], "more than 100"),
        ([("power", D("1.2"), None)], "between 0 and 1"),
        ([("power", None, D(-1))], "negative"),
        ([("power", None, None)], "share or an amount"),
        ([("railway", D("0.1"), None)], "unknown utility"),
        ([("power", D("0.1"), None), ("power", D("0.1"), None)], "twice"),
    ],
)
def test_utility_rows_refused(rows, message):
    with pytest.raises(ValueError, match=message):
        fs.utility_lines(rows, pipeline_base_yuan=D("100000"))


def test_share_without_pipeline_works_needs_an_amount():
    with pytest.raises(ValueError, match="no pipeline works"):
        fs.utility_lines([("power", D("0.3"), None)], pipeline_base_yuan=D(0))
    (line,) = fs.utility_lines([("power", D("0.3"), D(100))], pipeline_base_yuan=D(0))
    assert line.amount_yuan == D("100.00") and line.expected_yuan is None
