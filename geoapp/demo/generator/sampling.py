"""Small drawing and geometry helpers shared by the layer builders."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from geoapp.demo.generator.frame import Float, Int


def _pick(rng: np.random.Generator, p: Float, n: int) -> Int:
    """Draw ``n`` distinct indices with probabilities ``p`` (sorted)."""
    p = p / p.sum()
    n = min(n, int(np.count_nonzero(p)))
    return np.sort(rng.choice(len(p), size=n, replace=False, p=p))


def _choice(rng: np.random.Generator, values: tuple[str, ...], p: Float) -> Any:
    """Pick from ``values`` per row of a probability matrix ``p`` (n, k)."""
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(p))[:, None]
    idx = np.minimum((u > cum).sum(axis=1), len(values) - 1)
    return np.array(values, dtype=object)[idx]


def _round(geoms: Any) -> Any:
    return shapely.set_precision(np.asarray(geoms), 0.01)


def _multi(polys: Any) -> Any:
    polys = np.asarray(polys)
    out = np.empty(len(polys), dtype=object)
    for k, g in enumerate(polys):
        out[k] = g if isinstance(g, shapely.MultiPolygon) else shapely.MultiPolygon([g])
    return out
