"""Popups keep clear of the map's corner controls even when opening them already made
Leaflet pan (a popup opened right under the top-left controls), and when a corner's
controls grow while the popup is open. A clean-clone CI run once caught the block card
under the life-circle filter."""

import pytest
from django.contrib.auth import get_user_model

from .conftest import login
from .test_planner_day import overlaps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CAPTURE = (
    "window.addEventListener('map:init', (e) => { window.__map = e.detail.map; });"
)
# the page's CSP refuses inline style attributes; the card is sized through the CSSOM
OPEN = """([x, y]) => {
  document.body.dataset.popupSettled = '';
  const map = window.__map;
  const card = document.createElement('div');
  card.textContent = 'a tall card';
  card.style.height = '260px';
  card.style.width = '320px';
  L.popup({ maxWidth: 400 }).setLatLng(map.containerPointToLatLng([x, y]))
    .setContent(card).openOn(map);
}"""


@pytest.fixture
def planner(db, reference_data):
    get_user_model().objects.create_superuser("root", "r@example.org", "pw-123456")


@pytest.mark.parametrize("corner", [(40, 12), (120, 40)])
def test_a_popup_under_the_top_controls_ends_below_them(
    live_server, new_page, planner, corner
):
    page = new_page()
    page.add_init_script(CAPTURE)
    login(page, live_server, "root", "pw-123456")
    page.evaluate(OPEN, list(corner))
    page.wait_for_function("() => document.body.dataset.popupSettled === '1'")
    popup = page.locator(".leaflet-popup-content-wrapper").bounding_box()
    tops = page.locator(
        ".leaflet-top > .leaflet-control:not(.leaflet-control-attribution)"
    ).all()
    assert tops
    for control in tops:
        if control.is_visible():
            assert not overlaps(popup, control.bounding_box())
    assert page.errors == []


GROW = """() => {
  document.body.dataset.popupSettled = '';
  const notice = L.control({ position: 'topleft' });
  notice.onAdd = () => {
    const div = L.DomUtil.create('div', 'legend grown');
    div.textContent = 'a notice that appears later';
    div.style.height = '220px';
    div.style.width = '600px';
    return div;
  };
  notice.addTo(window.__map);
}"""


def test_a_control_that_grows_under_an_open_popup_moves_it(
    live_server, new_page, planner
):
    page = new_page()
    page.add_init_script(CAPTURE)
    login(page, live_server, "root", "pw-123456")
    page.evaluate(OPEN, [150, 260])
    page.wait_for_function("() => document.body.dataset.popupSettled === '1'")
    before = page.locator(".leaflet-popup-content-wrapper").bounding_box()
    page.evaluate(GROW)
    grown = page.locator(".grown").bounding_box()
    assert overlaps(before, grown)  # where the popup was, the new control now is
    page.wait_for_function("() => document.body.dataset.popupSettled === '1'")
    after = page.locator(".leaflet-popup-content-wrapper").bounding_box()
    assert not overlaps(after, grown)
    assert page.errors == []
