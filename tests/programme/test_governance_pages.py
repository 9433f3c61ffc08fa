"""The governance pages (五(一), 五(二)): the district lists and their CSV for the
district's own planners and street staff, the community card's governance section
and form (its district's planners, its street's staff)."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests import factories

from .builders import community_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def jiangbei():
    return factories.district(code="330205", name="江北区", is_central=True)


@pytest.fixture
def renovated(haishu):
    return community_in(haishu, name="白云新村", stage="handed_over")


def _login(client, name, role, **area):
    client.force_login(factories.user(name, role, **area))
    return client


def test_district_page_lists_renovated_without_professional_management(
    client, haishu, renovated
):
    community_in(
        haishu,
        name="南苑小区",
        stage="accepted",
        property_management="professional",
        property_company="甬城物业",
        owners_committee=True,
    )
    _login(client, "hs", Role.DISTRICT_PLANNER, district=haishu)
    resp = client.get(reverse("programme-district-governance", args=[haishu.code]))
    assert resp.status_code == 200
    html = resp.content.decode()
    bring_in = html.split('id="bring-in"')[1].split("</table>")[0]
    assert "白云新村" in bring_in and "南苑小区" not in bring_in
    no_committee = html.split('id="no-committee"')[1].split("</table>")[0]
    assert "白云新村" in no_committee and "南苑小区" not in no_committee
    csv = client.get(
        reverse("programme-district-governance-csv", args=[haishu.code]),
        {"which": "bring_in"},
    )
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert renovated.code in body and "南苑小区" not in body
    assert "attachment" in csv["Content-Disposition"]
    bad = client.get(
        reverse("programme-district-governance-csv", args=[haishu.code]),
        {"which": "x"},
    )
    assert bad.status_code == 400


def test_other_districts_and_viewers_are_refused(client, haishu, jiangbei, renovated):
    _login(client, "jb", Role.DISTRICT_PLANNER, district=jiangbei)
    for name in ("programme-district-governance", "programme-district-governance-csv"):
        assert client.get(reverse(name, args=[haishu.code])).status_code == 403
    assert (
        client.get(
            reverse("programme-district-governance", args=[jiangbei.code])
        ).status_code
        == 200
    )
    _login(client, "v", Role.VIEWER)
    url = reverse("programme-district-governance", args=[haishu.code])
    assert client.get(url).status_code == 403
    client.logout()
    resp = client.get(url)
    assert (
        resp.status_code in (302, 403) and renovated.name not in resp.content.decode()
    )


def test_city_admin_reads_every_district(client, haishu, jiangbei, renovated):
    _login(client, "admin", Role.CITY_ADMIN)
    for d in (haishu, jiangbei):
        url = reverse("programme-district-governance", args=[d.code])
        assert client.get(url).status_code == 200
    home = client.get(reverse("programme-home")).content.decode()
    assert home.count('class="governance-link"') == 2


def test_card_form_saves_for_street_staff_of_the_street(client, haishu, renovated):
    _login(client, "st", Role.STREET_STAFF, street=renovated.street)
    card = client.get(reverse("programme-community-card", args=[renovated.code]))
    html = card.content.decode()
    assert 'id="governance-form"' in html and "引入专业化物业管理" in html
    resp = client.post(
        reverse("programme-community-governance", args=[renovated.code]),
        {
            "owners_committee": "on",
            "owners_committee_formed_on": "2023-04-01",
            "property_management": "professional",
            "property_since": "2024-01-01",
            "property_company": "宁波三江物业服务有限公司",
            "service_level": "4",
            "property_fee": "0.60",
        },
    )
    assert resp.status_code == 302
    renovated.refresh_from_db()
    assert renovated.property_management == "professional"
    assert renovated.owners_committee and renovated.service_level == "4"
    card = client.get(reverse("programme-community-card", args=[renovated.code]))
    assert "宁波三江物业服务有限公司" in card.content.decode()


def test_card_form_refusal_comes_back_as_a_message(client, haishu, renovated):
    _login(client, "hs", Role.DISTRICT_PLANNER, district=haishu)
    resp = client.post(
        reverse("programme-community-governance", args=[renovated.code]),
        {"property_management": "professional", "property_company": ""},
        follow=True,
    )
    assert "专业物业须填写物业服务企业名称" in resp.content.decode()
    renovated.refresh_from_db()
    assert renovated.property_management == "none"


def test_card_has_no_form_for_other_streets_and_viewers(client, haishu, renovated):
    other = factories.street(district=haishu)
    _login(client, "st2", Role.STREET_STAFF, street=other)
    url = reverse("programme-community-card", args=[renovated.code])
    html = client.get(url).content.decode()
    assert 'id="governance"' in html and 'id="governance-form"' not in html
    post = client.post(
        reverse("programme-community-governance", args=[renovated.code]),
        {"property_management": "self"},
    )
    assert post.status_code == 403
    _login(client, "v2", Role.VIEWER)
    assert 'id="governance-form"' not in client.get(url).content.decode()
    post = client.post(
        reverse("programme-community-governance", args=[renovated.code]),
        {"property_management": "self"},
    )
    assert post.status_code == 403
    renovated.refresh_from_db()
    assert renovated.property_management == "none"
