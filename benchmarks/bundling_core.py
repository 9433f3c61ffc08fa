"""Time the adjacency build and the full block bundling on a city-sized layout.

Run: ``/tmp/req/venv/bin/python benchmarks/bundling_core.py [--n 3000] [--seed 0]``.

Uses ``geoapp.demo.generator.generate_city(seed=, scale="city")`` when that module
exists and returns communities; otherwise a seeded synthetic layout: a grid of
super-blocks bounded by arterial roads (the barriers), each filled with jittered
rectangular 小区 separated by local streets of random width (some wider than the
30 m adjacency tolerance), with random households.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.adjacency import community_adjacency  # noqa: E402
from analysis.bundling import bundle_blocks, dissolve_blocks  # noqa: E402

CRS = "EPSG:4549"


def synthetic_city(
    n: int, seed: int = 0
) -> tuple[gpd.GeoDataFrame, gpd.GeoSeries, pd.DataFrame]:
    """Return ``n``+ communities, arterial barriers and a random gap profile."""
    rng = np.random.default_rng(seed)
    per_side = 6  # communities per super-block side
    cell = 120.0  # metres per community slot
    arterial = 20.0  # road width between super-blocks (narrower than gap_m)
    blocks_side = int(np.ceil(np.sqrt(n / per_side**2)))
    span = per_side * cell + arterial
    rows = []
    for bi in range(blocks_side):
        for bj in range(blocks_side):
            x0, y0 = 5.0e5 + bi * span, 3.3e6 + bj * span
            for i in range(per_side):
                for j in range(per_side):
                    street = rng.choice(
                        [8.0, 15.0, 25.0, 45.0], p=[0.3, 0.35, 0.25, 0.1]
                    )
                    jx, jy = rng.uniform(-5, 5, 2)
                    minx = x0 + i * cell + street / 2 + jx
                    miny = y0 + j * cell + street / 2 + jy
                    size = cell - street
                    rows.append(
                        {
                            "street_code": f"S{bi // 3}{bj // 3}",
                            "district_code": f"D{bi // 6}",
                            "households": int(rng.integers(80, 1400)),
                            "residents": int(rng.integers(200, 3500)),
                            "floor_area_m2": float(rng.uniform(5e3, 9e4)),
                            "completion_year": int(rng.integers(1975, 2005)),
                            "dangerous_c": int(rng.poisson(0.3)),
                            "dangerous_d": int(rng.poisson(0.1)),
                            "geometry": shapely.box(
                                minx, miny, minx + size, miny + size
                            ),
                        }
                    )
    gdf = gpd.GeoDataFrame(rows, crs=CRS)
    gdf.index = pd.Index([f"C{k:05d}" for k in range(len(gdf))], name="code")
    lines = []
    for k in range(1, blocks_side):
        c = k * span - arterial / 2
        lines.append(
            shapely.LineString(
                [(5.0e5 + c, 3.3e6), (5.0e5 + c, 3.3e6 + blocks_side * span)]
            )
        )
        lines.append(
            shapely.LineString(
                [(5.0e5, 3.3e6 + c), (5.0e5 + blocks_side * span, 3.3e6 + c)]
            )
        )
    barriers = gpd.GeoSeries(lines, crs=CRS)
    cats = ["kindergarten", "elderly_day_care", "clinic", "market", "sports"]
    profile = pd.DataFrame(
        rng.random((len(gdf), len(cats))) < 0.3, index=gdf.index, columns=cats
    )
    return gdf, barriers, profile


def _generated_city(seed: int) -> tuple[gpd.GeoDataFrame, gpd.GeoSeries | None] | None:
    """Communities and barrier segments of the demo generator, if it works."""
    try:
        from geoapp.demo.generator import generate_city
    except ImportError:
        return None
    t0 = time.perf_counter()
    try:
        city = generate_city(seed=seed, scale="city")
        comms = city.communities
        segs = city.walk_segments
    except Exception as exc:  # noqa: BLE001 - the benchmark falls back, never fails
        print(f"generate_city failed ({exc!r}); using the synthetic layout")
        return None
    print(f"generate_city(seed={seed}, scale='city'): {time.perf_counter() - t0:.1f} s")
    if "households" not in comms.columns:
        return None
    if "code" in comms.columns:
        comms = comms.set_index("code")
    barriers = None
    if "is_barrier" in segs.columns:
        barriers = segs.loc[segs["is_barrier"].astype(bool)].geometry
    return comms, barriers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--synthetic", action="store_true", help="skip geoapp.demo.generator"
    )
    args = parser.parse_args()

    profile = None
    generated = None if args.synthetic else _generated_city(args.seed)
    if generated is not None:
        comms, barriers = generated
        source = "geoapp.demo.generator.generate_city(scale='city')"
    else:
        comms, barriers, profile = synthetic_city(args.n, args.seed)
        source = "synthetic super-block grid"
    print(
        f"layout: {source}; {len(comms)} communities, {0 if barriers is None else len(barriers)} barriers"
    )

    def best(fn):  # noqa: ANN001, ANN202
        times = []
        out = None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t0)
        return min(times), out

    t, adj = best(lambda: community_adjacency(comms, gap_m=30.0))
    print(f"adjacency (no barriers):   {t * 1000:8.1f} ms  edges={len(adj.edges)}")
    t, adj = best(lambda: community_adjacency(comms, gap_m=30.0, barriers=barriers))
    print(
        f"adjacency (with barriers): {t * 1000:8.1f} ms  edges={len(adj.edges)}  blocked={adj.blocked.nnz // 2}"
    )
    t, res = best(
        lambda: bundle_blocks(
            comms,
            gap_m=30.0,
            barriers=barriers,
            group_by="street_code",
            gap_profile=profile,
            seed=args.seed,
        )
    )
    assigned = int((res.labels >= 0).sum())
    print(
        f"bundle_blocks (full):      {t * 1000:8.1f} ms  blocks={len(res.blocks)}  "
        f"assigned={assigned}/{len(comms)}  unassigned={len(res.unassigned)}"
    )
    print(
        "  households per block: "
        + res.blocks["households"].describe().round(0).to_string().replace("\n", ", ")
    )
    print(
        "  unassigned reasons:   "
        + res.unassigned["reason_code"].value_counts().to_dict().__repr__()
    )
    t, _ = best(lambda: bundle_blocks(comms, gap_m=30.0, group_by=None, seed=args.seed))
    print(
        f"bundle_blocks (one component-heavy run, no groups/barriers): {t * 1000:8.1f} ms"
    )
    t, outlines = best(lambda: dissolve_blocks(comms, res.labels, gap_m=30.0))
    print(
        f"dissolve_blocks:           {t * 1000:8.1f} ms  valid={bool(outlines.is_valid.all())}"
    )


if __name__ == "__main__":
    main()
