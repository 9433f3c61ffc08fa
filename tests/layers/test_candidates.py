"""Community candidates from OSM: stored for review, confirmed by a planner, only then
communities that the life circle reads.

The Beijing Haidian export (../shared/data, ODbL) has 10 landuse=residential polygons,
one unnamed (SOURCE.md); its buildings mostly lack building:levels, so the estimate
uses the default storeys and says so on the page.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from accounts.models import Profile, Role
from accounts.permissions import SYSTEM
from layers import candidates, frames, models
from layers.importing import osm_import
from tests import factories

pytestmark = pytest.mark.django_db

BEIJING_EXTENT = (116.30, 39.95, 116.40, 40.05)
OSM = "beijing_haidian_osm/beijing_haidian_qinghe_map.osm"


@pytest.fixture
def beijing(shared_data, settings):
    settings.CITY_EXTENT = BEIJING_EXTENT
    # a district over the whole export, so that every candidate has one
    from django.contrib.gis.geos import MultiPolygon, Polygon

    from layers.crs import transformed

    box = Polygon.from_bbox(BEIJING_EXTENT)
    box.srid = 4326
    d = models.District.objects.create(
        code="BJ-HD", name="海淀区", geom=MultiPolygon(transformed(box, settings.SRID))
    )
    r = osm_import(user=SYSTEM, path=shared_data / OSM, extent=BEIJING_EXTENT)
    return d, r


def _user(role=None, district=None, name="u"):
    user = get_user_model().objects.create_user(name, password="pw")
    if role:
        Profile.objects.create(user=user, role=role, district=district)
    return user


def test_osm_residential_areas_are_candidates_not_communities(beijing):
    d, r = beijing
    assert r.counts["community"] == {"created": 10, "updated": 0, "kept": 0}
    assert models.CommunityCandidate.objects.count() == 10
    assert models.Community.objects.count() == 0  # nothing enters the analyses
    c = models.CommunityCandidate.objects.get(name="静淑苑")
    assert c.status == "pending" and c.district == d
    assert c.buildings >= 5 and c.households_estimate > 100
    # 12 buildings without levels x 6 storeys x footprint / 80 m2 (the analysis module)
    assert c.floor_area_m2 / 80 == pytest.approx(c.households_estimate, abs=1)
    assert any("静淑苑" in line for line in r.reports["community"].info["candidates"])
    # the basemap came with it
    kinds = set(models.BasemapFeature.objects.values_list("kind", flat=True))
    assert {"building", "road", "park", "water"} <= kinds


def test_confirm_makes_a_community_that_the_analyses_read(beijing):
    d, _r = beijing
    admin = _user(Role.CITY_ADMIN)
    c = models.CommunityCandidate.objects.get(name="富润家园")
    community = candidates.candidate_confirm(
        user=admin, candidate=c, completion_year=1998
    )
    assert community.households == c.households_estimate
    assert community.households_estimated is True
    assert (community.district, community.completion_year) == (d, 1998)
    assert community.history.first().history_user == admin
    c.refresh_from_db()
    assert c.status == "confirmed" and c.community == community
    assert list(frames.communities_gdf()["code"]) == [c.code]
    # surveyed households: not an estimate
    c2 = models.CommunityCandidate.objects.get(name="静淑苑")
    com2 = candidates.candidate_confirm(
        user=admin, candidate=c2, completion_year=1995, households=640
    )
    assert (com2.households, com2.households_estimated) == (640, False)
    with pytest.raises(ValidationError, match="已审核"):
        candidates.candidate_confirm(user=admin, candidate=c2, completion_year=1995)


def test_reimport_keeps_reviewed_candidates(beijing, shared_data):
    admin = _user(Role.CITY_ADMIN)
    c = models.CommunityCandidate.objects.get(name="学士居")
    candidates.candidate_dismiss(user=admin, candidate=c, note="校园")
    r = osm_import(user=SYSTEM, path=shared_data / OSM, extent=BEIJING_EXTENT)
    assert r.counts["community"] == {"created": 0, "updated": 9, "kept": 1}
    c.refresh_from_db()
    assert c.status == "dismissed" and c.note == "校园"
    assert models.BasemapFeature.objects.count() == r.counts["basemap"]["written"]


def test_bad_confirmations_are_refused_and_write_nothing(beijing):
    d, _r = beijing
    c = models.CommunityCandidate.objects.get(name="双泉嘉苑")
    viewer = _user(name="viewer")
    with pytest.raises(PermissionDenied):
        candidates.candidate_confirm(user=viewer, candidate=c, completion_year=1990)
    other = factories.district(code="D-OTHER")  # a planner of another district
    planner = _user(Role.DISTRICT_PLANNER, other, name="p")
    with pytest.raises(PermissionDenied):
        candidates.candidate_confirm(user=planner, candidate=c, completion_year=1990)
    admin = _user(Role.CITY_ADMIN, name="a")
    with pytest.raises(ValidationError, match="completion_year"):
        candidates.candidate_confirm(user=admin, candidate=c, completion_year=1850)
    unnamed = models.CommunityCandidate.objects.get(name="")
    with pytest.raises(ValidationError, match="名称"):
        candidates.candidate_confirm(
            user=admin, candidate=unnamed, completion_year=1990
        )
    assert models.Community.objects.count() == 0
    assert models.CommunityCandidate.objects.filter(status="pending").count() == 10


def test_review_page_lists_confirms_and_dismisses(beijing, client):
    d, _r = beijing
    assert client.get("/planner/candidates/").status_code == 302  # login first
    client.force_login(_user(name="viewer"))
    assert client.get("/planner/candidates/").status_code == 403
    planner = _user(Role.DISTRICT_PLANNER, d, name="hd")
    client.force_login(planner)
    page = client.get("/planner/candidates/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "静淑苑" in html and 'id="candidates-data"' in html
    c = models.CommunityCandidate.objects.get(name="静淑苑")
    r = client.post(
        f"/planner/candidates/{c.pk}/confirm/",
        {
            f"c{c.pk}-name": "静淑苑",
            f"c{c.pk}-completion_year": "1996",
            f"c{c.pk}-households": "700",
        },
        follow=True,
    )
    assert "已确认" in r.content.decode()
    com = models.Community.objects.get(code=c.code)
    assert (com.households, com.households_estimated, com.completion_year) == (
        700,
        False,
        1996,
    )
    bad = models.CommunityCandidate.objects.get(name="学士居")
    r = client.post(
        f"/planner/candidates/{bad.pk}/confirm/",
        {f"c{bad.pk}-completion_year": "abc"},
        follow=True,
    )
    assert "建成年份" in r.content.decode() or "completion_year" in r.content.decode()
    assert not models.Community.objects.filter(code=bad.code).exists()
    r = client.post(f"/planner/candidates/{bad.pk}/dismiss/", follow=True)
    assert "已排除" in r.content.decode()
    bad.refresh_from_db()
    assert bad.status == "dismissed" and bad.reviewed_by == planner
    assert client.get(f"/planner/candidates/{bad.pk}/confirm/").status_code == 405


@override_settings(CITY_EXTENT=BEIJING_EXTENT)
def test_dry_run_counts_candidates_without_writing(shared_data):
    r = osm_import(
        user=SYSTEM, path=shared_data / OSM, extent=BEIJING_EXTENT, dry_run=True
    )
    assert r.counts["community"]["created"] == 10
    assert models.CommunityCandidate.objects.count() == 0
    assert models.BasemapFeature.objects.count() == 0
