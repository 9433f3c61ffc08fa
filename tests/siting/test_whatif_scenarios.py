"""What-if scenarios of the planner's map: sites computed together (the union of what
each covers, never a sum), saved, listed, reopened and deleted; saving and deleting are
planners' writes inside their district.

The siting city (tests/siting/city.py): elderly_daycare, 300 m; entrances 10 m north of
the street, so a site on the street at x covers an entrance at y when |x - y| + 10 ≤ 300.
A site at 750 m covers B (600) and C (900); at 1500 m D; at 1700 m D and F (1900).
"""

import json

import pytest
from django.conf import settings
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from lifecircle import services as lc
from siting import services
from siting.models import SitingScenario
from tests import factories
from tests.siting import city

pytestmark = pytest.mark.django_db
CAT = city.CATEGORY
M_PER_DEG_LON = 96_600


def site(dx: float, **kw) -> dict:
    return {
        "category": CAT,
        "lon": city.LON0 + dx / M_PER_DEG_LON,
        "lat": city.LAT0,
        **kw,
    }


def covered(result) -> set[str]:
    return {r["code"] for r in result["changed"]}


def what_if(siting_city, *sites):
    return lc.lifecircle_what_if(run=siting_city["lifecircle"], facilities=list(sites))


def other_district():
    ring = Polygon.from_bbox((0, 0, 1000, 1000))
    ring.srid = settings.SRID
    return factories.district(geom=MultiPolygon(ring, srid=settings.SRID))


# ---------------------------------------------------------------------------
# cumulative
# ---------------------------------------------------------------------------
def test_sites_together_cover_the_union_of_each_alone(siting_city):
    first = what_if(siting_city, site(750))
    second = what_if(siting_city, site(1700))
    both = what_if(siting_city, site(750), site(1700))
    assert covered(first) == {"B", "C"} and covered(second) == {"D", "F"}
    assert covered(both) == {"B", "C", "D", "F"}
    assert both["communities_newly_covered"] == 4
    assert both["residents_newly_covered"] == {CAT: 2000 + 1500 + 3000 + 1000}
    assert both["mean_score_after"] > first["mean_score_after"]
    assert both["mean_score_after"] > second["mean_score_after"]
    assert both["mean_score_before"] == first["mean_score_before"]


def test_overlapping_sites_count_a_community_once(siting_city):
    """1500 m and 1700 m both cover D: together they gain D and F (4000), not 3000 + 4000."""
    alone = [what_if(siting_city, site(x)) for x in (1500, 1700)]
    both = what_if(siting_city, site(1500), site(1700))
    assert [r["residents_newly_covered"][CAT] for r in alone] == [3000, 4000]
    assert covered(both) == {"D", "F"}
    assert both["residents_newly_covered"] == {CAT: 4000}


# ---------------------------------------------------------------------------
# services: save, list, reopen, delete; role and district
# ---------------------------------------------------------------------------
def test_save_list_reopen_delete(siting_city):
    planner = factories.user("city-whatif", Role.CITY_ADMIN)
    run = siting_city["lifecircle"]
    sc = services.whatif_scenario_create(
        lifecircle_run=run,
        sites=[site(750), site(1700, capacity=30)],
        name="两处日间照料",
        user=planner,
    )
    assert sc.method == SitingScenario.Method.WHATIF and sc.run is None
    assert sc.created_by == planner and sc.created_at is not None
    assert sc.district_code == siting_city["district"].code
    assert [s.get("capacity") for s in sc.sites] == [None, 30.0]
    assert list(services.whatif_scenario_list()) == [sc]
    again = services.whatif_scenario_get(sc.pk)
    # reopened: the same sites give the same what-if
    reopened = lc.lifecircle_what_if(run=again.lifecircle_run, facilities=again.sites)
    assert covered(reopened) == {"B", "C", "D", "F"}
    services.whatif_scenario_delete(again, user=planner)
    assert not SitingScenario.objects.filter(pk=sc.pk).exists()


def test_default_name_and_bad_sites(siting_city):
    planner = factories.user("city-whatif2", Role.CITY_ADMIN)
    run = siting_city["lifecircle"]
    sc = services.whatif_scenario_create(
        lifecircle_run=run, sites=[site(750)], user=planner
    )
    assert f"#{run.pk}" in sc.name
    for bad in (
        [],
        [{"category": CAT, "lon": "x", "lat": 1}],
        [site(750, capacity=-1)],
        [site(750, category="no_such")],
        [{"category": CAT, "lon": 10.0, "lat": 10.0}],  # outside the city
    ):
        with pytest.raises(ValueError):
            services.whatif_scenario_create(lifecircle_run=run, sites=bad, user=planner)
    assert SitingScenario.objects.count() == 1


