"""Checks of the arguments every siting function shares."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from analysis.siting.results import FloatArray


def _as_cover(cover: Any, name: str = "cover") -> sp.csr_matrix:
    if not sp.issparse(cover):
        cover = sp.csr_matrix(np.asarray(cover))
    cover = sp.csr_matrix(cover, dtype=bool)
    cover.sum_duplicates()
    cover.eliminate_zeros()
    if cover.ndim != 2:  # pragma: no cover - scipy sparse is always 2-D
        msg = f"{name} must be a 2-D matrix (candidates x communities)."
        raise ValueError(msg)
    return cover


def _as_weights(weights: ArrayLike, n: int, name: str = "weights") -> FloatArray:
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.shape[0] != n:
        msg = f"{name} has {w.shape[0]} entries but cover has {n} communities."
        raise ValueError(msg)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        msg = f"{name} must be finite and non-negative."
        raise ValueError(msg)
    return w


def _check_k(k: int, name: str = "k") -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 0:
        msg = f"{name} must be a non-negative integer, got {k!r}."
        raise ValueError(msg)
    return int(k)


def _rule_get(rule: Any, key: str) -> Any:
    if rule is None:
        return None
    if isinstance(rule, Mapping):
        return rule.get(key)
    return getattr(rule, key, None)


def _positive_or_none(value: Any, name: str) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    v = float(value)
    if v < 0:
        msg = f"{name} must be non-negative, got {v}."
        raise ValueError(msg)
    return v
