"""import_layer / import_osm / export_layer commands."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from layers import models
from tests import factories
from tests.layers.test_importing import BEIJING_EXTENT, community_geojson

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    return factories.district(code="D330203", name="海曙区")


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_layer_text_report_and_reimport(tmp_path, district):
    f = community_geojson(tmp_path, district)
    text = run("import_layer", "community", str(f))
    assert "created 3" in text and "c.geojson: read 3" in text
    text = run("import_layer", "community", str(f))
    assert "updated 3" in text
    assert models.Community.objects.count() == 3


def test_import_layer_json_and_dry_run(tmp_path, district):
    f = community_geojson(tmp_path, district)
    data = json.loads(run("import_layer", "community", str(f), "--dry-run", "--json"))
    assert data["dry_run"] is True and data["created"] == 3
    assert data["report"]["counts"]["read"] == 3
    assert models.Community.objects.count() == 0


def test_import_layer_refused_exits_nonzero(tmp_path, district):
    f = community_geojson(tmp_path, district, bad_row=2)
    with pytest.raises(CommandError, match="row 2"):
        run("import_layer", "community", str(f))
    assert models.Community.objects.count() == 0
    text = run("import_layer", "community", str(f), "--skip-invalid")
    assert "created 2" in text and "row 2: rejected" in text


def test_import_layer_whole_file_errors(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("name,lon,lat\na,121.55,29.87\n")
    with pytest.raises(CommandError, match="needs_crs"):
        run("import_layer", "amenity", str(f))
    with pytest.raises(CommandError, match="not found"):
        run("import_layer", "amenity", str(f), "--mapping", str(tmp_path / "no.yaml"))
    with pytest.raises(CommandError, match="not found"):
        run("import_layer", "amenity", str(tmp_path / "missing.geojson"))
    with pytest.raises(CommandError):
        run("import_layer", "community", str(f), "--from-gcj02", "--from-bd09")


def test_import_layer_mapping_and_crs_options(tmp_path):
    f = tmp_path / "pts.csv"
    f.write_text("名称,类别,x,y\n便利店,便利店,121.55,29.87\n", encoding="gbk")
    m = tmp_path / "m.json"
    m.write_text(
        json.dumps(
            {
                "fields": {"名称": "name", "类别": "category"},
                "values": {"category": {"便利店": "convenience_store"}},
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    text = run(
        "import_layer", "amenity", str(f), "--mapping", str(m),
        "--crs", "EPSG:4326", "--encoding", "GBK",
    )  # fmt: skip
    assert "created 1" in text
    a = models.Amenity.objects.get()
    assert a.name == "便利店" and a.category.code == "convenience_store"


def test_import_osm_beijing(shared_data, settings):
    settings.CITY_EXTENT = BEIJING_EXTENT
    f = shared_data / "beijing_haidian_osm" / "beijing_haidian_qinghe_map.osm"
    ext = ",".join(str(v) for v in BEIJING_EXTENT)
    text = run("import_osm", str(f), "--extent", ext, "--dry-run")
    assert "DRY RUN" in text and models.WalkSegment.objects.count() == 0
    text = run("import_osm", str(f), "--extent", ext)
    assert "[walk_segment] created" in text and "[community candidates]" in text
    assert "[basemap]" in text
    assert models.WalkSegment.objects.count() > 500
    with pytest.raises(CommandError, match="extent"):
        run("import_osm", str(f), "--extent", "1,2,3")


def test_import_osm_outside_city_refused(shared_data):
    f = shared_data / "beijing_haidian_osm" / "beijing_haidian_qinghe_map.osm"
    with pytest.raises(CommandError, match="outside"):
        run("import_osm", str(f))  # default extent: Ningbo


def test_export_layer_command(tmp_path, district):
    f = community_geojson(tmp_path, district)
    run("import_layer", "community", str(f))
    out = tmp_path / "out.gpkg"
    text = run("export_layer", "community", "gpkg", str(out))
    assert out.is_file() and "community" in text
    models.Community.objects.all().delete()
    assert "created 3" in run("import_layer", "community", str(out))
    with pytest.raises(CommandError):
        run(
            "export_layer", "community", "shp", str(tmp_path / "x.zip"), "--bbox", "1,2"
        )
