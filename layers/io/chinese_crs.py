"""GCJ-02 ("Mars coordinates", Gaode/Tencent) and BD-09 (Baidu) to WGS84.

Forward GCJ-02 is the widely published obfuscation formula (Krasovsky 1940
ellipsoid, a = 6378245 m, ee = 0.006693421622965943). It has no closed-form
inverse, so :func:`gcj02_to_wgs84` inverts it by fixed-point iteration::

    w0 = g;  w_{k+1} = w_k - (F(w_k) - g)

The offset varies slowly (its Jacobian differs from identity by ~1e-5), so the
error shrinks by ~1e-5 per step: the loop stops when every point moved less than
``tol`` (default 1e-9 deg) or after 30 steps. The residual ``|F(w) - g|`` is
< 1e-7 deg (about 1 cm) in tests; the result is exact with respect to the published
forward formula, whose own fidelity to the official (unpublished) algorithm is
reported as ~1 m.

BD-09 → GCJ-02 uses the published closed-form inverse (``x_pi`` formula) whose
error is < 1e-6 deg; :func:`bd09_to_gcj02` refines it by the same fixed-point
iteration against :func:`gcj02_to_bd09`, to < 1e-9 deg.

The offsets apply only inside mainland China; elsewhere the functions return the
input unchanged (as the published formula does, with a coarse rectangle test).
"""

from __future__ import annotations

import numpy as np

A = 6378245.0
EE = 0.006693421622965943
X_PI = np.pi * 3000.0 / 180.0


def _out_of_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _tlat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
    )
    r += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    r += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    r += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return r


def _tlon(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    r += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    r += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    r += (
        (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi))
        * 2.0
        / 3.0
    )
    return r


def _arrays(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Forward GCJ-02 obfuscation (vectorised)."""
    lon, lat = _arrays(lon, lat)
    dlat = _tlat(lon - 105.0, lat - 35.0)
    dlon = _tlon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1 - EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (A / sqrtmagic * np.cos(radlat) * np.pi)
    out = _out_of_china(lon, lat)
    return np.where(out, lon, lon + dlon), np.where(out, lat, lat + dlat)


def _invert(forward, lon, lat, tol: float, max_iter: int):
    tx, ty = _arrays(lon, lat)
    x, y = tx.copy(), ty.copy()
    for _ in range(max_iter):
        fx, fy = forward(x, y)
        dx, dy = fx - tx, fy - ty
        x, y = x - dx, y - dy
        if np.all(np.abs(dx) < tol) and np.all(np.abs(dy) < tol):
            break
    return x, y


def gcj02_to_wgs84(lon, lat, *, tol: float = 1e-9, max_iter: int = 30):
    """Inverse GCJ-02 by fixed-point iteration (see module docstring)."""
    return _invert(wgs84_to_gcj02, lon, lat, tol, max_iter)


def gcj02_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Forward BD-09 (Baidu) from GCJ-02."""
    x, y = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon, lat, *, tol: float = 1e-9, max_iter: int = 30):
    """BD-09 → GCJ-02: closed-form approximation refined by iteration."""
    lon, lat = _arrays(lon, lat)
    x, y = lon - 0.0065, lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * X_PI)
    gx, gy = z * np.cos(theta), z * np.sin(theta)
    for _ in range(max_iter):
        fx, fy = gcj02_to_bd09(gx, gy)
        dx, dy = fx - lon, fy - lat
        gx, gy = gx - dx, gy - dy
        if np.all(np.abs(dx) < tol) and np.all(np.abs(dy) < tol):
            break
    return gx, gy


def bd09_to_wgs84(lon, lat, *, tol: float = 1e-9):
    """BD-09 → GCJ-02 → WGS84."""
    gx, gy = bd09_to_gcj02(lon, lat, tol=tol)
    return gcj02_to_wgs84(gx, gy, tol=tol)


def wgs84_to_bd09(lon, lat):
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def transform_geometries(geoms, func):
    """Apply a (lon, lat) array function to every coordinate of shapely geometries."""
    import shapely

    def _f(coords: np.ndarray) -> np.ndarray:
        x, y = func(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(np.asarray(geoms, dtype=object), _f)
