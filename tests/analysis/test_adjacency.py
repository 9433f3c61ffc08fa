"""Tests for analysis.adjacency (fuzzy contiguity with barriers).

Cases the module must cover (libpysal style): touching, near and far pairs;
string and integer ids; MultiPolygons; empty input; a barrier between two
neighbours; a barrier that ends before the shortest connection; rejected inputs
(geographic or missing CRS, duplicated ids, invalid or non-polygonal geometry).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from analysis.adjacency import community_adjacency

CRS = "EPSG:4549"


def _layer(boxes, ids=None, crs=CRS):
    geoms = [shapely.box(*b) for b in boxes]
    return gpd.GeoDataFrame(
        {"households": [100] * len(geoms)}, geometry=geoms, crs=crs, index=ids
    )


def test_touching_near_and_far_pairs():
    """
    A touches B; C is 20 m right of B; D is 50 m right of C (gap_m = 30)::

        +--A--+--B--+ 20 m +--C--+    50 m    +--D--+
    """
    comms = _layer(
        [(0, 0, 100, 100), (100, 0, 200, 100), (220, 0, 320, 100), (370, 0, 470, 100)],
        ids=["A", "B", "C", "D"],
    )
    adj = community_adjacency(comms, gap_m=30)
    assert adj.neighbours("A") == ["B"]
    assert adj.neighbours("B") == ["A", "C"]
    assert adj.neighbours("D") == []  # 50 m > 30 m
    assert adj.edges.tolist() == [[0, 1], [1, 2]]
    assert (adj.matrix != adj.matrix.T).nnz == 0
    # gap 0: only touching pairs
    assert community_adjacency(comms, gap_m=0).edges.tolist() == [[0, 1]]
    # exactly at the tolerance counts (dwithin is <=)
    assert community_adjacency(comms, gap_m=20).neighbours("C") == ["B"]


def test_barrier_separates_pair_across_it():
    """
    An arterial (|) runs down the middle of the 20 m street between A and B::

        +--A--+ | +--B--+
    """
    comms = _layer([(0, 0, 100, 100), (120, 0, 220, 100)], ids=[1, 2])
    road = gpd.GeoSeries([shapely.LineString([(110, -500), (110, 500)])], crs=CRS)
    adj = community_adjacency(comms, gap_m=30, barriers=road)
    assert adj.edges.size == 0
    assert adj.blocked.nnz == 2  # the separated pair, both directions
    assert community_adjacency(comms, gap_m=30).edges.tolist() == [[0, 1]]


def test_barrier_ending_before_the_shortest_connection_does_not_separate():
    """
    A river (~) stops at y = 50; B's nearest point to A is its low corner
    below y = 50, so the shortest segment passes beyond the river's end::

             ~
        +A+  ~
        | |  ~   +B+
        +-+      | |
                 +-+
    """
    comms = _layer([(0, 60, 100, 160), (120, -100, 220, 40)], ids=["A", "B"])
    river = gpd.GeoSeries([shapely.LineString([(110, 300), (110, 70)])], crs=CRS)
    adj = community_adjacency(comms, gap_m=30, barriers=river)
    assert adj.edges.tolist() == [[0, 1]]


def test_multipolygon_and_empty_input():
    multi = shapely.MultiPolygon(
        [shapely.box(0, 0, 10, 10), shapely.box(200, 0, 210, 10)]
    )
    comms = gpd.GeoDataFrame(
        {"households": [1, 1]}, geometry=[multi, shapely.box(215, 0, 300, 10)], crs=CRS
    )
    assert community_adjacency(comms).edges.tolist() == [[0, 1]]
    empty = comms.iloc[:0]
    assert community_adjacency(empty).matrix.shape == (0, 0)


@pytest.mark.parametrize(
    ("crs", "match"),
    [("EPSG:4326", "geographic"), (None, "no CRS"), ("EPSG:2263", "metres")],
    ids=["geographic", "missing", "feet"],
)
def test_rejects_non_metric_crs(crs, match):
    comms = _layer([(0, 0, 1, 1)], crs=crs)
    with pytest.raises(ValueError, match=match):
        community_adjacency(comms)


def test_rejects_bad_ids_and_geometries():
    dup = _layer([(0, 0, 1, 1), (2, 0, 3, 1)], ids=["a", "a"])
    with pytest.raises(ValueError, match="unique"):
        community_adjacency(dup)
    bowtie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    bad = gpd.GeoDataFrame(geometry=[bowtie], crs=CRS)
    with pytest.raises(ValueError, match="invalid"):
        community_adjacency(bad)
    point = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=CRS)
    with pytest.raises(ValueError, match="Polygon"):
        community_adjacency(point)
    with pytest.raises(ValueError, match="gap_m"):
        community_adjacency(_layer([(0, 0, 1, 1)]), gap_m=-1)
    road = gpd.GeoSeries([shapely.LineString([(0, 0), (1, 1)])], crs="EPSG:4326")
    with pytest.raises(ValueError, match="CRS"):
        community_adjacency(_layer([(0, 0, 1, 1)]), barriers=road)


def test_subgraph_and_components():
    comms = _layer(
        [(0, 0, 10, 10), (15, 0, 25, 10), (100, 0, 110, 10)], ids=list("xyz")
    )
    adj = community_adjacency(comms, gap_m=10)
    assert np.unique(adj.components()).size == 2
    sub = adj.subgraph(np.array([True, False, True]))
    assert list(sub.ids) == ["x", "z"]
    assert sub.edges.size == 0
