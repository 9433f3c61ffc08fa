"""Idle land and vacant public housing as candidate sites (四(四)3: owners' consent first)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analysis.siting.checks import _positive_or_none, _rule_get

CANDIDATE_COLUMNS = [
    "source",
    "code",
    "name",
    "kind",
    "owner",
    "consent",
    "status",
    "area_m2",
    "area_basis",
    "site_area_m2",
    "floor_area_m2",
    "district_code",
]


#: Which owners' consent a candidate plot needs to be ranked (四(四)3 "征得业主同意"):
#: ``granted`` (and vacant public housing, which needs none) is what can be proposed;
#: ``pending`` (not asked yet, or being asked) is ranked separately, as the plots worth
#: asking about; ``all`` ranks both together, each marked. Refused plots never.
CONSENT_SCOPES: dict[str, frozenset[str]] = {
    "granted": frozenset({"granted", "not_required"}),
    "pending": frozenset({"unknown", "asked"}),
    "all": frozenset({"granted", "not_required", "unknown", "asked"}),
}


def _check_metric(gdf: gpd.GeoDataFrame, name: str) -> None:
    if gdf.crs is not None and gdf.crs.is_geographic:
        msg = f"{name} must be in a metric CRS (e.g. EPSG:4549), got {gdf.crs}."
        raise ValueError(msg)


def siting_candidates(
    idle_land: gpd.GeoDataFrame | None,
    vacant_housing: gpd.GeoDataFrame | None,
    rule: Mapping[str, Any] | Any | None,
    *,
    kinds: Collection[str] | None = None,
    districts: Collection[str] | gpd.GeoDataFrame | None = None,
    min_area_m2: float | None = None,
    consent: str = "granted",
) -> gpd.GeoDataFrame:
    """
    Collect the idle plots and vacant public housing that can host a facility.

    Parameters
    ----------
    idle_land
        ``idle_land`` layer (DATA_MODEL.md): code, name, kind, owner, tenure,
        consent, status, polygon geometry; ``area_m2`` is used when present,
        otherwise the geometry area.  ``None`` for none.
    vacant_housing
        ``vacant_housing`` layer: code, name, address, floor_area_m2, floors,
        owner_kind, status.  ``None`` for none.
    rule
        The category's rule (a dict of ``fixtures/rulesets/*.json``
        ``categories`` or an object with the same attributes):
        ``min_site_area_m2`` applies to plots and ``min_floor_area_m2`` to
        housing; ``None`` (or no rule) means no minimum.
    kinds
        Keep only these kinds.  Plot kinds are the idle_land kinds
        (``vacant``, ``wasteland``, ``idle``, ``corner``, ``demolition``,
        ``green``); vacant housing has kind ``"vacant_housing"``.
    districts
        Keep only candidates in these districts: either district codes
        (matched against a ``district_code`` column of the inputs) or a
        GeoDataFrame of district polygons (a candidate is kept when its
        representative point is inside one of them).
    min_area_m2
        An extra minimum on the candidate's usable area (site area for plots,
        floor area for housing), on top of the rule.
    consent
        ``granted`` (default: plots whose owners agreed, and vacant public
        housing), ``pending`` (plots not asked yet or being asked: ranked on
        their own, as the ones worth asking about) or ``all``; see
        :data:`CONSENT_SCOPES`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per candidate, columns ``source`` (``"idle_land"`` /
        ``"vacant_housing"``), ``code``, ``name``, ``kind``, ``owner``,
        ``consent``, ``status``, ``area_m2`` (the area tested against the
        rule), ``area_basis`` (``"site"``/``"floor"``), ``site_area_m2``,
        ``floor_area_m2``, ``district_code`` and ``geometry``, with a fresh
        ``RangeIndex`` (row ``j`` is candidate ``j`` for the array core).

    Notes
    -----
    Only status ``available``; consent ``refused`` is never a candidate
    (POLICY.md 四(四)3: idle land is used *with owners' consent*).  Missing
    or null consent counts as ``unknown`` (to be asked: a ``pending``
    candidate).  Vacant public housing has no consent field (``not_required``).
    """
    if consent not in CONSENT_SCOPES:
        msg = f"consent must be one of {sorted(CONSENT_SCOPES)}, got {consent!r}."
        raise ValueError(msg)
    admitted = CONSENT_SCOPES[consent]
    min_site = _positive_or_none(
        _rule_get(rule, "min_site_area_m2"), "min_site_area_m2"
    )
    min_floor = _positive_or_none(
        _rule_get(rule, "min_floor_area_m2"), "min_floor_area_m2"
    )
    extra = _positive_or_none(min_area_m2, "min_area_m2")
    frames: list[gpd.GeoDataFrame] = []
    crs = None

    if idle_land is not None and len(idle_land):
        _check_metric(idle_land, "idle_land")
        crs = idle_land.crs
        land = idle_land
        if "area_m2" in land.columns:
            area = np.array(
                pd.to_numeric(land["area_m2"], errors="coerce"), dtype=float
            )
            missing = np.isnan(area)
            if missing.any():
                area[missing] = land.geometry.area.to_numpy()[missing]
        else:
            area = land.geometry.area.to_numpy(dtype=float)
        land_consent = (
            land["consent"].fillna("unknown").astype(str)
            if "consent" in land.columns
            else pd.Series("unknown", index=land.index)
        )
        frames.append(
            gpd.GeoDataFrame(
                {
                    "source": "idle_land",
                    "code": _col(land, "code"),
                    "name": _col(land, "name"),
                    "kind": _col(land, "kind"),
                    "owner": _col(land, "owner"),
                    "consent": land_consent.to_numpy(),
                    "status": _col(land, "status"),
                    "area_m2": area,
                    "area_basis": "site",
                    "site_area_m2": area,
                    "floor_area_m2": np.nan,
                    "district_code": _col(land, "district_code"),
                },
                geometry=land.geometry.to_numpy(),
                crs=land.crs,
            )
        )
    if vacant_housing is not None and len(vacant_housing):
        _check_metric(vacant_housing, "vacant_housing")
        crs = crs if crs is not None else vacant_housing.crs
        house = vacant_housing
        if "floor_area_m2" not in house.columns:
            msg = "vacant_housing needs a 'floor_area_m2' column."
            raise ValueError(msg)
        floor = pd.to_numeric(house["floor_area_m2"], errors="coerce").to_numpy(float)
        geom = house.geometry
        site = np.where(
            geom.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy(),
            geom.area.to_numpy(),
            np.nan,
        )
        if "footprint" in house.columns:
            # the optional footprint polygon (DATA_MODEL.md) gives the site area
            fp = gpd.GeoSeries(house["footprint"].to_numpy(), crs=house.crs)
            site = np.where(fp.isna().to_numpy(), site, fp.area.to_numpy())
        owner = _col(house, "owner") if "owner" in house.columns else None
        if owner is None:
            owner = _col(house, "owner_kind")
        frames.append(
            gpd.GeoDataFrame(
                {
                    "source": "vacant_housing",
                    "code": _col(house, "code"),
                    "name": _col(house, "name"),
                    "kind": "vacant_housing",
                    "owner": owner,
                    # no consent field on vacant public housing: allowed
                    "consent": "not_required",
                    "status": _col(house, "status"),
                    "area_m2": floor,
                    "area_basis": "floor",
                    "site_area_m2": site,
                    "floor_area_m2": floor,
                    "district_code": _col(house, "district_code"),
                },
                geometry=geom.to_numpy(),
                crs=house.crs,
            )
        )
    if not frames:
        return gpd.GeoDataFrame(
            {c: pd.Series(dtype=object) for c in CANDIDATE_COLUMNS},
            geometry=gpd.GeoSeries([], crs=crs),
            crs=crs,
        )
    cand = pd.concat(frames, ignore_index=True)
    cand = gpd.GeoDataFrame(cand, geometry="geometry", crs=crs)

    keep = np.array(cand["status"].astype(str) == "available", dtype=bool)
    keep &= cand["consent"].astype(str).isin(admitted).to_numpy()
    area = cand["area_m2"].to_numpy(dtype=float)
    is_land = (cand["source"] == "idle_land").to_numpy()
    # a NaN area cannot be shown to meet a minimum
    if min_site is not None:
        keep &= ~is_land | (area >= min_site)
    if min_floor is not None:
        keep &= is_land | (area >= min_floor)
    if extra is not None:
        keep &= area >= extra
    if kinds is not None:
        keep &= cand["kind"].isin(list(kinds)).to_numpy()
    if districts is not None:
        if isinstance(districts, gpd.GeoDataFrame):
            _check_metric(districts, "districts")
            shapes = districts.to_crs(crs) if crs is not None else districts
            union = shapes.geometry.union_all()
            pts = cand.geometry.representative_point()
            keep &= pts.within(union).to_numpy()
        else:
            if cand["district_code"].isna().all():
                msg = (
                    "districts given as codes but the inputs have no "
                    "'district_code' column; pass district polygons instead."
                )
                raise ValueError(msg)
            keep &= cand["district_code"].isin(list(districts)).to_numpy()
    out = cand.loc[keep].reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=crs)


def _col(df: pd.DataFrame, name: str) -> NDArray[Any]:
    if name in df.columns:
        return df[name].to_numpy()
    return np.full(len(df), None, dtype=object)
