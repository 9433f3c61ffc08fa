"""Real OpenStreetMap extracts in ../shared/data (ODbL; read in place, never copied).

Expected numbers come from the folders' SOURCE.md files.
"""

from __future__ import annotations

import pytest

from layers.io.osm import amenity_category, read_osm
from layers.io.readers import list_layers, read_vector

# SOURCE.md: features reach lon 116.334–116.366, lat 39.987–40.021
BEIJING_EXTENT = (116.30, 39.95, 116.40, 40.05)


@pytest.fixture
def data(samples):
    if not samples.shared_data.is_dir():
        pytest.skip("shared data folder absent")
    return samples.shared_data


@pytest.mark.parametrize(
    ("name", "count"),
    [("hospitals", 95), ("schools", 560), ("commercial_areas", 352)],
)
def test_ningbo_facilities_import(data, name, count):
    f = data / "ningbo_osm_facilities" / f"{name}.geojson"
    if not f.exists():
        pytest.skip(f"{f.name} absent")
    r = read_vector(f)
    assert r.report.read == count
    assert r.source_crs in ("OGC:CRS84", "EPSG:4326")
    assert r.gdf.crs.to_epsg() == 4549
    # every feature lies in Ningbo municipality; at most a few invalid rings rejected
    assert r.report.imported >= count - 5, r.report.to_text()
    assert r.gdf["name"].str.len().gt(0).all()
    assert not r.gdf["name"].str.contains("\ufffd").any()


def test_ningbo_hospitals_with_brief_box_rejects_outliers(data):
    """With the narrower box lat 29.3–30.4, southern Ninghai features are dropped."""
    f = data / "ningbo_osm_facilities" / "schools.geojson"
    r = read_vector(f, extent=(121.0, 29.3, 122.3, 30.4))
    assert r.report.rejected > 0
    assert any("outside the city extent" in i.reason for i in r.report.issues)


def test_beijing_gpkg_layers(data):
    f = data / "beijing_haidian_osm" / "beijing_haidian_osm.gpkg"
    layers = list_layers(f)
    assert {"walk_edges", "residential_areas", "poi_points"} <= set(layers)
    r = read_vector(f, layer="residential_areas", extent=BEIJING_EXTENT)
    assert r.report.read == 14
    with pytest.raises(Exception, match="outside the city extent"):
        read_vector(f, layer="residential_areas")  # Ningbo extent: refused


def test_beijing_osm(data):
    f = data / "beijing_haidian_osm" / "beijing_haidian_qinghe_map.osm"
    r = read_osm(f, extent=BEIJING_EXTENT)
    # SOURCE.md: walk network ~58.7 km of street (one direction, OSMnx walk filter)
    km = r.walk_segment.length.sum() / 1000
    assert 55 < km < 62
    assert set(r.walk_segment["kind"]) <= {
        "arterial",
        "secondary",
        "local",
        "alley",
        "footway",
        "bridge",
    }
    # SOURCE.md: 10 landuse=residential polygons, 9 of them named
    names = set(r.community["name"])
    assert {"富润家园", "静淑苑", "学士居", "大华花园别墅"} <= names
    assert len(r.community) == 10  # all candidates, the unnamed one too
    assert (r.community["name"] == "").sum() == 1
    # the basemap: buildings (SOURCE.md: 257 polygons + 1 point), main roads, parks
    kinds = r.basemap["kind"].value_counts()
    assert kinds["building"] == 257
    assert kinds["road"] > 50 and kinds["park"] >= 5 and kinds["water"] >= 1
    cats = r.amenity["category"].value_counts()
    # SOURCE.md: 2 kindergartens, 17 convenience shops, 33 restaurants + 10 fast food
    assert cats["kindergarten"] == 2
    assert cats["convenience_store"] == 17
    assert cats["restaurant"] >= 43
    assert (r.amenity.geom_type == "Point").all()
    assert r.walk_segment.crs.to_epsg() == 4549


def test_osm_outside_default_extent_refused(data):
    f = data / "beijing_haidian_osm" / "beijing_haidian_qinghe_map.osm"
    with pytest.raises(Exception, match="outside the city extent"):
        read_osm(f)


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"amenity": "school", "name": "海曙中心小学"}, "primary_school"),
        ({"amenity": "school", "name": "宁波第七中学"}, "middle_school"),
        ({"amenity": "school", "isced:level": "2"}, "middle_school"),
        ({"amenity": "clinic", "name": "白云社区卫生服务站"}, "health_station"),
        ({"amenity": "hospital"}, "health_center"),
        ({"shop": "mall"}, "shopping_mall"),
        ({"amenity": "parcel_locker"}, "parcel_locker"),
        (
            {"amenity": "social_facility", "social_facility": "nursing_home"},
            "nursing_home",
        ),
        ({"highway": "bus_stop"}, "bus_stop"),
        ({"amenity": "parking"}, None),
    ],
)
def test_amenity_category(tags, expected):
    assert amenity_category(tags) == expected
