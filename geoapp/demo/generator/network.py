"""The walk network: a warped, rotated lattice kept where the city is urban."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from geoapp.demo import names as nm
from geoapp.demo.generator.frame import (
    _OLD_CORE_M,
    _ROTATION_DEG,
    CRS,
    SANJIANGKOU,
    Bool,
    Float,
    _Scale,
)
from geoapp.demo.generator.geography import _to_xy, _Urban, city_extent


@dataclass(frozen=True)
class _Network:
    segments: gpd.GeoDataFrame
    x: Float  # lattice node coordinates (nr, nc)
    y: Float
    alive: Bool  # node belongs to the kept network (nr, nc)
    spacing: Float  # local spacing per lattice node
    line_names: dict[tuple[int, int, int], str]


#: the walk segments' kinds, by the codes the lattice is classified with
_KINDS = np.array(
    ["arterial", "secondary", "local", "alley", "bridge", "footway"], dtype=object
)
_ARTERIAL, _SECONDARY, _LOCAL, _ALLEY, _BRIDGE, _FOOTWAY = range(6)


def _build_network(
    rng: np.random.Generator, sc: _Scale, urban: _Urban, river: Any
) -> _Network:
    xmin, ymin, xmax, ymax = city_extent()
    cx, cy = _to_xy(*SANJIANGKOU)
    cx0, cy0 = float(cx), float(cy)
    corners = np.array([[xmin, ymin], [xmin, ymax], [xmax, ymin], [xmax, ymax]])
    dmax = float(np.max(np.hypot(corners[:, 0] - cx0, corners[:, 1] - cy0)))
    rho_max = (-1 + math.sqrt(1 + 4 * dmax / sc.warp_m)) * sc.warp_m / 2
    n = int(math.ceil(rho_max / sc.spacing_m)) + 1
    ax = np.arange(-n, n + 1, dtype=float)
    u, v = np.meshgrid(ax, ax)  # rows i follow v, cols j follow u
    qx, qy = u * sc.spacing_m, v * sc.spacing_m
    rho = np.hypot(qx, qy)
    g = 1 + rho / sc.warp_m
    local = sc.spacing_m * g
    jit = 0.16 * local
    qx = qx * g + rng.uniform(-1, 1, qx.shape) * jit
    qy = qy * g + rng.uniform(-1, 1, qy.shape) * jit
    t = math.radians(_ROTATION_DEG)
    x = np.round(cx0 + qx * math.cos(t) - qy * math.sin(t), 2)
    y = np.round(cy0 + qx * math.sin(t) + qy * math.cos(t), 2)

    margin = 50.0
    inside = (x > xmin + margin) & (x < xmax - margin)
    inside &= (y > ymin + margin) & (y < ymax - margin)
    urb = np.zeros_like(x)
    urb[inside] = urban(x[inside], y[inside])
    keep = inside & (urb > 0.32 + rng.uniform(-0.04, 0.04, x.shape))
    wet_node = np.zeros_like(keep)
    wet_node[keep] = shapely.contains_xy(river, x[keep], y[keep])
    dry = keep & ~wet_node

    nr, nc = x.shape
    idx = np.arange(nr * nc).reshape(nr, nc)
    shapely.prepare(river)

    def edges(axis: int) -> dict[str, Any]:
        if axis == 1:  # along rows (constant i)
            a, b = idx[:, :-1], idx[:, 1:]
            line = np.broadcast_to(np.arange(nr)[:, None], a.shape)
            along = np.broadcast_to(np.arange(nc - 1)[None, :], a.shape)
        else:
            a, b = idx[:-1, :], idx[1:, :]
            line = np.broadcast_to(np.arange(nc)[None, :], a.shape)
            along = np.broadcast_to(np.arange(nr - 1)[:, None], a.shape)
        return {"a": a, "b": b, "line": line, "along": along}

    xf, yf = x.ravel(), y.ravel()
    keepf, dryf, wetf = keep.ravel(), dry.ravel(), wet_node.ravel()

    def wet_edges(e: dict[str, Any]) -> Bool:
        a, b = e["a"], e["b"]
        both = keepf[a] | keepf[b]
        cand = both & (keepf[a] | wetf[a]) & (keepf[b] | wetf[b])
        out = np.zeros(a.shape, dtype=bool)
        sel = np.nonzero(cand)
        coords = np.stack(
            [
                np.stack([xf[a[sel]], yf[a[sel]]], -1),
                np.stack([xf[b[sel]], yf[b[sel]]], -1),
            ],
            1,
        )
        out[sel] = shapely.intersects(shapely.linestrings(coords), river)
        return out

    eh, ev = edges(1), edges(0)
    wet_h, wet_v = wet_edges(eh), wet_edges(ev)

    # bridge candidates: runs of wet edges along a lattice line with dry ends
    cand: list[tuple[int, int]] = []
    for e, wet in ((eh, wet_h), (ev, wet_v)):
        a_arr, b_arr = e["a"], e["b"]
        w2 = wet
        if e is ev:
            a_arr, b_arr, w2 = a_arr.T, b_arr.T, w2.T
        rows = np.nonzero(w2.any(axis=1))[0]
        for r in rows.tolist():
            wr = w2[r].astype(np.int8)
            d = np.diff(np.concatenate([[0], wr, [0]]))
            starts = np.nonzero(d == 1)[0]
            ends = np.nonzero(d == -1)[0] - 1
            for s, f in zip(starts.tolist(), ends.tolist()):
                na, nb = int(a_arr[r, s]), int(b_arr[r, f])
                inner = b_arr[r, s:f]
                blen = math.hypot(xf[na] - xf[nb], yf[na] - yf[nb])
                if blen > 700 or not (dryf[na] and dryf[nb]):
                    continue
                if inner.size and not bool(np.all(wetf[inner])):
                    continue
                cand.append((na, nb))
    cand_arr = np.array(cand, dtype=np.int64).reshape(-1, 2)
    order = rng.permutation(len(cand_arr))
    mx = (xf[cand_arr[:, 0]] + xf[cand_arr[:, 1]]) / 2
    my = (yf[cand_arr[:, 0]] + yf[cand_arr[:, 1]]) / 2
    core_d = np.hypot(mx - cx0, my - cy0)
    min_gap = np.where(core_d < 6000, sc.bridge_core_m, sc.bridge_far_m)
    chosen: list[int] = []
    for k in order.tolist():
        if chosen:
            ch = np.array(chosen)
            if np.min(np.hypot(mx[ch] - mx[k], my[ch] - my[k])) < min_gap[k]:
                continue
        chosen.append(k)
    bridges = cand_arr[np.sort(np.array(chosen, dtype=np.int64))]

    # line classes and attributes
    def classify(e: dict[str, Any], wet: Bool, other_n: int) -> dict[str, Any]:
        a, b = e["a"].ravel(), e["b"].ravel()
        line = e["line"].ravel() - n
        along = e["along"].ravel()
        ok = dryf[a] & dryf[b] & ~wet.ravel()
        mid_r = np.hypot((xf[a] + xf[b]) / 2 - cx0, (yf[a] + yf[b]) / 2 - cy0)
        al = np.abs(line)
        # kinds as codes into _KINDS (strings once the lattice is cut to the city:
        # object arrays of the whole lattice cost a second)
        kind = np.where(
            al % 8 == 0,
            _ARTERIAL,
            np.where(
                al % 4 == 0,
                _SECONDARY,
                np.where((al % 2 == 0) | (mid_r > _OLD_CORE_M), _LOCAL, _ALLEY),
            ),
        ).astype(np.int8)
        return {
            "a": a,
            "b": b,
            "line": line,
            "along": along,
            "ok": ok,
            "kind": kind,
        }

    ch_ = classify(eh, wet_h, nc)
    cv_ = classify(ev, wet_v, nr)
    a = np.concatenate([ch_["a"], cv_["a"], bridges[:, 0]])
    b = np.concatenate([ch_["b"], cv_["b"], bridges[:, 1]])
    nb_ = len(bridges)
    orient = np.concatenate(
        [np.zeros(len(ch_["a"]), int), np.ones(len(cv_["a"]), int), np.full(nb_, 2)]
    )
    line = np.concatenate([ch_["line"], cv_["line"], np.zeros(nb_, int)])
    along = np.concatenate([ch_["along"], cv_["along"], np.arange(nb_)])
    kind = np.concatenate([ch_["kind"], cv_["kind"], np.full(nb_, _BRIDGE, np.int8)])
    ok = np.concatenate([ch_["ok"], cv_["ok"], np.ones(nb_, bool)])
    minor = (kind == _LOCAL) | (kind == _ALLEY)
    drop = minor & (rng.random(len(a)) < 0.06)
    ok &= ~drop
    foot = minor & (rng.random(len(a)) < 0.04)
    kind = np.where(foot, _FOOTWAY, kind).astype(np.int8)

    a, b, orient, line, along, kind = (
        arr[ok] for arr in (a, b, orient, line, along, kind)
    )
    # largest connected component
    m = nr * nc
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(m, m))
    _, lab = connected_components(graph, directed=False)
    used = np.zeros(m, bool)
    used[a] = True
    used[b] = True
    counts = np.bincount(lab[used], minlength=lab.max() + 1)
    big = int(np.argmax(counts))
    sel = lab[a] == big
    a, b, orient, line, along, kind = (
        arr[sel] for arr in (a, b, orient, line, along, kind)
    )
    kind = _KINDS[kind]
    alive = np.zeros(m, bool)
    alive[a] = True
    alive[b] = True

    barrier = (kind == "arterial") & (np.abs(line) % 16 == 0)
    # crossings: perpendicular edges touching a barrier line every 3rd node
    ia, ja = np.divmod(a, nc)
    ib, jb = np.divmod(b, nc)
    col_bar = np.abs(np.arange(nc) - n) % 16 == 0
    row_bar = np.abs(np.arange(nr) - n) % 16 == 0
    crossing = np.zeros(len(a), bool)
    h = orient == 0
    vv = orient == 1
    crossing[h] = (col_bar[ja[h]] | col_bar[jb[h]]) & (ia[h] % 3 == 0)
    crossing[vv] = (row_bar[ia[vv]] | row_bar[ib[vv]]) & (ja[vv] % 3 == 0)

    # names: one per (orientation, line, 2.5 km chunk)
    chunk = np.where(orient == 2, along, along // max(1, int(2500 / sc.spacing_m)))
    keys = np.stack([orient, line, chunk], 1)
    uk, inv = np.unique(keys, axis=0, return_inverse=True)
    inv = inv.ravel()
    k_kind = np.empty(len(uk), object)
    k_kind[inv] = kind
    lab_art = np.abs(uk[:, 1]) % 8 == 0
    lab_alley = np.abs(uk[:, 1]) % 2 == 1
    place = nm.compose(rng, len(uk), nm.PLACE_PARTS)
    road = nm.compose(rng, len(uk), nm.ROAD_PARTS[:5])
    lane = nm.compose(rng, len(uk), nm.ROAD_PARTS[5:])
    art = nm.compose(rng, len(uk), nm.ARTERIAL_NAMES)
    key_names = []
    for k in range(len(uk)):
        if uk[k, 0] == 2:
            bn = nm.BRIDGE_NAMES[int(uk[k, 2]) % len(nm.BRIDGE_NAMES)]
            rep = int(uk[k, 2]) // len(nm.BRIDGE_NAMES)
            key_names.append(bn if rep == 0 else f"{bn[:-1]}{rep + 1}号桥")
        elif lab_art[k]:
            key_names.append(art[k])
        elif lab_alley[k]:
            key_names.append(place[k] + lane[k])
        else:
            key_names.append(place[k] + road[k])
    seg_name = np.array(key_names, dtype=object)[inv]
    line_names = {
        (int(o), int(li), int(c)): key_names[k]
        for k, (o, li, c) in enumerate(uk.tolist())
    }

    coords = np.stack(
        [np.stack([xf[a], yf[a]], -1), np.stack([xf[b], yf[b]], -1)], axis=1
    )
    geoms = shapely.linestrings(coords)
    segs = gpd.GeoDataFrame(
        {
            "code": [f"W{k:07d}" for k in range(len(a))],
            "kind": kind.astype(object),
            "name": seg_name,
            "is_barrier": barrier.astype(bool),
            "is_crossing": crossing.astype(bool),
        },
        geometry=geoms,
        crs=CRS,
    )
    return _Network(segs, x, y, alive.reshape(nr, nc), local, line_names)
