"""Blocks downloadable through the one export path: members and gaps by name, money in
万元 (for roles that see it), 是/否, a BOM in the CSV, the legend sheet in the XLSX, in
both languages; GeoJSON/GPKG with the codes; the geojson's member names."""

from __future__ import annotations

import csv
import io

import geopandas as gpd
import openpyxl
import pytest
from django.test import Client
from django.utils import translation

from accounts.permissions import SYSTEM
from blocks import services
from blocks.models import RenovationBlock

from .conftest import cell

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(street):
    names = ("月湖小区", "天一小区", "鼓楼小区", "南门小区")
    for i in range(4):
        cell(street, i, 0, code=f"A{i}", name=names[i], households=400)
    run = services.bundle_run(user=SYSTEM, max_households=800, use_gaps=False)
    block = RenovationBlock.objects.get(run=run, member_codes=["A0", "A1"])
    block.gaps_most = ["kindergarten"]
    block.cost_estimate_yuan = 90222060
    block.save()
    return run


def _get(client, run, fmt, lang="zh-hans"):
    client.cookies["django_language"] = lang
    resp = client.get(f"/api/blocks/runs/{run.pk}/export.{fmt}")
    assert resp.status_code == 200, resp.content[:300]
    assert "attachment" in resp["Content-Disposition"]
    return resp.content


def test_csv_has_a_bom_names_and_wan_yuan(run, staff):
    client = Client()
    client.force_login(staff)
    body = _get(client, run, "csv")
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    first = next(r for r in rows if r["成员小区编码"] == "A0、A1")
    assert first["成员小区"] == "月湖小区、天一小区"
    assert first["共同缺失设施"] == "幼儿园"
    assert first["基础类改造估算（万元）"] == "9022.21"
    assert first["状态"] == "建议" and first["锁定"] == "否"


def test_xlsx_in_english_has_english_headers_and_the_legend(run, staff):
    client = Client()
    client.force_login(staff)
    body = _get(client, run, "xlsx", lang="en")
    wb = openpyxl.load_workbook(io.BytesIO(body))
    assert wb.sheetnames == ["Renovation block", "Column codes"]
    header = [c.value for c in wb["Renovation block"][1]]
    with translation.override("en"):
        assert "Member communities" in header
        assert "Basic works estimate (10,000 yuan)" in header
    legend = {r[0].value: r[1].value for r in wb["Column codes"].iter_rows(min_row=2)}
    assert legend["member_names"] == "Member communities"
    assert legend["cost_estimate_yuan"] == "Basic works estimate (10,000 yuan)"
    values = [c.value for c in wb["Renovation block"][2]]
    assert values[header.index("Status")] == "Proposed"
    assert values[header.index("Member communities")] == "月湖小区, 天一小区"


def test_viewers_get_no_cost_and_gis_formats_keep_codes(run, client, tmp_path):
    body = _get(client, run, "csv")
    assert "基础类改造估算（万元）" not in body.decode("utf-8-sig").splitlines()[0]
    path = tmp_path / "b.gpkg"
    path.write_bytes(_get(client, run, "gpkg"))
    gdf = gpd.read_file(path)
    assert gdf.crs.to_epsg() == 4326 and len(gdf) == 2
    assert sorted(gdf["member_codes"]) == ["A0;A1", "A2;A3"]
    assert "cost_estimate_yuan" not in gdf.columns
    assert client.get(f"/api/blocks/runs/{run.pk}/export.exe").status_code == 400


def test_the_geojson_lists_members_by_name(run, client):
    fc = client.get(f"/api/blocks/runs/{run.pk}/blocks.geojson").json()
    by_codes = {tuple(f["properties"]["member_codes"]): f for f in fc["features"]}
    assert by_codes[("A0", "A1")]["properties"]["member_names"] == [
        "月湖小区",
        "天一小区",
    ]
