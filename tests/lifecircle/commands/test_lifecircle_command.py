"""`manage.py lifecircle`: a table per district, --json, clear errors."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.lifecircle import city as lifecircle_city

pytestmark = pytest.mark.django_db


def test_table_and_json():
    lifecircle_city.build()
    out = StringIO()
    call_command("lifecircle", "--no-progress", stdout=out)
    text = out.getvalue()
    assert "run #" in text and "mean coverage score" in text
    out = StringIO()
    call_command("lifecircle", "--json", "--strict", stdout=out)
    data = json.loads(out.getvalue())
    assert data["parameters"]["strict"] is True
    assert data["summary"]["by_district"][0]["communities"] == 2


def test_unknown_rules_is_a_command_error():
    lifecircle_city.build()
    with pytest.raises(CommandError, match="unknown rule set"):
        call_command("lifecircle", "--rules", "nope", "--no-progress")


@pytest.mark.parametrize("suffix", ["csv", "geojson", "gpkg"])
def test_output_file_one_row_per_community(tmp_path, suffix):
    """lifecircle_city: A's gate is 10 m off the street, 200 m along it from the
    kindergarten (210 m); B is 1300 m along (beyond the 1000 m reach)."""
    import geopandas as gpd
    import pandas as pd

    lifecircle_city.build()
    out = tmp_path / f"results.{suffix}"
    call_command("lifecircle", "--no-progress", "--output", str(out), stdout=StringIO())
    if suffix == "csv":
        df = pd.read_csv(out, encoding="utf-8-sig")
        assert "wkt" in df.columns
    else:
        df = gpd.read_file(out)
        assert df.crs.to_epsg() == 4326
    assert list(df.columns[:7]) == [
        "code",
        "name",
        "district",
        "street",
        "residents",
        "score",
        "tiers_met",
    ]
    df = df.set_index("code")
    assert len(df) == 2
    assert df.at["A", "kindergarten_m"] == pytest.approx(210.0, abs=0.5)
    assert pd.isna(df.at["B", "kindergarten_m"])  # empty: nothing within reach
    assert df.at["A", "residents"] == 1000 and df.at["B", "name"] == "小区B"
    cat_cols = [c for c in df.columns if c.endswith("_m")]
    assert len(cat_cols) >= 20  # every category of the rule set
    assert {"tier_5min", "tier_10min", "tier_15min"} <= set(df.columns)
    assert not list(tmp_path.glob(".*partial*"))


def test_json_includes_the_rows(tmp_path):
    lifecircle_city.build()
    out = StringIO()
    call_command("lifecircle", "--json", stdout=out)
    data = json.loads(out.getvalue())
    rows = {r["code"]: r for r in data["communities"]}
    assert rows["A"]["kindergarten_m"] == pytest.approx(210.0, abs=0.5)
    assert rows["B"]["kindergarten_m"] is None
    assert set(rows["A"]) >= {"code", "name", "residents", "score", "tiers_met"}


def test_bad_output_refused_before_running(tmp_path):
    from runs.models import AnalysisRun

    lifecircle_city.build()
    with pytest.raises(CommandError, match=r"\.csv, \.geojson or \.gpkg"):
        call_command("lifecircle", "--output", str(tmp_path / "r.xls"), "--no-progress")
    with pytest.raises(CommandError, match="no such directory"):
        call_command(
            "lifecircle", "--output", str(tmp_path / "no" / "r.csv"), "--no-progress"
        )
    assert not AnalysisRun.objects.exists()
