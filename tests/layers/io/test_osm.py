"""OSM import on a hand-made file: walk filter and splitting at intersections.

Sketch (node ids; A–B–C is a residential street, B–D a footway, C–E a motorway,
D–F a private service road)::

    A(1) ---- B(2) ---- C(3) ==== E(5)
              |
              D(4) .... F(6)

Expected: the street splits at B (2 segments), the footway is 1 segment, the
motorway and the private road are excluded; the kindergarten node and the named
residential polygon come out.
"""

from __future__ import annotations

import pytest

from layers.io.errors import UnsafeFile
from layers.io.osm import read_osm

OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
 <node id="1" lat="29.870" lon="121.540"/>
 <node id="2" lat="29.870" lon="121.545"/>
 <node id="3" lat="29.870" lon="121.550"/>
 <node id="4" lat="29.866" lon="121.545"/>
 <node id="5" lat="29.870" lon="121.555"/>
 <node id="6" lat="29.866" lon="121.550"/>
 <node id="7" lat="29.868" lon="121.541"><tag k="amenity" v="kindergarten"/>
  <tag k="name" v="白云幼儿园"/></node>
 <node id="11" lat="29.872" lon="121.541"/><node id="12" lat="29.872" lon="121.544"/>
 <node id="13" lat="29.875" lon="121.544"/><node id="14" lat="29.875" lon="121.541"/>
 <way id="100"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
  <tag k="highway" v="residential"/><tag k="name" v="白云街"/></way>
 <way id="101"><nd ref="2"/><nd ref="4"/><tag k="highway" v="footway"/></way>
 <way id="102"><nd ref="3"/><nd ref="5"/><tag k="highway" v="motorway"/></way>
 <way id="103"><nd ref="4"/><nd ref="6"/><tag k="highway" v="service"/>
  <tag k="access" v="private"/></way>
 <way id="104"><nd ref="11"/><nd ref="12"/><nd ref="13"/><nd ref="14"/><nd ref="11"/>
  <tag k="landuse" v="residential"/><tag k="name" v="白云小区"/></way>
</osm>
"""


def test_walk_network_and_pois(tmp_path):
    f = tmp_path / "a.osm"
    f.write_text(OSM, encoding="utf-8")
    r = read_osm(f)
    seg = r.walk_segment.set_index("code")
    assert sorted(seg.index) == ["osm-w100-1", "osm-w100-2", "osm-w101-1"]
    assert seg.loc["osm-w100-1", "kind"] == "local"
    assert seg.loc["osm-w101-1", "kind"] == "footway"
    assert seg.loc["osm-w100-1", "name"] == "白云街"
    # A–B is 0.005° of longitude at 29.87°N ≈ 483 m
    assert seg.loc["osm-w100-1"].geometry.length == pytest.approx(483, rel=0.01)
    assert list(r.amenity["category"]) == ["kindergarten"]
    assert list(r.community["name"]) == ["白云小区"]
    assert r.community.geom_type.iloc[0] == "MultiPolygon"


def test_osm_entity_refused(tmp_path):
    f = tmp_path / "e.osm"
    f.write_text('<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY a "aaaa">]><osm/>')
    with pytest.raises(UnsafeFile):
        read_osm(f)


def test_changesets_in_the_file_are_skipped(tmp_path):
    # a file with <changeset> elements (osmium yields them as Changeset objects, which
    # have no is_node()): read_osm failed with AttributeError instead of reading it
    f = tmp_path / "c.osm"
    f.write_text(
        OSM.replace(
            '<osm version="0.6">',
            '<osm version="0.6">\n <changeset id="9" created_at="2020-01-01T00:00:00Z"'
            ' open="false" uid="1" user="a"><tag k="comment" v="x"/></changeset>',
        ),
        encoding="utf-8",
    )
    r = read_osm(f)
    assert list(r.amenity["category"]) == ["kindergarten"]
    assert list(r.community["name"]) == ["白云小区"]
    assert len(r.walk_segment) == 3
