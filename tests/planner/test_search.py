"""The planner's search (planner.search, /api/planner/search/): kinds, ranking, the
district scope, empty and hostile queries."""

import pytest
from django.conf import settings
from django.contrib.gis.geos import MultiPolygon
from django.urls import reverse

from layers.models import AmenityCategory
from planner import search, services
from tests import factories

from .conftest import polygon_geojson
from .test_api import client_for

pytestmark = pytest.mark.django_db

URL = reverse("planner-search")


def community(street, name, **kw):
    d = street.district
    lon = 121.53 if d.code == "W" else 121.57
    return factories.community(
        street=street,
        name=name,
        geom=MultiPolygon(factories.square(lon, 29.875, 200), srid=settings.SRID),
        **kw,
    )


@pytest.fixture
def places(city, users):
    sw, se = city["sw"], city["se"]
    out = {
        "exact_e": community(se, "月湖", code="CM-E1"),
        "prefix_w": community(sw, "月湖花园", code="CM-W1"),
        "prefix_e": community(se, "月湖花园", code="CM-E2"),
        "contains_w": community(sw, "西门月湖苑", code="CM-W2"),
        "committee": community(
            sw, "白云小区", code="CM-W3", committee="月湖社区", address="解放南路 8 号"
        ),
        "address": community(
            se,
            "桂花小区",
            code="CM-E3",
            address="中山西路 120 号",
            committee="樱花社区",
        ),
        "private": community(sw, "松竹小区", code="CM-W4", internal_notes="机密月湖"),
    }
    out["kindergarten"] = factories.amenity(
        "kindergarten",
        code="AM-1",
        name="月湖幼儿园",
        geom=factories.lonlat(121.531, 29.876),
    )
    out["nameless"] = factories.amenity(
        "kindergarten", code="AM-2", name="", geom=factories.lonlat(121.571, 29.876)
    )
    out["area"] = services.feature_create(
        kind="planning_area",
        data={"name": "月湖研究范围"},
        geometry=polygon_geojson(121.53, 29.875),
        user=users["admin"],
    ).obj
    return out


def get(client, users, role, q):
    return client_for(client, users, role).get(URL, {"q": q})


def codes(rows, layer=None):
    return [r["code"] for r in rows if layer is None or r["layer"] == layer]


def test_kinds_grouped_and_ranked_exact_prefix_contains_then_other_fields(
    client, users, places
):
    rows = get(client, users, "admin", "月湖").json()
    # communities, then amenities, then planning areas
    assert [r["layer"] for r in rows] == ["community"] * 5 + [
        "amenity",
        "planning_area",
    ]
    # exact name; the two prefixes (same length: by code); contains; the 社区 match
    assert codes(rows, "community") == ["CM-E1", "CM-E2", "CM-W1", "CM-W2", "CM-W3"]
    committee = rows[4]
    assert committee["matched"] == "committee" and committee["committee"] == "月湖社区"
    assert committee["district"] == "西区" and committee["address"] == "解放南路 8 号"
    assert codes(rows, "amenity") == ["AM-1"]
    assert (
        rows[5]["category_name"]
        == AmenityCategory.objects.get(code="kindergarten").name
    )
    assert rows[5]["district"] == "西区"  # the district holding the point
    assert rows[6]["district"] == "西区" and rows[6]["name"] == "月湖研究范围"
    # private columns are neither searched nor returned
    assert "CM-W4" not in codes(rows)
    assert all("internal_notes" not in r for r in rows)


def test_every_hit_has_a_point_and_bounds_to_zoom_to(client, users, places):
    rows = get(client, users, "admin", "月湖").json()
    for r in rows:
        w, s, e, n = r["bbox"]
        assert w <= r["lon"] <= e and s <= r["lat"] <= n, r
    exact = rows[0]
    # a 200 m square at 29.875N: about 0.0018 degrees of latitude
    assert 0.0015 < exact["bbox"][3] - exact["bbox"][1] < 0.0021
    amenity = next(r for r in rows if r["layer"] == "amenity")
    assert amenity["bbox"][0] == amenity["bbox"][2]  # a point


