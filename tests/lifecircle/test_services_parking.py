"""lifecircle.services.parking: the ratios in force from the database, each community's
spaces, demand and gap, the record card's figures; the planner tiles' SQL agrees."""

import datetime as dt

import numpy as np
import pytest
from django.db import connection

from lifecircle import services as lc
from lifecircle.models import ParkingRatios
from planner import tiles
from tests import factories


def test_the_fixture_is_loaded_with_its_source(db):
    v = lc.parking_ratios(dt.date(2026, 12, 4))
    assert v is not None and v["id"] == "survey-2024"
    assert "ILLUSTRATIVE" in v["document_source"]
    # realistic for old communities: 0.3–0.8 spaces per household (villas aside)
    ratios = [r for k, r in v["default"].items() if k != "villa"]
    assert all(0.3 <= r <= 0.8 for r in ratios)
    assert lc.parking_ratios(dt.date(2020, 1, 1)) is None  # none in force yet


@pytest.fixture
def ratios(db, reference_data):
    ParkingRatios.objects.all().delete()
    return ParkingRatios.objects.create(
        version_id="t-1",
        effective_from=dt.date(2000, 1, 1),
        data={
            "source": "test survey",
            "default": {"work_unit": 0.5, "*": 0.6},
            "districts": {"330203": {"work_unit": 0.3}},
        },
        source="test document",
    )


def test_figures_per_community(ratios, reference_data):
    haishu = factories.district(code="330203", name="海曙区")
    other = factories.district(code="330212", name="鄞州区")
    a = factories.community(
        street=factories.street(district=haishu),
        households=400,
        housing_type="work_unit",
        parking_spaces=80,
    )
    b = factories.community(
        street=factories.street(district=other),
        households=250,
        housing_type="commodity",
        parking_spaces=None,
    )
    df, source = lc.community_parking_figures()
    assert source["version"] == "t-1" and source["source"] == "test survey"
    rows = df.set_index("code")
    assert rows.loc[a.code, "demand"] == 120  # 400 × 0.3 (the district's)
    assert rows.loc[a.code, "gap"] == 40
    assert rows.loc[b.code, "demand"] == 150  # 250 × 0.6 (the default's "*")
    assert np.isnan(rows.loc[b.code, "gap"])  # not surveyed


def test_record_card_figures(ratios, reference_data):
    haishu = factories.district(code="330203", name="海曙区")
    c = factories.community(
        street=factories.street(district=haishu),
        households=400,
        housing_type="work_unit",
        parking_spaces=150,
    )
    rec = lc.community_parking_record(c)
    assert rec["spaces"] == 150 and rec["demand"] == 120 and rec["gap"] == -30
    assert rec["ratio"] == 0.3 and rec["version"] == "t-1"
    c.parking_spaces = None
    assert lc.community_parking_record(c)["gap"] is None
    ratios.delete()
    assert lc.community_parking_record(c) is None


def test_the_tiles_sql_computes_what_the_analysis_does(ratios, reference_data):
    haishu = factories.district(code="330203", name="海曙区")
    other = factories.district(code="330212", name="鄞州区")
    cases = [
        (haishu, 401, "work_unit", 10),  # 120.3 → 120
        (haishu, 405, "work_unit", 200),  # 121.5 → 122 (half up), a surplus
        (other, 405, "work_unit", 0),  # 202.5 → 203
        (other, 77, "villa", 3),  # the "*"
        (other, 300, "commodity", None),  # not surveyed
    ]
    for district, hh, kind, spaces in cases:
        factories.community(
            street=factories.street(district=district),
            households=hh,
            housing_type=kind,
            parking_spaces=spaces,
        )
    layer = tiles.LAYERS["communities"]
    demand = layer.columns["parking_demand"]
    gap = layer.columns["parking_gap"]
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT t.code, {demand}, {gap} FROM layers_community t {layer.joins} "  # noqa: S608
            "ORDER BY t.code"
        )
        sql = {code: (d, g) for code, d, g in cur.fetchall()}
    df, _ = lc.community_parking_figures()
    for row in df.itertuples():
        d, g = sql[row.code]
        assert d == row.demand, row.code
        assert (g is None and np.isnan(row.gap)) or g == row.gap, row.code


def test_a_ratio_edit_changes_the_communities_tiles_version(ratios, reference_data):
    before = tiles.layer_versions(("communities", "idle_land"))
    ratios.data = {**ratios.data, "default": {"*": 0.9}}
    ratios.save()
    after = tiles.layer_versions(("communities", "idle_land"))
    assert after["communities"] != before["communities"]
    assert after["idle_land"] == before["idle_land"]  # reads no ratio
