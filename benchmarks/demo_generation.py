"""Benchmark of the demo-city generator: sizes and wall times per scale.

Run with ``python benchmarks/demo_generation.py [--scale small|city|both]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geoapp.demo import generate_city, write_population_tiff  # noqa: E402


def run(scale: str, seed: int) -> None:
    """Generate one city and print its sizes and timings."""
    t0 = time.perf_counter()
    city = generate_city(seed=seed, scale=scale, progress=True)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "population.tif"
        write_population_tiff(city, path)
        tiff_kb = path.stat().st_size / 1024
    t2 = time.perf_counter()
    ends = shapely.get_coordinates(city.walk_segments.geometry.values)
    nodes = len(np.unique(ends, axis=0))
    print(f"== scale={scale} seed={seed}")
    print(f"generate_city        {t1 - t0:8.2f} s")
    print(f"write_population_tiff{t2 - t1:8.2f} s  ({tiff_kb:.0f} KiB)")
    print(f"walk nodes           {nodes:8d}")
    for layer in (
        "districts",
        "streets",
        "communities",
        "idle_land",
        "vacant_housing",
        "amenities",
        "walk_segments",
    ):
        print(f"{layer:21s}{len(getattr(city, layer)):8d}")
    print(
        f"population raster    {city.population.shape} sum={city.population.sum():.0f}"
    )


def main() -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=("small", "city", "both"), default="both")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    scales = ("small", "city") if args.scale == "both" else (args.scale,)
    for scale in scales:
        run(scale, args.seed)


if __name__ == "__main__":
    main()