def test_own_district_first_within_a_rank(client, users, places):
    # the two "月湖花园" (same rank, same length): the west planner's first
    west = codes(get(client, users, "planner_w", "月湖花园").json(), "community")
    admin = codes(get(client, users, "admin", "月湖花园").json(), "community")
    assert west[:2] == ["CM-W1", "CM-E2"]
    assert admin[:2] == ["CM-E2", "CM-W1"]  # city-wide: by code
    # an exact match elsewhere still beats a prefix in the planner's district
    assert codes(get(client, users, "planner_w", "月湖").json(), "community")[0] == (
        "CM-E1"
    )
    # street staff work in their district too; the whole city is still found
    staff = codes(get(client, users, "staff_w", "月湖").json(), "community")
    assert set(staff) == set(admin) | {"CM-E1", "CM-W2", "CM-W3"}


def test_by_address_committee_code_and_words(client, users, places):
    by_address = get(client, users, "viewer", "中山西路").json()
    assert codes(by_address) == ["CM-E3"] and by_address[0]["matched"] == "address"
    assert codes(get(client, users, "viewer", "樱花社区").json()) == ["CM-E3"]
    assert codes(get(client, users, "viewer", "cm-w3").json()) == ["CM-W3"]
    # every word matches some field: the district narrows
    assert codes(get(client, users, "viewer", "月湖花园 东区").json()) == ["CM-E2"]


def test_amenities_by_name_or_category(client, users, places):
    category = AmenityCategory.objects.get(code="kindergarten").name
    rows = get(client, users, "viewer", category).json()
    amenities = [r for r in rows if r["layer"] == "amenity"]
    # a name containing the category's name before a category match
    assert [r["code"] for r in amenities] == ["AM-1", "AM-2"]
    nameless = amenities[1]
    assert nameless["name"] == category and nameless["matched"] == "category"
    assert nameless["district"] == "东区"


def test_limited_per_kind(client, users, city):
    for i in range(search.LIMITS["community"] + 5):
        community(city["sw"], f"重复小区{i:02d}")
    rows = get(client, users, "viewer", "重复小区").json()
    assert len(rows) == search.LIMITS["community"]
    assert rows[0]["name"] == "重复小区00"


@pytest.mark.parametrize(
    "q",
    ["", "   ", "\x00", "%", "_", "'; DROP TABLE layers_community; --", "\\", "<img>"],
)
def test_empty_and_hostile_queries_find_nothing_and_break_nothing(
    client, users, places, q
):
    resp = get(client, users, "viewer", q)
    assert resp.status_code == 200
    assert resp.json() == []


def test_control_characters_are_spaces(client, users, places):
    rows = get(client, users, "viewer", "月湖\x00花园\t").json()
    # "月湖 花园": both words, in the two "月湖花园" and nothing else
    assert sorted(codes(rows)) == ["CM-E2", "CM-W1"]


def test_a_query_too_long_is_refused_with_a_reason(client, users, places):
    resp = get(client, users, "viewer", "月" * (search.MAX_LENGTH + 1))
    assert resp.status_code == 400
    assert "64" in str(resp.json()["q"])
    assert get(client, users, "viewer", "月" * search.MAX_LENGTH).status_code == 200


def test_anonymous_is_refused(client, users, places):
    assert get(client, users, "anon", "月湖").status_code == 403


def test_amenities_by_district_and_own_district_first(client, users, city, places):
    twin = factories.amenity(
        "kindergarten",
        code="AM-0",
        name="月湖幼儿园",
        geom=factories.lonlat(121.571, 29.876),  # the east twin of AM-1
    )
    # the district's name narrows the facilities (they have no district column)
    rows = get(client, users, "viewer", "月湖幼儿园 东区").json()
    assert codes(rows, "amenity") == [twin.code]
    assert rows[0]["district"] == "东区"
    # same rank, same name: by code city-wide, the planner's own district first
    assert codes(get(client, users, "admin", "月湖幼儿园").json(), "amenity") == [
        "AM-0",
        "AM-1",
    ]
    assert codes(get(client, users, "planner_w", "月湖幼儿园").json(), "amenity") == [
        "AM-1",
        "AM-0",
    ]
