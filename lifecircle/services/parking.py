"""Parking figures per community: surveyed spaces, demand from the ratios in force, gap.

The rule is :mod:`analysis.parking`; this module reads the communities and the dated
ratios (:class:`lifecircle.models.ParkingRatios`) and hands them to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from django.utils import timezone

from analysis import parking
from layers import frames
from layers.models import Community
from lifecircle.models import ParkingRatios


def parking_ratios(on: dt.date | None = None) -> dict[str, Any] | None:
    """The parking demand ratios in force on ``on`` (today by default), with their
    ``id`` and ``source``; ``None`` when no version is loaded or none is in force."""
    on = on or timezone.localdate()
    versions = []
    for row in ParkingRatios.objects.order_by("effective_from"):
        version = dict(row.data)
        version["id"] = row.version_id
        version["effective_from"] = row.effective_from.isoformat()
        version["effective_to"] = (
            row.effective_to.isoformat() if row.effective_to else None
        )
        version["source"] = version.get("source") or row.source
        version["document_source"] = row.source
        versions.append(version)
    if not versions:
        return None
    try:
        return parking.parking_version({"versions": versions}, on)
    except ValueError:
        return None


def _source(version: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": version["id"],
        "effective_from": version["effective_from"],
        "source": version.get("source", ""),
        "note": version.get("document_source", ""),
        "verified": bool(version.get("verified", False)),
    }


def community_parking_figures(
    *,
    district: str | None = None,
    codes: Sequence[str] | None = None,
    on: dt.date | None = None,
) -> tuple[pd.DataFrame, dict[str, Any] | None]:
    """Each community's parking figures and the source of the ratios.

    Returns
    -------
    (frame, source)
        ``frame``: ``code``, ``name``, ``district_code``, ``housing_type``,
        ``households`` and :func:`analysis.parking.community_parking`'s columns, in
        code order; ``source``: the ratios' version, date and source (``None`` and an
        empty frame when no ratios are in force).
    """
    version = parking_ratios(on)
    comm = frames.communities_gdf(district=district, codes=codes)
    base = pd.DataFrame(
        {
            "code": comm["code"].astype(str).to_numpy(),
            "name": comm["name"].astype(str).to_numpy(),
            "district_code": comm["district_code"].astype(str).to_numpy(),
            "housing_type": comm["housing_type"].astype(str).to_numpy(),
            "households": comm["households"].to_numpy(dtype=float),
        }
    )
    if version is None:
        return base.iloc[0:0], None
    spaces = (
        comm["parking_spaces"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    )
    figures = parking.community_parking(
        base["households"], base["housing_type"], base["district_code"], spaces, version
    )
    return pd.concat([base, figures], axis=1), _source(version)


def _number(v: float) -> int | None:
    return None if v is None or not np.isfinite(v) else int(v)


def community_parking_record(community: Community) -> dict[str, Any] | None:
    """What the record card shows of one community: spaces, ratio, demand, gap and the
    ratios' source (``None`` when no ratios are in force)."""
    version = parking_ratios()
    if version is None:
        return None
    spaces = (
        np.nan if community.parking_spaces is None else float(community.parking_spaces)
    )
    df = parking.community_parking(
        [community.households],
        [community.housing_type],
        [community.district.code],
        [spaces],
        version,
    )
    row = df.iloc[0]
    return {
        "spaces": _number(row["spaces"]),
        "ratio": None if np.isnan(row["ratio"]) else float(row["ratio"]),
        "demand": _number(row["demand"]),
        "gap": _number(row["gap"]),
        **_source(version),
    }
