"""generate_city: every layer of the demo city from one seed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import shapely
from tqdm import tqdm

from geoapp.demo.generator.amenities import _CATS, _amenities
from geoapp.demo.generator.basemap_features import basemap
from geoapp.demo.generator.communities import _communities
from geoapp.demo.generator.districts import _blocks, _districts
from geoapp.demo.generator.frame import _SCALES, DemoCity
from geoapp.demo.generator.geography import _Urban, river_polygon
from geoapp.demo.generator.history import stage_history
from geoapp.demo.generator.network import _build_network
from geoapp.demo.generator.plots import _idle_land, _vacant_housing
from geoapp.demo.generator.population import _population
from geoapp.demo.generator.voice import suggestions


def generate_city(
    *, seed: int = 42, scale: str = "small", progress: bool = False
) -> DemoCity:
    """Generate the demo city of central Ningbo.

    Parameters
    ----------
    seed
        Seed of the only random generator; the same seed gives identical
        layers and raster.
    scale
        ``"small"`` (~600 communities, a few thousand walk nodes; what
        ``make run`` loads), ``"city"`` (>= 3 000 communities, >= 150 000
        walk nodes, >= 50 000 amenities; for benchmarks) or ``"region"`` (the
        whole municipality's density: ~15,000 communities, ~800,000 walk nodes,
        ~270,000 amenities; seed 42 takes ~50 s of CPU and ~4.5 GB of memory).
    progress
        Show a tqdm progress bar over the generation steps.

    Returns
    -------
    DemoCity
        All layers in EPSG:4549 with the columns of ``docs/DATA_MODEL.md``.

    Raises
    ------
    ValueError
        When ``scale`` is unknown.
    """
    if scale not in _SCALES:
        raise ValueError(f"scale must be one of {sorted(_SCALES)}, got {scale!r}")
    sc = _SCALES[scale]
    rng = np.random.default_rng(seed)
    steps = tqdm(
        total=8, desc=f"demo city ({scale})", disable=not progress, unit="step"
    )

    def step(label: str) -> None:
        steps.set_postfix_str(label)
        steps.update(1)

    def bar(it: Iterator[Any]) -> Iterator[Any]:
        return iter(
            tqdm(
                it,
                total=len(_CATS),
                desc="amenities",
                disable=not progress,
                leave=False,
            )
        )

    urban = _Urban()
    river = river_polygon()
    shapely.prepare(river)
    step("river")
    net = _build_network(rng, sc, urban, river)
    step("walk network")
    districts, streets, sx, sy = _districts(rng, net, urban)
    step("districts and streets")
    blk = _blocks(net, river)
    comm, used = _communities(rng, sc, net, blk, urban, streets)
    step("communities")
    idle = _idle_land(rng, sc, blk, used)
    step("idle land")
    vacant = _vacant_housing(rng, sc, comm)
    step("vacant housing")
    amen = _amenities(rng, sc, net, urban, river, streets, comm, (sx, sy), bar)
    step("amenities")
    pop, transform = _population(comm, urban, river)
    step("population raster")
    base = basemap(seed, scale, net.segments, blk, used, idle)
    steps.close()
    return DemoCity(
        districts=districts,
        streets=streets,
        communities=comm,
        idle_land=idle,
        vacant_housing=vacant,
        amenities=amen,
        walk_segments=net.segments,
        population=pop,
        population_transform=transform,
        seed=seed,
        scale=scale,
        stage_history=stage_history(comm, seed=seed),
        basemap=base,
        suggestions=suggestions(comm, seed=seed),
    )
