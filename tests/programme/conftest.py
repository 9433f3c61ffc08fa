"""Programme fixtures: staff user, Ningbo districts as in districts.json."""

import pytest

from accounts.models import Role
from tests import factories


@pytest.fixture
def staff(db):
    """A city administrator (acts in every district)."""
    return factories.user("planner", Role.CITY_ADMIN, password="pw-planner")


@pytest.fixture
def resident(django_user_model):
    return django_user_model.objects.create_user("resident", password="pw-resident")


@pytest.fixture
def haishu():
    """A central district: 海曙区 330203 is_central in districts.json (三(一))."""
    return factories.district(code="330203", name="海曙区", is_central=True)


@pytest.fixture
def fenghua():
    """奉化区 330213: not central in districts.json (三(一) 不含奉化区)."""
    return factories.district(code="330213", name="奉化区", is_central=False)


@pytest.fixture
def viewer(db):
    """A signed-in read-only user (internal data without private columns)."""
    return factories.user("viewer1", Role.VIEWER)
