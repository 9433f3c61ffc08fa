"""The candidate review page in a real browser: the area on the map, confirm it from the
table, it becomes a community; no script error, no CSP violation."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon

from layers import models
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_confirm_a_candidate_from_the_page(live_server, new_page, reference_data):
    district = factories.district(code="D1", name="海曙区")
    c = models.CommunityCandidate.objects.create(
        code="osm-w42",
        name="白云新村",
        district=district,
        geom=MultiPolygon(factories.square(121.55, 29.875, 150)),
        buildings=6,
        households_estimate=288,
    )
    get_user_model().objects.create_superuser("root", "r@example.org", "pw-123456")
    page = new_page()
    csp = []
    page.on(
        "console",
        lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{live_server.url}/accounts/login/?next=/planner/candidates/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-map-ready='1']")
    assert page.locator(".leaflet-overlay-pane path").count() == 1
    assert page.input_value(f"input[name='c{c.pk}-households']") == "288"
    page.fill(f"input[name='c{c.pk}-completion_year']", "1992")
    page.click("button:has-text('确认为小区')")
    page.wait_for_selector("text=已确认 白云新村")
    com = models.Community.objects.get(code="osm-w42")
    assert (com.households, com.households_estimated, com.completion_year) == (
        288,
        True,
        1992,
    )
    assert page.errors == [] and csp == []
