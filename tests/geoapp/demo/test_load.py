"""Loading a generated city (geoapp.demo.load: city_load / layers_clear): history rows."""

from __future__ import annotations

import pytest

from accounts.models import Role
from accounts.permissions import SYSTEM
from geoapp.demo import load as services
from geoapp.demo.generator import generate_city
from layers import models
from programme import services as programme
from programme.models import Project
from public import publishing
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def small_city():
    return generate_city(seed=3, scale="small")


def test_stage_timeline_becomes_history_and_clearing_removes_it(small_city) -> None:
    counts = services.city_load(small_city, source="demo:test")
    assert (
        counts["basemap"]
        == len(small_city.basemap)
        == models.BasemapFeature.objects.count()
    )
    assert models.BasemapFeature.objects.filter(kind="water", name="甬江").exists()
    hist = models.Community.history.model
    assert counts["community_history"] == len(small_city.stage_history)
    assert hist.objects.count() == len(small_city.stage_history)
    # the newest record of every community is the community as stored now
    fields = [
        f.attname for f in models.Community._meta.concrete_fields if f.name != "id"
    ]
    for c in models.Community.objects.all():
        rows = list(c.history.order_by("history_date"))
        assert rows[0].history_type == "+" and rows[0].stage == "not_started"
        assert all(r.history_type == "~" for r in rows[1:])
        newest = rows[-1]
        assert {f: getattr(newest, f) for f in fields} == {
            f: getattr(c, f) for f in fields
        }
    # governance (五(一), 五(二)) as generated: dates, levels and fees on the rows
    frame = small_city.communities.set_index("code")
    pro = models.Community.objects.filter(property_management="professional")
    assert pro.exists() and not pro.filter(property_company="").exists()
    for c in pro[:20]:
        assert str(c.property_fee) == f"{frame.loc[c.code, 'property_fee']:.2f}"
        assert c.service_level == frame.loc[c.code, "service_level"]
    formed = models.Community.objects.exclude(owners_committee_formed_on=None)
    assert formed.count() == int(frame["owners_committee"].sum()) > 0
    c = formed.first()
    assert (
        c.owners_committee_formed_on.isoformat()
        == (frame.loc[c.code, "owners_committee_formed_on"])
    )
    # the public figure that needs it: lifts installed during renovation (once
    # published: make_demo publishes after loading, city_load alone does not)
    from public.selectors import progress_stats

    publishing.publish(SYSTEM)
    assert progress_stats()["city"]["lifts_installed"] > 0

    # reloading clears the old city's history (deletions included)
    services.layers_clear()
    assert not models.Community.objects.exists()
    assert not models.BasemapFeature.objects.exists()
    assert not models.Community.history.model.objects.exists()
    assert not models.District.history.model.objects.exists()


def test_city_load_is_all_or_nothing(small_city) -> None:
    """A failure late in the load (an unknown amenity category) leaves no row behind."""
    from dataclasses import replace

    amenities = small_city.amenities.copy()
    amenities.loc[amenities.index[-1], "category"] = "no_such_category"
    broken = replace(small_city, amenities=amenities)
    with pytest.raises(KeyError, match="no_such_category"):
        services.city_load(broken, source="demo:broken")
    assert not models.District.objects.exists()
    assert not models.Community.objects.exists()
    assert not models.Community.history.model.objects.exists()


def test_special_works_and_their_projects_load_and_clear(small_city) -> None:
    """四(四)2: the works and the projects they meet, some in conflict; a reload
    clears both (the projects refer to the old city's communities)."""
    counts = services.city_load(small_city, source="demo:test")
    assert counts["special_works"] == len(small_city.special_works)
    assert counts["special_work_projects"] == len(small_city.renovation_projects)
    assert models.SpecialWork.objects.count() == len(small_city.special_works)
    every = programme.district_special_works(user=SYSTEM, district=None)
    assert len(every) >= 3
    assert all(pw.schedule.joint_year for pw in every)
    services.layers_clear()
    assert not models.SpecialWork.objects.exists()
    assert not Project.objects.exists()


def test_replacing_the_city_keeps_the_users_roles_by_code(small_city) -> None:
    """make demo after make run: the street staff's street goes with the old city (its
    check constraint refuses a NULL street); the roles come back by code."""
    services.city_load(small_city, source="demo:test")
    street = models.Street.objects.order_by("code").first()
    district = street.district
    staff = factories.user("street-a", Role.STREET_STAFF, street=street)
    planner = factories.user("planner-a", Role.DISTRICT_PLANNER, district=district)
    viewer = factories.user("viewer-a", Role.VIEWER)
    saved = services.profile_areas_detach()
    assert len(saved) == 2
    services.layers_clear()  # refused before: street_staff_has_street
    services.city_load(small_city, source="demo:test")
    assert services.profile_areas_attach(saved) == []
    staff.profile.refresh_from_db()
    planner.profile.refresh_from_db()
    viewer.profile.refresh_from_db()
    assert (staff.profile.role, staff.profile.street.code) == (
        Role.STREET_STAFF,
        street.code,
    )
    assert (planner.profile.role, planner.profile.district.code) == (
        Role.DISTRICT_PLANNER,
        district.code,
    )
    assert viewer.profile.role == Role.VIEWER
    # a city without that street: the profile stays a viewer, reported
    saved = services.profile_areas_detach()
    services.layers_clear()
    lost = services.profile_areas_attach(saved)
    assert set(lost) == {staff.profile.pk, planner.profile.pk}
    staff.profile.refresh_from_db()
    assert staff.profile.role == Role.VIEWER and staff.profile.street is None
