"""Tests for analysis.network: graph building, components, snapping, access points.

Cases: endpoints merged within the tolerance (and not beyond); parallel edges
keep the shortest; MultiLineStrings; components reported; snapping onto the
interior of an edge (not just the nearest node); points beyond the limit
reported with their distance; geographic CRS rejected; access points from
entrances or from the boundary every ``spacing_m``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, MultiLineString, MultiPoint, Point, box

from analysis.network import build_network, community_access_points

CRS = "EPSG:4549"


def _segs(*lines: LineString | MultiLineString) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"code": range(len(lines))}, geometry=list(lines), crs=CRS)


def test_merge_within_tolerance_and_components() -> None:
    """Two connected pieces and an island.

    ::

        (0,0)----(100,0) (100,0.3)----(200,0)      (500,0)----(600,0)
                 '-- 0.3 m gap, merged --'          island, 2 nodes
    """
    net = build_network(
        _segs(
            LineString([(0, 0), (100, 0)]),
            LineString([(100, 0.3), (200, 0)]),
            LineString([(500, 0), (600, 0)]),
        ),
        snap_tolerance_m=0.5,
    )
    assert net.n_nodes == 5  # 6 endpoints, one pair merged
    assert net.n_components == 2
    assert sorted(net.component_sizes.tolist()) == [2, 3]
    comp = net.components()
    assert comp["nodes"].tolist() == [3, 2]  # largest first
    assert net.summary()["components"] == 2

    strict = build_network(
        _segs(LineString([(0, 0), (100, 0)]), LineString([(100, 0.3), (200, 0)])),
        snap_tolerance_m=0.1,
    )
    assert strict.n_nodes == 4  # 0.3 m > 0.1 m: not merged
    assert strict.n_components == 2


def test_parallel_edges_keep_shortest_and_loops_dropped() -> None:
    """A straight 100 m edge and a 2×(50²+50²)^½ ≈ 141.4 m detour between the same nodes."""
    net = build_network(
        _segs(
            LineString([(0, 0), (100, 0)]),
            LineString([(0, 0), (50, 50), (100, 0)]),
            LineString([(0, 0), (0, 10), (10, 10), (0, 0)]),  # self-loop
        )
    )
    assert net.n_nodes == 2
    assert net.n_edges == 3  # every line part kept for snapping
    dense = net.csr.toarray()
    assert dense[0, 1] == pytest.approx(100.0)
    assert dense[1, 0] == pytest.approx(100.0)
    assert np.all(np.diag(dense) == 0)


def test_multilinestring_parts_become_edges() -> None:
    net = build_network(
        _segs(MultiLineString([[(0, 0), (100, 0)], [(100, 0), (100, 50)]]))
    )
    assert net.n_edges == 2
    assert net.n_nodes == 3
    assert net.edge_segment.tolist() == [0, 0]
    assert net.edge_length_m.tolist() == [100.0, 50.0]


def test_snap_onto_edge_interior() -> None:
    """Snap to the nearest point on an edge, not the nearest node.

    ::

        (0,0)=========================(200,0)
                   ^ 30 m
                   P (60,-30)

    Nearest node is (0,0) at 67 m; the edge point (60,0) is 30 m away.
    """
    net = build_network(_segs(LineString([(0, 0), (200, 0)])))
    snap = net.snap_points([[60, -30]], max_distance_m=150)
    assert snap.reachable.tolist() == [True]
    assert snap.edge.tolist() == [0]
    assert snap.along_m[0] == pytest.approx(60.0)
    assert snap.distance_m[0] == pytest.approx(30.0)
    assert snap.node_index[0] == net.edge_u[0]  # 60 < 100: the start node is nearer


def test_snap_beyond_limit_reported_not_dropped() -> None:
    net = build_network(_segs(LineString([(0, 0), (200, 0)])))
    snap = net.snap_points([[100, 10], [100, 400], [50, -150]], max_distance_m=150)
    assert len(snap) == 3
    assert snap.reachable.tolist() == [True, False, True]  # 150 m is still inside
    assert snap.distance_m[1] == pytest.approx(400.0)  # reported distance
    assert snap.edge[1] == -1
    assert snap.node_index[1] == -1
    assert np.isnan(snap.along_m[1])


def test_snap_input_validation() -> None:
    net = build_network(_segs(LineString([(0, 0), (200, 0)])))
    with pytest.raises(ValueError, match="shape"):
        net.snap_points([1.0, 2.0])
    with pytest.raises(ValueError, match="max_distance_m"):
        net.snap_points([[0, 0]], max_distance_m=0)


def test_geographic_crs_rejected() -> None:
    segs = gpd.GeoDataFrame(geometry=[LineString([(121, 29), (121.1, 29)])], crs=4326)
    with pytest.raises(ValueError, match="geographic CRS"):
        build_network(segs)


def test_non_lines_rejected() -> None:
    with pytest.raises(ValueError, match="LineString"):
        build_network(gpd.GeoDataFrame(geometry=[Point(0, 0)], crs=CRS))


def test_empty_network() -> None:
    net = build_network(gpd.GeoDataFrame(geometry=[], crs=CRS))
    assert net.n_nodes == 0
    snap = net.snap_points([[0, 0]])
    assert snap.reachable.tolist() == [False]


def test_access_points_entrances_then_boundary() -> None:
    """Community 0 has two gates; community 1 (a 100 m × 50 m box) has none.

    Perimeter 300 m at 50 m spacing gives 6 boundary points.
    """
    polys = gpd.GeoSeries([box(0, 0, 10, 10), box(100, 0, 200, 50)], crs=CRS)
    gates = gpd.GeoSeries([MultiPoint([(0, 5), (10, 5)]), None], crs=CRS)
    ap = community_access_points(polys, gates, spacing_m=50)
    assert (ap["community"] == 0).sum() == 2
    assert set(ap.loc[ap["community"] == 0, "source"]) == {"entrance"}
    assert (ap["community"] == 1).sum() == 6  # ceil(300 / 50)
    assert set(ap.loc[ap["community"] == 1, "source"]) == {"boundary"}
    # small ring: still at least one point
    one = community_access_points(gpd.GeoSeries([box(0, 0, 1, 1)], crs=CRS))
    assert len(one) == 1
    with pytest.raises(ValueError, match="spacing_m"):
        community_access_points(polys, spacing_m=0)
    with pytest.raises(ValueError, match="entrances has 1 rows"):
        community_access_points(polys, gpd.GeoSeries([Point(0, 0)], crs=CRS))


def _random_lines(seed: int, n: int = 300) -> list[LineString]:
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(n):
        k = int(rng.integers(2, 5))
        pts = np.round(rng.uniform(0, 2000, size=(k, 2)) / 25) * 25  # shared endpoints
        lines.append(LineString(pts))
    lines.append(LineString([(5, 5), (5, 5)]))  # zero length: dropped
    return lines


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_network_from_coords_equals_build_network(seed: int) -> None:
    from analysis.network import network_from_coords

    lines = _random_lines(seed)
    a = build_network(_segs(*lines))
    counts = np.array([len(ln.coords) for ln in lines])
    offsets = np.concatenate([[0], np.cumsum(counts)])
    coords = np.concatenate([np.asarray(ln.coords) for ln in lines])
    b = network_from_coords(coords, offsets, crs=CRS)
    assert a.n_nodes == b.n_nodes and a.n_edges == b.n_edges == len(lines) - 1
    np.testing.assert_array_equal(a.node_xy, b.node_xy)
    np.testing.assert_array_equal(a.edge_u, b.edge_u)
    np.testing.assert_array_equal(a.edge_segment, b.edge_segment)
    np.testing.assert_allclose(b.edge_length_m, [ln.length for ln in lines[:-1]])
    assert (a.csr != b.csr).nnz == 0
    # the lazily built shapely lines are the input lines
    assert all(g.equals(ln) for g, ln in zip(b.edge_geometry, lines[:-1], strict=True))
    pts = np.random.default_rng(seed).uniform(-100, 2100, size=(50, 2))
    sa, sb = a.snap_points(pts), b.snap_points(pts)
    np.testing.assert_array_equal(sa.edge, sb.edge)
    np.testing.assert_allclose(sa.along_m, sb.along_m)


def test_network_from_coords_refuses_bad_arrays() -> None:
    from analysis.network import network_from_coords

    xy = np.array([[0.0, 0.0], [100.0, 0.0], [200.0, 0.0]])
    with pytest.raises(ValueError, match="offsets must start at 0"):
        network_from_coords(xy, [0, 2])  # does not end at 3
    with pytest.raises(ValueError, match="offsets must start at 0"):
        network_from_coords(xy, [0, 2, 1, 3])  # decreases
    with pytest.raises(ValueError, match="NaN or infinite"):
        network_from_coords(np.array([[0.0, 0.0], [np.nan, 1.0]]), [0, 2])
    with pytest.raises(ValueError, match="segment has 1 values for 2 lines"):
        network_from_coords(xy[[0, 1, 1, 2]], [0, 2, 4], segment=[0])
    with pytest.raises(ValueError, match="geographic CRS"):
        network_from_coords(xy, [0, 3], crs="EPSG:4326")
    empty = network_from_coords(np.zeros((0, 2)), [0])
    assert empty.n_nodes == 0 and empty.n_edges == 0
