"""Tests for layers.frames: the fast readers return what the ORM holds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from django.conf import settings
from django.contrib.gis.geos import LineString

from layers import frames
from tests import factories

pytestmark = pytest.mark.django_db


def _orm_lines() -> list[list[tuple[float, float]]]:
    from layers.models import WalkSegment

    return [list(s.geom.coords) for s in WalkSegment.objects.order_by("id")]


def _as_lists(coords: np.ndarray, offsets: np.ndarray) -> list[list[tuple]]:
    return [
        [tuple(p) for p in coords[offsets[i] : offsets[i + 1]].tolist()]
        for i in range(offsets.shape[0] - 1)
    ]


def test_walk_segment_arrays_two_point_lines_fast_path() -> None:
    factories.segment((121.55, 29.875), (121.551, 29.875))
    factories.segment((121.551, 29.875), (121.551, 29.876))
    coords, offsets = frames.walk_segment_arrays()
    assert offsets.tolist() == [0, 2, 4]
    assert _as_lists(coords, offsets) == _orm_lines()  # bit-identical doubles


def test_walk_segment_arrays_lines_with_interior_vertices() -> None:
    factories.segment((121.55, 29.875), (121.551, 29.875))
    a = factories.lonlat(121.552, 29.875)
    b = factories.lonlat(121.553, 29.876)
    factories.segment(
        (121.552, 29.875),
        (121.553, 29.876),
        geom=LineString(a.coords, (a.x + 50, a.y + 5), b.coords, srid=settings.SRID),
    )
    coords, offsets = frames.walk_segment_arrays()
    assert offsets.tolist() == [0, 2, 5]
    assert _as_lists(coords, offsets) == _orm_lines()


def test_walk_segment_arrays_empty() -> None:
    coords, offsets = frames.walk_segment_arrays()
    assert coords.shape == (0, 2) and offsets.tolist() == [0]


def test_amenities_gdf_reads_awkward_text_and_nulls() -> None:
    p = factories.lonlat(121.5512345, 29.8765432)
    factories.amenity(
        "kindergarten",
        code="K,1",
        name='幼儿园 "星星", 二部\n(分园)',
        floor_area_m2=None,
        geom=p,
    )
    factories.amenity("clinic", code="0012", name="", floor_area_m2=123.5)
    gdf = frames.amenities_gdf()
    assert gdf["code"].tolist() == ["0012", "K,1"]  # ordered by code, kept as text
    row = gdf.set_index("code").loc["K,1"]
    assert row["name"] == '幼儿园 "星星", 二部\n(分园)'
    assert row["category"] == "kindergarten"
    assert math.isnan(row["floor_area_m2"])
    assert (row.geometry.x, row.geometry.y) == (p.x, p.y)
    assert gdf.set_index("code").loc["0012", "floor_area_m2"] == 123.5
    assert str(gdf.crs) == f"EPSG:{settings.SRID}"

    only = frames.amenities_gdf(categories=["clinic", "no'such"])
    assert only["code"].tolist() == ["0012"]
    assert frames.amenities_gdf(categories=[]).empty
