"""Communities (小区) on the blocks, with their attributes."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoapp.demo import names as nm
from geoapp.demo.generator.districts import _locate, _poly, _shrink
from geoapp.demo.generator.frame import CRS, SANJIANGKOU, Int, _Scale
from geoapp.demo.generator.geography import _to_xy, _Urban
from geoapp.demo.generator.history import _STAGES
from geoapp.demo.generator.network import _Network
from geoapp.demo.generator.sampling import _choice, _multi, _pick, _round


def _parking_spaces(hh: np.ndarray, late: np.ndarray, villa: np.ndarray) -> pd.array:
    """Surveyed parking spaces (issue 19): old communities 0.1–0.45 spaces per household
    (courtyards and roadside lines), later ones 0.5–1.1 (underground garages), villas
    1.2–2; about 15 % not surveyed (NA). Drawn from a generator of their own, seeded by
    the households, so that the other columns keep the draws they had."""
    n = hh.size
    prng = np.random.default_rng([19, n, int(hh.sum()) % 2**32])
    per_hh = np.where(late, prng.uniform(0.5, 1.1, n), prng.uniform(0.1, 0.45, n))
    per_hh = np.where(villa, prng.uniform(1.2, 2.0, n), per_hh)
    out = pd.array(np.round(hh * per_hh).astype(np.int64), dtype="Int64")
    out[prng.random(n) < 0.15] = pd.NA
    return out


def _communities(
    rng: np.random.Generator,
    sc: _Scale,
    net: _Network,
    blk: dict[str, Any],
    urban: _Urban,
    streets: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, Int]:
    quad = blk["quad"]
    cen = quad.mean(axis=1)
    w = urban(cen[:, 0], cen[:, 1]) ** 3
    n_cells = int(round(sc.communities / 1.2))
    pick = _pick(rng, w, n_cells)
    q = quad[pick]
    split = rng.random(len(pick)) < 0.2
    # halves across the middle of the "row" sides
    m01 = (q[:, 0] + q[:, 1]) / 2
    m32 = (q[:, 3] + q[:, 2]) / 2
    left = np.stack([q[:, 0], m01, m32, q[:, 3]], 1)
    right = np.stack([m01, q[:, 1], q[:, 2], m32], 1)
    quads = np.concatenate([q[~split], left[split], right[split]])
    cell = np.concatenate([pick[~split], pick[split], pick[split]])
    srt = np.lexsort((quads[:, 0, 0], cell))
    quads, cell = quads[srt], cell[srt]
    n = len(quads)
    # most of a street block is built: neighbouring communities face each other
    # across a street 10-30 m wide, as in Ningbo's old core (what 连片改造 bundles)
    f = rng.uniform(0.87, 0.95, n)
    f = np.minimum(
        f, np.sqrt(rng.uniform(60000, 130000, n) / shapely.area(_poly(quads)))
    )
    sq = _shrink(quads, f)
    # cut a corner from ~30 % of them: a pentagon instead of a quadrilateral
    cut = rng.random(n) < 0.3
    t1 = rng.uniform(0.2, 0.45, n)
    t2 = rng.uniform(0.2, 0.45, n)
    p_a = np.round(sq[:, 0] + (sq[:, 1] - sq[:, 0]) * t1[:, None], 2)
    p_b = np.round(sq[:, 0] + (sq[:, 3] - sq[:, 0]) * t2[:, None], 2)
    penta = np.stack([p_a, sq[:, 1], sq[:, 2], sq[:, 3], p_b, p_a], 1)
    geoms = np.where(cut, shapely.polygons(penta), _poly(sq))
    bad = ~shapely.is_valid(geoms)
    geoms[bad] = _poly(sq[bad])

    c = shapely.centroid(geoms)
    cx, cy = shapely.get_x(c), shapely.get_y(c)
    area = shapely.area(geoms)
    cx0, cy0 = _to_xy(*SANJIANGKOU)
    r_km = np.hypot(cx - cx0, cy - cy0) / 1000
    st_idx = _locate(c, streets.geometry.values)

    late = rng.random(n) < np.clip(0.08 + 0.03 * r_km, 0.05, 0.6)
    year_old = np.clip(
        np.round(1975 + 25 * rng.beta(1.6 + 0.25 * r_km, 1.6, n)), 1975, 2000
    )
    year = np.where(late, rng.integers(2001, 2016, n), year_old).astype(np.int64)
    types = ("commodity", "work_unit", "resettlement", "affordable", "mixed", "villa")
    p_old = np.array([0.37, 0.38, 0.10, 0.07, 0.05, 0.03])
    p_new = np.array([0.55, 0.03, 0.22, 0.12, 0.05, 0.03])
    htype = _choice(rng, types, np.where(late[:, None], p_new, p_old))
    villa = htype == "villa"

    floors = np.where(late, rng.integers(11, 19, n), rng.integers(4, 8, n))
    floors = np.where(late & (rng.random(n) < 0.15), 6, floors)
    floors = np.where(villa, rng.integers(2, 4, n), floors).astype(np.int64)
    far = np.where(late, rng.uniform(1.8, 3.0, n), rng.uniform(1.1, 1.9, n))
    unit = np.where(late, rng.uniform(85, 120, n), rng.uniform(50, 75, n))
    hh = area * far / unit
    hh = np.where(villa, rng.integers(80, 160, n), hh)
    hh = np.where(late, np.clip(hh, 300, 3000), np.clip(hh, 80, 2200))
    hh = np.round(hh).astype(np.int64)
    floor_area = np.round(hh * np.where(villa, rng.uniform(180, 300, n), unit), 1)
    per_bldg = floors * np.where(villa, 0.5, rng.uniform(4, 10, n))
    buildings = np.maximum(1, np.ceil(hh / per_bldg)).astype(np.int64)
    res = np.round(hh * rng.uniform(2.4, 2.9, n)).astype(np.int64)
    res_null = rng.random(n) < 0.05
    residents = pd.array(res, dtype="Int64")
    residents[res_null] = pd.NA
    lifts = np.where(
        late & ~villa,
        buildings * rng.integers(1, 3, n),
        np.where(rng.random(n) < 0.1, rng.integers(1, 5, n), 0),
    ).astype(np.int64)
    shanty = (rng.random(n) < 0.04 * 1.2) & ~late
    expro = (rng.random(n) < 0.03 * 1.15) & ~shanty
    dang_c = np.where(
        (~late) & (rng.random(n) < 0.15), rng.integers(1, 4, n), 0
    ).astype(np.int64)
    dang_d = np.where((~late) & (rng.random(n) < 0.04), 1, 0).astype(np.int64)
    pm = _choice(
        rng,
        ("none", "professional", "self"),
        np.where(late[:, None], [0.03, 0.9, 0.07], [0.35, 0.35, 0.30]),
    )
    tenure = np.where(
        rng.random(n) < np.where(htype == "resettlement", 0.2, 0.035),
        "collective",
        "state",
    ).astype(object)
    fund_std = np.round(floor_area * rng.uniform(30, 50, n), 2)
    frac = np.where(pm == "none", rng.beta(1.2, 4, n), rng.beta(2.2, 2.0, n))
    fund_bal = np.round(fund_std * frac, 2)
    age = np.clip((2001 - year) / 26, 0, 1)
    adv = np.where(late, 0.04, 0.2 + 0.4 * age)
    later = np.linspace(1.0, 0.5, 8)[None, :] * (
        1 + age[:, None] * np.linspace(0, 1, 8)
    )
    later = later / later.sum(axis=1, keepdims=True) * adv[:, None]
    stage = _choice(rng, _STAGES, np.concatenate([(1 - adv)[:, None], later], 1))

    # names
    sfx = np.array(nm.COMMUNITY_SUFFIXES, dtype=object)[
        rng.integers(0, len(nm.COMMUNITY_SUFFIXES), n)
    ]
    sfx = np.where(htype == "villa", "别墅", sfx)
    sfx = np.where((htype == "work_unit") & (rng.random(n) < 0.5), "宿舍", sfx)
    sfx = np.where(htype == "resettlement", "安置小区", sfx)
    place = np.array(nm.compose(rng, n, nm.PLACE_PARTS), dtype=object)
    digits = ("一", "二", "三", "四", "五")
    num = np.where(
        rng.random(n) < 0.15,
        np.array(digits, dtype=object)[rng.integers(0, 5, n)] + "期",
        "",
    )
    name = place + sfx + num
    # committees: one per street and 1.2 km square
    key = np.stack([st_idx, np.floor(cx / 1200), np.floor(cy / 1200)], 1)
    uk, kinv = np.unique(key, axis=0, return_inverse=True)
    cname = np.array(nm.compose(rng, len(uk), nm.PLACE_PARTS, "社区"), dtype=object)
    committee = cname[kinv.ravel()]
    # address: road of the block's first row line
    ci = blk["i"][cell]
    cj = blk["j"][cell]
    nr, nc = net.x.shape
    n0 = (nr - 1) // 2
    chunk_len = max(1, int(2500 / (float(net.spacing.min()))))
    roads = [
        net.line_names.get((0, int(i_) - n0, int(j_) // chunk_len))
        or net.line_names.get((1, int(j_) - n0, int(i_) // chunk_len))
        or "中山路"
        for i_, j_ in zip(ci.tolist(), cj.tolist())
    ]
    nums = rng.integers(1, 400, n)
    address = [f"{r}{k}号" for r, k in zip(roads, nums.tolist())]

    # entrances on the boundary for ~70 %
    has_ent = rng.random(n) < 0.7
    n_ent = np.where(has_ent, rng.integers(1, 4, n), 0)
    owner = np.repeat(np.arange(n), n_ent)
    rings = shapely.get_exterior_ring(geoms)
    pts = shapely.line_interpolate_point(
        rings[owner], rng.random(len(owner)), normalized=True
    )
    pts = _round(pts)
    entr = np.full(n, None, dtype=object)
    if len(owner):
        uo, oi = np.unique(owner, return_inverse=True)
        entr[uo] = shapely.multipoints(pts, indices=oi.ravel())

    parking_spaces = _parking_spaces(hh, late, villa)

    codes = [f"CM{k + 1:05d}" for k in range(n)]
    st = streets.iloc[st_idx]
    frame = gpd.GeoDataFrame(
        {
            "code": codes,
            "name": name,
            "district_code": st["district_code"].to_numpy(),
            "street_code": st["code"].to_numpy(),
            "committee": committee,
            "address": np.array(address, dtype=object),
            "completion_year": year,
            "land_tenure": tenure,
            "housing_type": htype,
            "buildings": buildings,
            "max_floors": floors,
            "households": hh,
            "residents": residents,
            "floor_area_m2": floor_area.astype(float),
            "lifts": lifts,
            "parking_spaces": parking_spaces,
            "in_shanty_plan": shanty.astype(bool),
            "in_expropriation_plan": expro.astype(bool),
            "dangerous_c": dang_c,
            "dangerous_d": dang_d,
            "property_management": pm,
            "fund_balance_yuan": fund_bal.astype(float),
            "fund_standard_yuan": fund_std.astype(float),
            "stage": stage,
            "entrances": gpd.GeoSeries(entr, crs=CRS),
        },
        geometry=_multi(_round(geoms)),
        crs=CRS,
    )
    used_cells = np.unique(cell)
    return frame, used_cells
