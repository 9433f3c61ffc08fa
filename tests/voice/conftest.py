"""A small town for residents' voice: two districts, three streets, one community each
(A1, A2 in district A on two streets; B1 in district B), a user per role, published."""

from __future__ import annotations

import pytest
from django.core.cache import cache, caches

from accounts.models import Role
from accounts.permissions import SYSTEM
from public import publishing
from public.caching import clear_all
from tests import factories
from tests.accounts.city import box
from tests.lifecircle.city import community

SENTINEL = "SENTINEL-VOICE-5K"
CONTACT = f"王先生 {SENTINEL} 13900000000"


def good(code: str = "A1", **kw) -> dict:
    """A valid submission about community ``code``."""
    data = {
        "community": code,
        "topic": "parking",
        "kind": "suggestion",
        "text": "小区停车位不够，晚上车停到消防通道上，建议增设车位。",
        "contact": CONTACT,
    }
    data.update(kw)
    return data


@pytest.fixture
def town(db):
    cache.clear()
    caches["ratelimit"].clear()
    clear_all()
    a = factories.district(code="330203", name="海曙区", geom=box(-1000, 1000))
    b = factories.district(code="330205", name="江北区", geom=box(1000, 3000))
    sa = factories.street(code="SA", name="月湖街道", district=a, geom=a.geom)
    sa2 = factories.street(code="SA2", name="南门街道", district=a, geom=a.geom)
    sb = factories.street(code="SB", name="白沙街道", district=b, geom=b.geom)
    out: dict = {"a": a, "b": b, "sa": sa, "sa2": sa2, "sb": sb}
    for code, street, dx in (("A1", sa, 0), ("A2", sa2, 200), ("B1", sb, 1500)):
        out[code] = community(street, code, dx, 600)
    out["users"] = {
        "admin": factories.user("v-admin", Role.CITY_ADMIN),
        "planner_a": factories.user("v-pa", Role.DISTRICT_PLANNER, district=a),
        "planner_b": factories.user("v-pb", Role.DISTRICT_PLANNER, district=b),
        "street_a": factories.user("v-sa", Role.STREET_STAFF, street=sa),
        "street_a2": factories.user("v-sa2", Role.STREET_STAFF, street=sa2),
        "viewer": factories.user("v-viewer", Role.VIEWER),
    }
    publishing.publish(SYSTEM)
    return out
