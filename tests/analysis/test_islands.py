"""Network islands on the real OSM extracts (../shared/data, ODbL): measured, left out of
snapping, listed; life-circle distances checked against an independent scipy computation.

Cases: component sizes of the Beijing Haidian export through our OSM importer and
through OSMnx's conversion (the GeoPackage), the figures behind
``network.MIN_COMPONENT_NODES``; no facility or community gate snaps onto an island;
the run lists the islands with the points that had one nearest; every distance the
engine reports equals, within 2 m, a Dijkstra on the largest component with the
snapped points inserted as nodes (shapely nearest segment, edges split at the points);
synthetic: an island 5 m from a facility is skipped for the main road 40 m away.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components, dijkstra
from shapely.geometry import LineString, Point, box

from analysis.network import (
    MIN_COMPONENT_NODES,
    build_network,
    community_access_points,
)
from analysis.rules import load_ruleset
from analysis.walkshed import life_circle
from layers.io.osm import read_osm

REPO = Path(__file__).resolve().parents[2]
BEIJING = REPO.parent / "shared" / "data" / "beijing_haidian_osm"
# SOURCE.md: features reach lon 116.334-116.366, lat 39.987-40.021
EXTENT = (116.30, 39.95, 116.40, 40.05)
CRS = "EPSG:4548"  # CGCS2000 / 3-degree GK CM 117E: Beijing's zone
SNAP_M = 150.0


def rules():
    return load_ruleset(
        json.loads((REPO / "fixtures/rulesets/gb50180_2018.json").read_text("utf-8"))
    )


@pytest.fixture(scope="module")
def osm():
    f = BEIJING / "beijing_haidian_qinghe_map.osm"
    if not f.exists():
        pytest.skip("../shared/data is not beside the checkout")
    return read_osm(f, extent=EXTENT, target_crs=CRS)


def test_component_sizes_of_the_real_extracts(osm, capsys):
    """The figures written beside MIN_COMPONENT_NODES."""
    net = build_network(osm.walk_segment)
    comp = net.components()
    print("importer:", net.summary(), comp["nodes"].tolist())
    assert net.n_nodes == 483 and net.n_components == 13
    assert comp["nodes"].iloc[0] == 425  # 88 % of the nodes
    assert comp["nodes"].iloc[1:].max() == 11
    isl = net.islands()
    assert len(isl) == 12 and isl["length_m"].max() < 2900
    main_km = (net.edge_length_m.sum() - isl["length_m"].sum()) / 1000
    assert 52.5 < main_km < 53.5

    gpkg = BEIJING / "beijing_haidian_osm.gpkg"
    edges = gpd.read_file(gpkg, layer="walk_edges").to_crs(CRS)
    net2 = build_network(edges)
    sizes = net2.components()["nodes"].tolist()
    print("osmnx:", net2.summary(), sizes)
    assert len(sizes) == 13 and sizes[0] == 376 and max(sizes[1:]) == 10
    # every island measured is below the threshold, the main networks far above
    assert max(sizes[1:]) < MIN_COMPONENT_NODES <= sizes[0]


@pytest.fixture(scope="module")
def run(osm):
    net = build_network(osm.walk_segment)
    comm = osm.community.reset_index(drop=True)
    amen = osm.amenity.reset_index(drop=True)
    res = life_circle(net, comm, amen, rules(), snap_limit_m=SNAP_M)
    return net, comm, amen, res


def test_no_point_snaps_onto_an_island(run):
    net, comm, amen, res = run
    main = net.main_components()
    aps = community_access_points(comm.geometry)
    for xy in (
        shapely.get_coordinates(amen.geometry.to_numpy()),
        aps[["x", "y"]].to_numpy(),
    ):
        snap = net.snap_points(xy, max_distance_m=SNAP_M)
        comp = net.component_labels[net.edge_u[snap.edge[snap.reachable]]]
        assert main[comp].all()
        assert (net.component_sizes[comp] >= MIN_COMPONENT_NODES).all()
    # with every component allowed, some of the same points do land on islands
    snap_all = net.snap_points(
        shapely.get_coordinates(amen.geometry.to_numpy()),
        max_distance_m=SNAP_M,
        min_component_nodes=1,
    )
    comp_all = net.component_labels[net.edge_u[snap_all.edge[snap_all.reachable]]]
    assert (~main[comp_all]).sum() > 0


def test_run_lists_the_islands(run):
    net, _comm, _amen, res = run
    isl = res.islands
    assert len(isl) == 12 == res.parameters["islands"]
    assert res.parameters["min_component_nodes"] == MIN_COMPONENT_NODES
    assert isl["nodes"].is_monotonic_decreasing
    assert (isl["nodes"] < MIN_COMPONENT_NODES).all()
    assert set(isl.geometry.geom_type) == {"MultiLineString"}
    assert isl["amenities_nearest"].sum() > 0  # facilities moved off islands
    assert isl["edges"].sum() == (~net.main_edges()).sum()


def _reference(segments, amen, comm, ruleset, cats, limit):
    """Distances on the largest component by plain scipy, without WalkNetwork.

    Nodes are the segments' exact end coordinates; each point goes to its nearest
    segment of the largest component (shapely), the segment is cut at every point
    on it, and a super source per category joins its facilities with their offsets.
    """
    lines = list(segments.geometry)
    key: dict[tuple[float, float], int] = {}

    def node(xy):
        return key.setdefault((round(xy[0], 3), round(xy[1], 3)), len(key))

    ends = [(node(ln.coords[0]), node(ln.coords[-1])) for ln in lines]
    u = np.array([e[0] for e in ends])
    v = np.array([e[1] for e in ends])
    n0 = len(key)
    adj = coo_array((np.ones(len(u)), (u, v)), shape=(n0, n0))
    _n, lab = connected_components(adj, directed=False)
    big = np.bincount(lab).argmax()
    kept = [i for i in range(len(lines)) if lab[u[i]] == big]
    tree = shapely.STRtree([lines[i] for i in kept])

    points = []  # (kind, owner, category, point)
    for i, r in amen.iterrows():
        if r["category"] in cats:
            points.append(("f", i, r["category"], r.geometry))
    aps = community_access_points(comm.geometry)
    for r in aps.itertuples():
        points.append(("a", r.community, None, Point(r.x, r.y)))
    on_seg: dict[int, list] = {}
    next_id = n0
    meta = []
    for kind, owner, cat, pt in points:
        j = kept[int(tree.query_nearest(pt, all_matches=False)[0])]
        off = lines[j].distance(pt)
        if off > SNAP_M:
            continue
        on_seg.setdefault(j, []).append((lines[j].project(pt), next_id))
        meta.append((next_id, kind, owner, cat, off))
        next_id += 1
    rows, cols, w = [], [], []
    for j in kept:
        chain = [(0.0, u[j])] + sorted(on_seg.get(j, [])) + [(lines[j].length, v[j])]
        for (t0, a), (t1, b) in zip(chain, chain[1:]):
            rows.append(a)
            cols.append(b)
            w.append(max(t1 - t0, 1e-9))
    n = next_id + 1  # + super source
    out = {}
    for cat in cats:
        src = [(nid, off) for nid, kind, _o, c, off in meta if kind == "f" and c == cat]
        if not src:
            continue
        r2 = rows + [next_id] * len(src)
        c2 = cols + [s for s, _off in src]
        w2 = w + [max(off, 1e-9) for _s, off in src]
        g = coo_array((w2, (r2, c2)), shape=(n, n)).tocsr()
        d = dijkstra(g, directed=False, indices=next_id, limit=limit + 1)
        best = {}
        for nid, kind, owner, _c, off in meta:
            if kind == "a":
                best[owner] = min(best.get(owner, np.inf), d[nid] + off)
        out[cat] = best
    return out


def test_distances_agree_with_independent_scipy_on_the_largest_component(run, osm):
    net, comm, amen, res = run
    cats = list(res.distance_m.columns)
    ref = _reference(osm.walk_segment, amen, comm, rules(), cats, res.limit_m)
    assert ref, "no category has a facility on the largest component"
    compared, worst = 0, 0.0
    for cat, best in ref.items():
        for owner, d_ref in best.items():
            code = comm["code"].iloc[owner]
            d = res.distance_m.at[code, cat]
            if d_ref > res.limit_m - 5 or not np.isfinite(d_ref):
                assert not np.isfinite(d) or d > res.limit_m - 10
                continue
            assert abs(d - d_ref) <= 2.0, (cat, code, d, d_ref)
            compared += 1
            worst = max(worst, abs(d - d_ref))
    print(f"compared {compared} community x category distances, worst {worst:.3f} m")
    assert compared >= 20


def test_synthetic_island_next_to_a_facility_is_skipped():
    """A 2-node footway 5 m from the kindergarten; the main road 40 m away.

    ::

        main road: 25 edges of 40 m along y = 0            (0,0) ... (1000,0)
        island:    (490, 45) ---- (510, 45)
        kindergarten (500, 40); community box around (500, -60)
    """
    main = [LineString([(x, 0), (x + 40, 0)]) for x in range(0, 1000, 40)]
    segs = gpd.GeoDataFrame(
        geometry=[*main, LineString([(490, 45), (510, 45)])], crs="EPSG:4549"
    )
    net = build_network(segs)
    snap = net.snap_points([[500, 40]])
    assert snap.reachable[0] and abs(snap.distance_m[0] - 40) < 1e-9
    assert net.snap_points([[500, 40]], min_component_nodes=1).distance_m[0] < 6
    comm = gpd.GeoDataFrame(
        {"code": ["c1"]}, geometry=[box(480, -80, 520, -40)], crs="EPSG:4549"
    )
    amen = gpd.GeoDataFrame(
        {"code": ["k1"], "category": ["kindergarten"]},
        geometry=[Point(500, 40)],
        crs="EPSG:4549",
    )
    res = life_circle(net, comm, amen, rules(), categories=["kindergarten"])
    # 40 m to the road at x = 500, 10 m along it to the gate point (510, -40) (the
    # boundary points start at (520, -80), every 50 m), 40 m down to it
    assert abs(res.distance_m.at["c1", "kindergarten"] - 90) < 1e-6
    assert res.islands["amenities_nearest"].tolist() == [1]
    island_only = life_circle(
        net, comm, amen, rules(), categories=["kindergarten"], min_component_nodes=1
    )
    assert not np.isfinite(island_only.distance_m.at["c1", "kindergarten"])
