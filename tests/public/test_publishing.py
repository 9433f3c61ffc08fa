"""Imports and edits reach the public when a city administrator publishes them.

Over the public city of conftest (published once at its end): what an import adds is
not on the public map, API, tiles, search, stats or OGC API until the next
publication; an edit of a published community leaves the public value (and the stage
history of the card) as published; only city administrators (and the system) publish.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import SYSTEM
from layers.importing import layer_import
from layers.models import Community, Stage
from layers.registry import LAYERS
from planner import services as planner_services
from public import publishing
from public.models import Publication, PublishedCommunity
from tests import factories

from .conftest import decode_mvt, tile_xy

pytestmark = pytest.mark.django_db

GEOJSON = "/api/public/communities.geojson?zoom=14"
# inside the tiles of the public city (121.55E 29.875N)
IMPORTED = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {
                "code": "CIMP1",
                "name": "新导入小区",
                "district_code": "330203",
                "completion_year": 1992,
                "households": 410,
            },
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [121.5500, 29.8750],
                        [121.5508, 29.8750],
                        [121.5508, 29.8756],
                        [121.5500, 29.8756],
                        [121.5500, 29.8750],
                    ]
                ],
            },
        }
    ],
}


def _public_codes(client) -> set[str]:
    return {f["id"] for f in client.get(GEOJSON).json()["features"]}


def _tile_strings(client) -> list[str]:
    x, y = tile_xy(121.5504, 29.8753, 14)
    layers = decode_mvt(client.get(f"/api/public/tiles/14/{x}/{y}.mvt").content)
    return layers.get("communities", {}).get("strings", [])


def _import(tmp_path):

    path = tmp_path / "new.geojson"
    path.write_text(json.dumps(IMPORTED, ensure_ascii=False), encoding="utf-8")
    return layer_import(user=SYSTEM, layer="community", path=path)


def test_the_registry_names_the_published_layers():
    """One definition: the layers the registry marks published are the snapshots."""
    assert {s.key for s in publishing.SNAPSHOTS} == {
        spec.key for spec in LAYERS if spec.published
    }
    assert all(s.model for s in publishing.SNAPSHOTS)


def test_an_import_waits_for_publication_then_is_public(client, city, tmp_path):
    before = client.get("/api/public/stats/").json()["city"]["communities"]
    result = _import(tmp_path)
    assert result.created == 1 and Community.objects.filter(code="CIMP1").exists()

    assert "CIMP1" not in _public_codes(client)
    assert "新导入小区" not in _tile_strings(client)
    assert client.get("/api/public/communities/CIMP1/").status_code == 404
    assert client.get("/api/public/search/?q=新导入").json() == []
    assert client.get("/api/public/stats/").json()["city"]["communities"] == before
    ogc = client.get("/public/ogc/collections/communities/items?limit=50").json()
    assert "CIMP1" not in {f["id"] for f in ogc["features"]}

    (layer,) = [x for x in publishing.pending_changes() if x["key"] == "community"]
    assert (layer["added"], layer["changed"], layer["removed"]) == (1, 0, 0)
    assert layer["items"] == [
        {"change": "added", "code": "CIMP1", "name": "新导入小区"}
    ]

    publication = publishing.publish(SYSTEM)
    assert publication.counts["community"] == {
        "added": 1,
        "changed": 0,
        "removed": 0,
        "total": 4,
    }
    assert "CIMP1" in _public_codes(client)
    assert "新导入小区" in _tile_strings(client)
    card = client.get("/api/public/communities/CIMP1/").json()
    assert card["name"] == "新导入小区" and card["households"] == 410
    assert client.get("/api/public/stats/").json()["city"]["communities"] == before + 1
    assert publishing.pending_total() == 0


def test_the_public_map_says_when_the_data_was_published(client, city):
    html = client.get("/public/").content.decode()
    local = timezone.localtime(city["publication"].published_at)
    assert f"数据发布于 {local:%Y-%m-%d %H:%M}" in html
    later = timezone.now() + dt.timedelta(days=3)
    publication = publishing.publish(SYSTEM)
    Publication.objects.filter(pk=publication.pk).update(published_at=later)
    publishing.publish(SYSTEM)  # a fresh version for the page's data
    newest = publishing.latest()
    html = client.get("/public/").content.decode()
    assert f"{timezone.localtime(newest.published_at):%Y-%m-%d %H:%M}" in html


def test_an_edit_of_a_published_community_stays_unpublished_until_the_next(
    client, city
):
    code = city["other"].code
    old = client.get(f"/api/public/communities/{code}/").json()
    assert old["stage"] == Stage.NOT_STARTED and old["name"] == "白沙小区"
    # the planner's map edit (planner.services), as the workspace saves it
    planner_services.feature_update(
        kind="community",
        code=code,
        version=Community.objects.get(code=code).version,
        data={"name": "白沙小区（改）", "households": 333},
        user=SYSTEM,
    )
    other = Community.objects.get(code=code)
    other.stage = Stage.UNDER_CONSTRUCTION  # stages move through the programme
    other.save()

    card = client.get(f"/api/public/communities/{code}/").json()
    assert (card["name"], card["stage"], card["households"]) == (
        "白沙小区",
        "not_started",
        300,
    )
    # the stage history does not tell the new stage either, nor the works' start
    assert [h["stage"] for h in card["history"]] == ["not_started"]
    assert card["coverage"]["started"] is None
    stages = {
        f["id"]: f["properties"]["stage"]
        for f in client.get(GEOJSON).json()["features"]
    }
    assert stages[code] == "not_started"
    assert "白沙小区（改）" not in _tile_strings(client)

    changed = {x["key"]: x for x in publishing.pending_changes()}["community"]
    assert changed["changed"] == 1 and changed["items"][0]["code"] == code

    publishing.publish(SYSTEM)
    card = client.get(f"/api/public/communities/{code}/").json()
    assert (card["name"], card["stage"], card["households"]) == (
        "白沙小区（改）",
        "under_construction",
        333,
    )
    assert [h["stage"] for h in card["history"]] == [
        "not_started",
        "under_construction",
    ]


def test_private_edits_are_no_change_to_publish(city):
    Community.objects.filter(pk=city["other"].pk).update(
        internal_notes="内部：不公开", fund_balance_yuan="1.00"
    )
    assert publishing.pending_total() == 0


def test_a_deletion_is_published_as_removed(client, city):
    city["newer"].delete()
    assert city["newer"].code in _public_codes(client)
    publication = publishing.publish(SYSTEM)
    assert publication.counts["community"]["removed"] == 1
    assert city["newer"].code not in _public_codes(client)
    assert not PublishedCommunity.objects.filter(code=city["newer"].code).exists()


@pytest.mark.parametrize(
    "role", [Role.DISTRICT_PLANNER, Role.STREET_STAFF, Role.VIEWER, None]
)
def test_only_city_administrators_publish(city, role):
    d1 = city["districts"][0]
    kw = {}
    if role == Role.DISTRICT_PLANNER:
        kw["district"] = d1
    if role == Role.STREET_STAFF:
        kw["street"] = city["target"].street
    user = factories.user(f"u-{role}", role, **kw) if role else None
    Community.objects.filter(pk=city["target"].pk).update(name="改名")
    n = Publication.objects.count()
    with pytest.raises(PermissionDenied):
        publishing.publish(user)
    assert Publication.objects.count() == n
    assert PublishedCommunity.objects.get(code="CPUB1").name == "月湖新村"
    admin = factories.user("admin-pub", Role.CITY_ADMIN)
    publication = publishing.publish(admin)
    assert publication.published_by == admin
    assert PublishedCommunity.objects.get(code="CPUB1").name == "改名"


def test_a_failed_publication_leaves_the_previous_one(city, monkeypatch):
    Community.objects.filter(pk=city["target"].pk).update(name="改名")
    n = Publication.objects.count()

    def broken(**kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Publication.objects, "create", broken)
    with pytest.raises(RuntimeError):
        publishing.publish(SYSTEM)
    assert Publication.objects.count() == n
    assert PublishedCommunity.objects.get(code="CPUB1").name == "月湖新村"
    assert PublishedCommunity.objects.count() == 3


def test_the_workspace_count_reads_the_stamps_not_the_tables(
    city, django_assert_max_num_queries
):
    """Nothing changed since the publication: the count is the stamps' (2 queries)."""
    with django_assert_max_num_queries(2):
        assert publishing.pending_total() == 0
    Community.objects.filter(pk=city["other"].pk).update(households=301)
    assert publishing.pending_total() == 1
    Community.objects.filter(pk=city["other"].pk).update(households=300)
    assert publishing.pending_total() == 0  # back as published: counted, none
    publishing.publish(SYSTEM)
    with django_assert_max_num_queries(2):
        assert publishing.pending_total() == 0
