"""The public numbers: targets by the one 二(一) rule, dangerous buildings until made
safe (二(二)1), the programme period from its dated data (一(二)).

The aggregates are computed by the application (the scope needs private inputs) and
reach the anonymous visitor as counts per district only.
"""

import pytest

from accounts.permissions import SYSTEM
from layers.models import Community, Stage
from public import publishing
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    d = factories.district(code="330203", name="海曙区")
    return factories.street(district=d)


def _stats(client):
    publishing.publish(SYSTEM)  # the communities made here reach the public
    resp = client.get("/api/public/stats/")
    assert resp.status_code == 200
    return resp.json()


def test_clause_2_1_public_targets_count_only_communities_in_scope(client, district):
    """Old rule: every pre-2000 community on state land (4 here, villa and the one in
    an expropriation plan included). The one rule: 2 (OLD, OLD2; the villa is not
    listed on its own, 安置房 waits for the district's decision)."""
    for code, kw in {
        "OLD": {},
        "OLD2": {"households": 250},
        "VILLA": {"housing_type": "villa"},
        "EXPRO": {"in_expropriation_plan": True},
        "RESET": {"housing_type": "resettlement"},
        "COLL": {"land_tenure": "collective"},
    }.items():
        factories.community(street=district, code=code, completion_year=1990, **kw)
    data = _stats(client)
    (row,) = data["districts"]
    assert row["target"] == 2
    assert row["target_households"] == 400 + 250
    assert data["city"]["target"] == 2
    assert "二(一)" in data["definitions"]["target"]
    html = client.get("/public/stats/").content.decode()
    assert "<b>0</b> / 2<span>" in html  # renovated / target on the page
    assert "（2020–2022）" in html


def test_clause_1_2_public_period_is_the_action_plans_dated_period(client, district):
    """一(二) 从2020年起，三年: the page said 2024–2026."""
    factories.community(street=district)
    assert _stats(client)["period"]["from"] == 2020
    assert _stats(client)["period"]["to"] == 2022


def test_clause_2_2_1_accepted_community_keeps_its_dangerous_buildings_until_cleared(
    client, district
):
    """An accepted community whose C/D buildings were never made safe still counts
    (the old count dropped every renovated community)."""
    factories.community(
        street=district, stage=Stage.ACCEPTED, dangerous_c=1, dangerous_d=2
    )
    factories.community(street=district, dangerous_d=1)
    data = _stats(client)
    assert data["city"]["dangerous_buildings"] == 4
    assert data["city"]["dangerous_cleared"] == 0


def test_clause_5_2_renovated_with_professional_management_per_district(
    client, district
):
    """五(二) 以改促管: of the 3 renovated communities, 1 has professional management;
    a professional one not yet renovated is not counted. Aggregates only: no
    community's management appears in a public response, and a live change waits
    for the next publication."""
    for code, kw in {
        "PRO": {"stage": "handed_over", "property_management": "professional"},
        "NONE": {"stage": "accepted"},
        "SELF": {"stage": "post_evaluated", "property_management": "self"},
        "LATER": {"stage": "applied", "property_management": "professional"},
    }.items():
        factories.community(street=district, code=code, **kw)
    data = _stats(client)
    (row,) = data["districts"]
    assert (row["renovated"], row["renovated_professional"]) == (3, 1)
    assert data["city"]["renovated_professional"] == 1
    assert "五(二)" in data["definitions"]["renovated_professional"]
    html = client.get("/public/stats/").content.decode()
    assert "<b>1</b> / 3<span>" in html and "1 (33%)" in html
    card = client.get("/api/public/communities/PRO/").content.decode()
    assert "property_management" not in card and "professional" not in card

    Community.objects.filter(code="NONE").update(property_management="professional")
    resp = client.get("/api/public/stats/")
    assert resp.json()["districts"][0]["renovated_professional"] == 1
    assert _stats(client)["districts"][0]["renovated_professional"] == 2
