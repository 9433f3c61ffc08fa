"""The one export path for tables (layers.tables.table_export → layers.io.writers): CSV with a BOM and
the labels as headers, XLSX with localized headers and the column-code legend sheet,
values as a reader wants them, in both languages; GeoJSON/GPKG with the codes."""

from __future__ import annotations

import csv
import io

import geopandas as gpd
import openpyxl
import pytest
import shapely
from django.utils import translation

from layers import tables
from layers.tables import Column

NAMES = {"kindergarten": "幼儿园", "clinic": "社区卫生服务站"}
ROWS = [
    {"code": "A", "ok": True, "missing": ["kindergarten", "clinic"], "cost": 902220.6},
    {"code": "B", "ok": False, "missing": [], "cost": None},
]


def columns():
    return [
        Column("code", translation.gettext_lazy("编码")),
        Column("ok", translation.gettext_lazy("步行可达"), tables.yes_no),
        Column("missing", translation.gettext_lazy("缺失设施"), tables.names(NAMES)),
        Column(
            "cost", translation.gettext_lazy("基础类改造估算（万元）"), tables.wan_yuan
        ),
    ]


def test_csv_starts_with_the_bom_and_reads_as_people_do():
    with translation.override("zh-hans"):
        body, ctype = tables.table_export(ROWS, columns(), "csv")
    assert body.startswith(b"\xef\xbb\xbf")
    assert ctype == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["编码", "步行可达", "缺失设施", "基础类改造估算（万元）"]
    assert rows[1] == ["A", "是", "幼儿园、社区卫生服务站", "90.22"]
    assert rows[2] == ["B", "否", "", ""]


def test_csv_in_english_has_english_headers_and_yes_no():
    with translation.override("en"):
        body, _ = tables.table_export(ROWS, columns(), "csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "Code" and rows[0][2] == "Missing amenities"
    assert rows[1][1] == "Yes" and rows[2][1] == "No"
    assert rows[1][2] == "幼儿园, 社区卫生服务站"  # joined the English way


@pytest.mark.parametrize(
    ("lang", "legend", "header"),
    [("zh-hans", "列代码", "编码"), ("en", "Column codes", "Code")],
)
def test_xlsx_has_localized_headers_and_the_legend_sheet(lang, legend, header):
    with translation.override(lang):
        body, _ = tables.table_export(ROWS, columns(), "xlsx", sheet="t")
        labels = [str(c.label) for c in columns()]
    wb = openpyxl.load_workbook(io.BytesIO(body))
    assert wb.sheetnames == ["t", legend]
    sheet = wb["t"]
    assert [c.value for c in sheet[1]] == labels and labels[0] == header
    assert sheet["B2"].value in ("是", "Yes")
    codes = [[c.value for c in r] for r in wb[legend].iter_rows(min_row=2)]
    assert codes == [
        [c, lab]
        for c, lab in zip(("code", "ok", "missing", "cost"), labels, strict=True)
    ]


def test_formula_cells_are_neutralised_in_people_tables():
    rows = [{"code": "=1+1", "ok": None, "missing": [], "cost": 1}]
    body, _ = tables.table_export(rows, columns(), "xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(body))
    assert wb.worksheets[0]["A2"].value == "'=1+1"


def test_geojson_and_gpkg_keep_codes_and_raw_values(tmp_path):
    geoms = [shapely.Point(121.55, 29.87), shapely.Point(121.56, 29.88)]
    body, ctype = tables.table_export(
        ROWS, columns(), "geojson", geometry=geoms, crs="EPSG:4326"
    )
    assert ctype == "application/geo+json"
    gdf = gpd.read_file(io.BytesIO(body))
    assert list(gdf.columns) == ["code", "ok", "missing", "cost", "geometry"]
    assert gdf.loc[0, "missing"] == "kindergarten;clinic" and bool(gdf.loc[0, "ok"])
    body, _ = tables.table_export(
        ROWS,
        columns(),
        "gpkg",
        sheet="main",
        geometry=geoms,
        crs="EPSG:4326",
        geo_layers={"first": (ROWS[:1], geoms[:1])},
    )
    path = tmp_path / "x.gpkg"
    path.write_bytes(body)
    assert len(gpd.read_file(path, layer="main")) == 2
    assert list(gpd.read_file(path, layer="first")["code"]) == ["A"]


def test_a_geometry_format_without_geometry_and_unknown_formats_are_refused():
    with pytest.raises(ValueError, match="geometry"):
        tables.table_export(ROWS, columns(), "gpkg")
    with pytest.raises(ValueError, match="unknown format"):
        tables.table_export(ROWS, columns(), "xls")


@pytest.mark.django_db
def test_every_facility_category_has_its_english_name():
    """The rule set's category names are translated (exports, the planner's filter and
    table show them in the user's language)."""
    from layers.models import AmenityCategory
    from layers.selectors import category_labels

    chinese = dict(AmenityCategory.objects.values_list("code", "name"))
    assert len(chinese) >= 29
    with translation.override("en"):
        english = category_labels()
    assert english["kindergarten"] == "Kindergarten"
    untranslated = [c for c, name in english.items() if name == chinese[c]]
    assert untranslated == []
    with translation.override("zh-hans"):
        assert category_labels() == chinese
