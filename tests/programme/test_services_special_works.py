"""Special works against the projects (四(四)2 最多改一次): the project page's section,
the district report, its CSV and the map's conflicts, with who may read them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.gis.geos import LineString, MultiPolygon
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import Role
from layers.models import SpecialWork
from programme import services
from programme.models import Project
from tests import factories
from tests.programme.builders import block_of, community_in

pytestmark = pytest.mark.django_db


def _line(a, b):
    pa, pb = factories.lonlat(*a), factories.lonlat(*b)
    return LineString(pa.coords, pb.coords, srid=settings.SRID)


def work(code, start, end, geom, **kw):
    defaults = {
        "name": f"工程{code}",
        "department": "宁波兴光燃气集团",
        "kind": "gas",
        "status": "planned",
    }
    defaults.update(kw)
    return SpecialWork.objects.create(
        code=code, start_year=start, end_year=end, geom=geom, **defaults
    )


def project(community, year, **kw):
    return Project.objects.create(
        name=f"{community.name}改造",
        community=community,
        district=community.district,
        year=year,
        **kw,
    )


@pytest.fixture
def place(haishu, fenghua):
    """A community of 海曙区 crossed by a gas main of 2027 and next to a sewer area of
    2026 (the renovation's year); one of 奉化区 far away with a work of 2028."""
    c = community_in(haishu, geom=MultiPolygon(factories.square(121.55, 29.875, 200)))
    far = community_in(
        fenghua, geom=MultiPolygon(factories.square(121.56, 29.885, 200))
    )
    gas = work("SW1", 2027, 2027, _line((121.548, 29.875), (121.552, 29.875)))
    sewer = work(
        "SW2",
        2026,
        2026,
        factories.square(121.5515, 29.875, 100),
        kind="sewer_separation",
        department="宁波市排水有限公司",
    )
    work("SW9", 2028, 2028, factories.square(121.56, 29.885, 50))
    # 300 m away: touches nothing of the first community
    work("SW3", 2026, 2026, factories.square(121.553, 29.878, 40))
    return {
        "community": c,
        "far": far,
        "project": project(c, 2026),
        "far_project": project(far, 2026, stage="annual_plan"),
        "gas": gas,
        "sewer": sewer,
    }


def test_project_lists_the_touching_works_and_proposes_the_joint_year(place):
    pw = services.project_special_works(project=place["project"])
    assert [w.code for w in pw.works] == ["SW1", "SW2"]
    assert pw.conflict
    # the gas main allows 2027 only, the sewer works 2026 only: one must move; the
    # renovation's own year wins the tie (nearest), so the gas main moves to 2026
    assert pw.schedule.joint_year == 2026
    assert pw.schedule.reschedule == ("SW1",)
    rows = {r["work"].code: r for r in pw.rows()}
    assert rows["SW1"]["reschedule"] and not rows["SW2"]["reschedule"]
    assert rows["SW1"]["communities"] == [place["community"].code]


def test_a_project_under_construction_keeps_its_year(place):
    p = place["project"]
    p.stage = "construction"
    p.save()
    place["sewer"].start_year = place["sewer"].end_year = 2028
    place["sewer"].save()
    pw = services.project_special_works(project=p)
    assert pw.schedule.joint_year == 2026
    assert set(pw.schedule.reschedule) == {"SW1", "SW2"}


def test_a_finished_project_lists_its_works_without_a_conflict(place):
    p = place["project"]
    p.stage = "completion_acceptance"
    p.save()
    pw = services.project_special_works(project=p)
    assert [w.code for w in pw.works] == ["SW1", "SW2"]
    assert not pw.conflict


def test_a_block_project_reads_the_works_of_every_member(haishu):
    a = community_in(haishu, geom=MultiPolygon(factories.square(121.55, 29.875, 200)))
    b = community_in(haishu, geom=MultiPolygon(factories.square(121.5521, 29.875, 200)))
    block_of("B1", [a, b])
    work("SW5", 2028, 2029, factories.square(121.5521, 29.875, 50), kind="sponge_city")
    p = Project.objects.create(name="片区", block_code="B1", district=haishu, year=2027)
    pw = services.project_special_works(project=p)
    assert [w.code for w in pw.works] == ["SW5"]
    assert pw.by_community == {b.code: ["SW5"]}
    assert pw.schedule.joint_year == 2028
    assert pw.schedule.renovation_moves


def test_aligned_works_are_no_conflict(place):
    place["gas"].start_year = place["gas"].end_year = 2026
    place["gas"].save()
    pw = services.project_special_works(project=place["project"])
    assert not pw.conflict
    assert pw.schedule.joint_year == 2026


def test_district_report_is_the_districts_own(place, haishu, fenghua, staff):
    planner = factories.user("p-haishu", Role.DISTRICT_PLANNER, district=haishu)
    rows = services.district_special_works(user=planner, district=haishu)
    assert [r.project.pk for r in rows] == [place["project"].pk]
    with pytest.raises(PermissionDenied):
        services.district_special_works(user=planner, district=fenghua)
    viewer = factories.user("v", Role.VIEWER)
    with pytest.raises(PermissionDenied):
        services.district_special_works(user=viewer, district=haishu)
    # the city administrator reads every district
    every = services.district_special_works(user=staff, district=None)
    assert {r.project.pk for r in every} == {
        place["project"].pk,
        place["far_project"].pk,
    }


def test_csv_lists_the_conflicts_with_the_joint_year(place, haishu):
    planner = factories.user("p-haishu", Role.DISTRICT_PLANNER, district=haishu)
    text = services.conflicts_csv(user=planner, district=haishu)
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].split(",")[:5] == [
        "project_id",
        "project",
        "community_or_block",
        "year",
        "joint_year",
    ]
    assert len(lines) == 2
    row = lines[1].split(",")
    assert row[2] == place["community"].code and row[4] == "2026"
    assert row[6] == "SW1 SW2"