def test_district_planner_saves_and_deletes_in_own_district_only(siting_city):
    own = factories.user(
        "own-planner", Role.DISTRICT_PLANNER, district=siting_city["district"]
    )
    other = factories.user(
        "other-planner", Role.DISTRICT_PLANNER, district=other_district()
    )
    viewer = factories.user("a-viewer", Role.VIEWER)
    run = siting_city["lifecircle"]
    for user in (other, viewer, None):
        with pytest.raises(PermissionDenied):
            services.whatif_scenario_create(
                lifecircle_run=run, sites=[site(750)], user=user
            )
    sc = services.whatif_scenario_create(
        lifecircle_run=run, sites=[site(750)], user=own
    )
    assert sc.district_code == siting_city["district"].code
    for user in (other, viewer, None):
        with pytest.raises(PermissionDenied):
            services.whatif_scenario_delete(sc, user=user)
    services.whatif_scenario_delete(sc, user=own)
    assert SitingScenario.objects.count() == 0


# ---------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------
def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _post(c, url, body):
    return c.post(url, json.dumps(body), content_type="application/json")


def test_api_save_list_reopen_delete(siting_city, client):
    staff = _client(factories.user("city-api", Role.CITY_ADMIN))
    run = siting_city["lifecircle"]
    url = reverse("siting-whatif-scenarios")
    sites = [site(750), site(1700, capacity=25)]
    resp = _post(staff, url, {"lifecircle_run": run.pk, "sites": sites, "name": "甲"})
    assert resp.status_code == 201, resp.content
    sc = resp.json()
    assert sc["name"] == "甲" and sc["lifecircle_run"] == run.pk
    assert sc["created_by"] == "city-api"
    # the siting scenarios' own list does not mix them in
    assert staff.get(reverse("siting-scenarios")).json() == []
    rows = client.get(url).json()  # a viewer reads the list, without the author
    assert [r["id"] for r in rows] == [sc["id"]] and "created_by" not in rows[0]
    detail = staff.get(reverse("siting-whatif-scenario", args=[sc["id"]])).json()
    assert detail["sites"][1]["capacity"] == 25
    # reopened: its sites through the what-if endpoint equal the service's answer
    again = _post(
        staff,
        reverse("lifecircle-what-if", args=[run.pk]),
        {"facilities": detail["sites"]},
    ).json()
    direct = lc.lifecircle_what_if(run=run, facilities=sites)
    assert covered(again) == covered(direct) == {"B", "C", "D", "F"}
    assert again["residents_newly_covered"] == direct["residents_newly_covered"]
    # reading, deleting: not the viewer; then the owner
    one = reverse("siting-whatif-scenario", args=[sc["id"]])
    assert client.delete(one).status_code == 403
    assert staff.delete(one).status_code == 204
    assert staff.get(one).status_code == 404
    assert staff.get(url).json() == []


def test_api_refuses_anonymous_other_district_and_bad_input(siting_city):
    run = siting_city["lifecircle"]
    url = reverse("siting-whatif-scenarios")
    body = {"lifecircle_run": run.pk, "sites": [site(750)]}
    anonymous = Client()
    assert _post(anonymous, url, body).status_code in (401, 403)
    assert anonymous.get(url).status_code in (401, 403)
    other = _client(
        factories.user("other-api", Role.DISTRICT_PLANNER, district=other_district())
    )
    resp = _post(other, url, body)
    assert resp.status_code == 403
    own = _client(
        factories.user(
            "own-api", Role.DISTRICT_PLANNER, district=siting_city["district"]
        )
    )
    resp = _post(own, url, body)
    assert resp.status_code == 201
    one = reverse("siting-whatif-scenario", args=[resp.json()["id"]])
    assert other.delete(one).status_code == 403
    assert anonymous.delete(one).status_code in (401, 403)
    for bad in (
        {"lifecircle_run": 999999, "sites": [site(750)]},
        {"lifecircle_run": run.pk, "sites": []},
        {"lifecircle_run": run.pk, "sites": [site(750, category="no_such")]},
        {"lifecircle_run": run.pk, "sites": [site(750, capacity=-5)]},
    ):
        assert _post(own, url, bad).status_code == 400, bad
    assert SitingScenario.objects.count() == 1
