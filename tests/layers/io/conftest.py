"""Sample files for the layers.io tests, all built at test time in tmp_path.

Coordinates are made-up boxes in central Ningbo (lon 121.54–121.57, lat 29.86–29.89).
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import pytest

import layers.io  # noqa: F401  (sets the GDAL environment before GDAL loads)

REPO = Path(__file__).resolve().parents[3]
SHARED_DATA = REPO.parent / "shared" / "data"


def ningbo_gdf(crs="EPSG:4326"):
    import geopandas as gpd
    import shapely

    gdf = gpd.GeoDataFrame(
        {
            "code": ["C001", "C002", "C003"],
            "小区名称": ["白云小区", "南苑新村", "孔浦街道宿舍"],
            "建成年代": [1995, 1988, 1979],
            "households": [320, 1200, 86],
        },
        geometry=[
            shapely.box(121.540, 29.860, 121.545, 29.864),
            shapely.box(121.550, 29.870, 121.556, 29.875),
            shapely.box(121.560, 29.880, 121.562, 29.882),
        ],
        crs="EPSG:4326",
    )
    return gdf.to_crs(crs)


def zip_dir(folder: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, f.name)
    return dest


def make_gbk_shapefile_zip(tmp: Path, *, prj=True, cpg=False) -> Path:
    """GBK shapefile in CGCS2000 / 3-degree GK CM 120E (EPSG:4549), no .cpg."""
    import pyogrio

    folder = tmp / "shp_src"
    folder.mkdir()
    pyogrio.write_dataframe(
        ningbo_gdf("EPSG:4549"), folder / "小区.shp", encoding="GBK"
    )
    if not cpg:
        (folder / "小区.cpg").unlink()
    if not prj:
        (folder / "小区.prj").unlink()
    return zip_dir(folder, tmp / "communities.zip")


@pytest.fixture
def jail(tmp_path, monkeypatch):
    """Route tempfile to tmp_path/sys_tmp and check that nothing escapes.

    Yields a function that asserts sys_tmp is empty again and that no file other
    than the ones made by the test exists under tmp_path.
    """
    sys_tmp = tmp_path / "sys_tmp"
    sys_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(sys_tmp))
    parent = tmp_path.parent

    def before():
        return set(os.listdir(parent)), _tree(tmp_path)

    state = {}

    def snapshot():
        state["b"] = before()

    def check():
        assert list(sys_tmp.iterdir()) == [], "temp dir not cleaned"
        names, tree = before()
        assert names == state["b"][0]
        assert tree == state["b"][1]

    snapshot.check = check
    return snapshot


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture
def samples():
    """The sample builders, as a fixture (test modules here are not a package)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        ningbo_gdf=ningbo_gdf,
        zip_dir=zip_dir,
        make_gbk_shapefile_zip=make_gbk_shapefile_zip,
        shared_data=SHARED_DATA,
    )