def test_map_conflicts_are_the_readers_district(place, haishu, staff):
    planner = factories.user("p-haishu", Role.DISTRICT_PLANNER, district=haishu)
    got = services.conflicts_features(user=planner)
    roles = sorted(
        (f["properties"]["role"], f["properties"].get("code", ""))
        for f in got["features"]
    )
    assert roles == [("project", ""), ("work", "SW1"), ("work", "SW2")]
    project_feature = next(
        f for f in got["features"] if f["properties"]["role"] == "project"
    )
    assert project_feature["properties"]["joint_year"] == 2026
    lon, lat = project_feature["geometry"]["coordinates"][0][0][0]
    assert 121.5 < lon < 121.6 and 29.8 < lat < 29.9
    viewer = factories.user("v", Role.VIEWER)
    assert services.conflicts_features(user=viewer)["features"] == []
    assert len(services.conflicts_features(user=staff)["features"]) == 5


def test_pages_answer_their_roles(client, place, haishu, fenghua):
    planner = factories.user("p-haishu", Role.DISTRICT_PLANNER, district=haishu)
    client.force_login(planner)
    page = client.get(reverse("programme-special-works", args=[haishu.code]))
    assert page.status_code == 200
    assert "SW1" in page.content.decode() or "工程SW1" in page.content.decode()
    assert (
        client.get(reverse("programme-special-works", args=[fenghua.code])).status_code
        == 403
    )
    csv_response = client.get(
        reverse("programme-special-works-csv", args=[haishu.code])
    )
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"].startswith("text/csv")
    section = client.get(reverse("programme-project-page", args=[place["project"].pk]))
    body = section.content.decode()
    assert 'id="special-works"' in body and 'data-conflict="yes"' in body
    assert "SW1" in body
    geo = client.get(reverse("programme-special-work-conflicts"))
    assert geo.status_code == 200 and len(geo.json()["features"]) == 3
    client.logout()
    for name, args in (
        ("programme-special-works", [haishu.code]),
        ("programme-special-works-csv", [haishu.code]),
        ("programme-special-work-conflicts", []),
        ("layer-special-works", []),
    ):
        assert client.get(reverse(name, args=args)).status_code in (302, 403), name
