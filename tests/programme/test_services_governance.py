"""services: 五(一), 五(二) property management and owners' committees.

Writes: planners in their district, street staff in their street, contradictions
refused with nothing changed, the change kept in history. Reads: a district's list for
its own planners and street staff, every district for city administrators; the CSV.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from programme import services
from tests import factories

from .builders import community_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def jiangbei():
    return factories.district(code="330205", name="江北区", is_central=True)


def _rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_fee_ranges_in_force_come_from_the_dated_data():
    ranges = services.fee_ranges_on(dt.date(2024, 1, 1))
    assert set(ranges) == {"1", "2", "3", "4", "5"}
    assert ranges["1"].high > ranges["5"].high
    with pytest.raises(ValidationError, match="no rule version"):
        services.fee_ranges_on(dt.date(2019, 1, 1))


def test_district_lists_renovated_without_professional_management(haishu, staff):
    done_none = community_in(haishu, stage="handed_over", owners_committee=True)
    done_pro = community_in(
        haishu,
        stage="accepted",
        property_management="professional",
        property_company="甬城物业",
        service_level="3",
        property_fee=Decimal("0.50"),  # 三级 is 0.80–1.30: below
    )
    waiting = community_in(haishu, stage="under_construction")
    report = services.district_governance(user=staff, district=haishu)
    assert [r.community.code for r in report.bring_in] == [done_none.code]
    assert {r.community.code for r in report.no_committee} == {
        done_pro.code,
        waiting.code,
    }
    assert [r.community.code for r in report.fee_flagged] == [done_pro.code]
    assert report.renovated == 2
    rows = _rows(services.governance_csv(report, which="bring_in"))
    assert [r["小区编码"] for r in rows] == [done_none.code]
    assert rows[0]["应引入专业化物业管理（五(二)）"] == "是"
    assert len(_rows(services.governance_csv(report))) == 3
    with pytest.raises(ValidationError, match="which"):
        services.governance_csv(report, which="everything")


def test_district_list_is_the_readers_own_district(haishu, jiangbei):
    community_in(haishu, stage="accepted")
    planner = factories.user("hs-planner", Role.DISTRICT_PLANNER, district=haishu)
    street = factories.street(district=haishu)
    staff = factories.user("hs-street", Role.STREET_STAFF, street=street)
    viewer = factories.user("hs-viewer", Role.VIEWER)
    assert services.district_governance(user=planner, district=haishu).rows
    assert services.district_governance(user=staff, district=haishu).rows
    with pytest.raises(PermissionDenied, match="江北区"):
        services.district_governance(user=planner, district=jiangbei)
    with pytest.raises(PermissionDenied):
        services.district_governance(user=viewer, district=haishu)
    with pytest.raises(PermissionDenied):
        services.district_governance(user=None, district=haishu)


def test_update_writes_the_fields_and_keeps_history(haishu, staff):
    c = community_in(haishu, stage="accepted")
    services.community_governance_update(
        user=staff,
        community=c,
        data={
            "owners_committee": "on",
            "owners_committee_formed_on": "2021-06-01",
            "property_management": "professional",
            "property_since": "2022-01-01",
            "property_company": "宁波甬城物业服务有限公司",
            "service_level": "4",
            "property_fee": "0.65",
        },
    )
    c.refresh_from_db()
    assert c.owners_committee and c.owners_committee_formed_on == dt.date(2021, 6, 1)
    assert c.property_management == "professional" and c.service_level == "4"
    assert c.property_fee == Decimal("0.65")
    last = c.history.first()
    assert last.history_user == staff and "五(二)" in last.history_change_reason
    status = services.community_governance_status(community=c)
    assert not status.bring_in_professional and status.fee.status == "in_range"


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"owners_committee_formed_on": "2021-01-01"}, "未成立业主委员会"),
        ({"property_management": "none", "property_company": "某物业"}, "无物业"),
        ({"property_management": "professional"}, "物业服务企业名称"),
        ({"property_management": "mafia"}, "未知的物业管理方式"),
        ({"service_level": "9"}, "未知的物业服务等级"),
        ({"property_fee": "cheap"}, "应为数字"),
        ({"property_fee": "-1"}, "负数"),
        ({"property_since": "2099-01-01"}, "不能晚于今天"),
        ({"property_since": "yesterday"}, "YYYY-MM-DD"),
        ({"stage": "accepted"}, "不可编辑"),
    ],
)
def test_contradictions_are_refused_and_nothing_changes(haishu, staff, data, match):
    c = community_in(haishu)
    before = c.history.count()
    with pytest.raises(ValidationError, match=match):
        services.community_governance_update(user=staff, community=c, data=data)
    c.refresh_from_db()
    assert c.history.count() == before
    assert c.property_management == "none" and not c.owners_committee


def test_street_staff_edit_their_street_only(haishu):
    mine = community_in(haishu)
    other = community_in(haishu)
    staff = factories.user("st", Role.STREET_STAFF, street=mine.street)
    services.community_governance_update(
        user=staff, community=mine, data={"owners_committee": True}
    )
    with pytest.raises(PermissionDenied, match="街道"):
        services.community_governance_update(
            user=staff, community=other, data={"owners_committee": True}
        )
    other.refresh_from_db()
    assert not other.owners_committee


def test_district_planner_of_another_district_is_refused(haishu, jiangbei):
    c = community_in(haishu)
    planner = factories.user("jb", Role.DISTRICT_PLANNER, district=jiangbei)
    with pytest.raises(PermissionDenied, match="区县"):
        services.community_governance_update(
            user=planner, community=c, data={"owners_committee": True}
        )
