"""Life-circle service on real PostGIS: runs stored, residents from the raster, what-if, GeoTIFF."""

import numpy as np
import pytest
import rasterio
from django.conf import settings
from rasterio.transform import from_origin

from accounts.permissions import SYSTEM
from layers import models
from layers.importing import population_raster_register
from lifecircle import services as lifecircle
from lifecircle.models import CoverageResult
from lifecircle.services import context as lifecircle_context
from runs.models import AnalysisRun
from tests.lifecircle import city as lifecircle_city

pytestmark = pytest.mark.django_db


def test_run_stores_network_distances_per_community():
    lifecircle_city.build()
    run = lifecircle.lifecircle_run(user=SYSTEM)
    assert run.status == AnalysisRun.Status.DONE
    assert run.summary["mode"] == "network"
    assert run.engine.startswith("scipy")
    # the default rule set is at version 2 since its check against GB 50180 (issue 16)
    assert run.ruleset_version == 2 and run.data_time is not None
    a = CoverageResult.objects.get(run=run, community__code="A")
    b = CoverageResult.objects.get(run=run, community__code="B")
    # each entrance is 10 m north of the street: A walks 10 m + 200 m along the street =
    # 210 m; B would walk 10 + 1300 = 1310 m, beyond the 1000 m routing limit → None
    assert a.distances_m["kindergarten"] == pytest.approx(210, abs=0.5)
    assert b.distances_m["kindergarten"] is None
    assert "kindergarten" not in a.missing["5"]
    assert "kindergarten" in b.missing["5"]
    assert a.score > b.score
    districts = run.summary["by_district"]
    assert districts[0]["residents"] == 3000
    assert districts[0]["residents_lacking_kindergarten"] == 2000


def test_without_network_the_run_says_straight_line():
    lifecircle_city.build()
    models.WalkSegment.objects.all().delete()
    run = lifecircle.lifecircle_run(user=SYSTEM)
    assert run.summary["mode"] == "straight_line"
    assert "straight-line" in run.engine


def test_unknown_ruleset_and_bad_parameters_are_clear_errors():
    lifecircle_city.build()
    with pytest.raises(ValueError, match="unknown rule set"):
        lifecircle.lifecircle_run(user=SYSTEM, ruleset_name="nope")
    with pytest.raises(ValueError, match="snap_limit_m"):
        lifecircle.lifecircle_run(user=SYSTEM, snap_limit_m=-5)
    with pytest.raises(ValueError, match="no communities"):
        lifecircle.lifecircle_run(user=SYSTEM, district="不存在的区")


def test_what_if_adds_coverage_without_storing_anything():
    lifecircle_city.build()
    run = lifecircle.lifecircle_run(user=SYSTEM)
    before = (models.Amenity.objects.count(), CoverageResult.objects.count())
    # a kindergarten next to B's entrance
    lon, lat = lifecircle_city.LON0 + 1500 / 96_600, lifecircle_city.LAT0
    out = lifecircle.lifecircle_what_if(
        run=run, facilities=[{"category": "kindergarten", "lon": lon, "lat": lat}]
    )
    assert out["categories"] == ["kindergarten"]
    assert [c["code"] for c in out["changed"]] == ["B"]
    assert out["residents_newly_covered"] == {"kindergarten": 2000}
    assert (models.Amenity.objects.count(), CoverageResult.objects.count()) == before
    with pytest.raises(ValueError, match="outside the city"):
        lifecircle.lifecircle_what_if(
            run=run, facilities=[{"category": "kindergarten", "lon": 10, "lat": 50}]
        )
    with pytest.raises(ValueError, match="unknown categories"):
        lifecircle.lifecircle_what_if(
            run=run, facilities=[{"category": "casino", "lon": lon, "lat": lat}]
        )


def test_what_if_after_restart_rebuilds_the_same_context():
    lifecircle_city.build()
    run = lifecircle.lifecircle_run(user=SYSTEM)
    lifecircle_context._CONTEXTS.clear()
    lon, lat = lifecircle_city.LON0 + 1500 / 96_600, lifecircle_city.LAT0
    out = lifecircle.lifecircle_what_if(
        run=run, facilities=[{"category": "kindergarten", "lon": lon, "lat": lat}]
    )
    assert out["communities_newly_covered"] == 1


def test_missing_residents_come_from_population_raster(tmp_path):
    city = lifecircle_city.build()
    models.Community.objects.filter(code="B").update(residents=None)
    # a 100 m raster with 7 people per cell over the whole area
    x0, y0 = lifecircle_city.xy(-500, 500)
    arr = np.full((20, 40), 7.0, dtype="float32")
    path = tmp_path / "pop.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=20,
        width=40,
        count=1,
        dtype="float32",
        crs=f"EPSG:{settings.SRID}",
        transform=from_origin(x0, y0, 100, 100),
    ) as dst:
        dst.write(arr, 1)
    population_raster_register(path=path, name="test")
    run = lifecircle.lifecircle_run(user=SYSTEM)
    b = CoverageResult.objects.get(run=run, community__code="B")
    # B's 80 m × 80 m polygon covers no cell centre: the cell under it, scaled by
    # 6400 / 10000 → 7 × 0.64 = 4.48 → 4 residents
    assert b.residents == 4
    assert run.summary["residents_from_raster"] == 1
    assert city["a"].residents == 1000


def test_distance_geotiff(tmp_path):
    lifecircle_city.build()
    run = lifecircle.lifecircle_run(user=SYSTEM)
    path = tmp_path / "d.tif"
    lifecircle.lifecircle_distance_tiff(run=run, category="kindergarten", path=path)
    with rasterio.open(path) as ds:
        assert ds.crs.to_epsg() == settings.SRID
        assert ds.res == (50.0, 50.0)
        band = ds.read(1)
        # the cell at the kindergarten is (almost) 0 m away; far cells are beyond the limit
        kx, ky = lifecircle_city.xy(200)
        r, c = ds.index(kx, ky)
        assert band[r, c] < 40
        assert np.isnan(band).any()
    with pytest.raises(ValueError, match="unknown category"):
        lifecircle.lifecircle_distance_tiff(run=run, category="casino", path=path)
