"""cost_pairs for a few sources (a what-if's new facilities) routes each alone: the
same pairs and the same floats as the tiled pair search."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from shapely.geometry import LineString

from analysis.network import NetworkEntry, build_network
from analysis.walkshed import pairs as P

CRS = "EPSG:4549"


def _grid_network(n: int = 12, step: float = 90.0):
    x0, y0 = 600_000.0, 3_300_000.0
    lines = []
    for i in range(n):
        lines.append(
            LineString([(x0, y0 + i * step), (x0 + (n - 1) * step, y0 + i * step)])
        )
        lines.append(
            LineString([(x0 + i * step, y0), (x0 + i * step, y0 + (n - 1) * step)])
        )
    return (
        build_network(gpd.GeoDataFrame(geometry=lines, crs=CRS)),
        x0,
        y0,
        (n - 1) * step,
    )


def test_alone_equals_the_tiled_search_to_the_last_bit():
    net, x0, y0, size = _grid_network()
    rng = np.random.default_rng(7)
    txy = rng.uniform((x0, y0), (x0 + size, y0 + size), (60, 2))
    tsnap = net.snap_points(txy, max_distance_m=200)
    targets = NetworkEntry.from_snap(net, tsnap, np.flatnonzero(tsnap.reachable))
    owner = np.arange(len(targets)) // 3  # three access points per community
    for k in (1, 2, 5, 8):
        sxy = rng.uniform((x0, y0), (x0 + size, y0 + size), (k, 2))
        ssnap = net.snap_points(sxy, max_distance_m=200)
        ok = np.flatnonzero(ssnap.reachable)
        sources = NetworkEntry.from_snap(net, ssnap, ok)
        limits = rng.choice([150.0, 300.0, 500.0], ok.size)
        args = (net, sources, sxy[ok], targets, txy[tsnap.reachable], limits)
        alone = P.cost_pairs(*args, target_owner=owner)
        search = P.PairSearch(*args, target_owner=owner)
        tiled = search.pairs(search.collect([search.run(b) for b in search.batches]))
        assert len(alone[0]) > 0
        for a, b in zip(alone, tiled, strict=True):
            assert np.array_equal(a, b)
