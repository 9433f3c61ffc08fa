"""Programme fixtures: staff user, Ningbo districts as in districts.json."""

import pytest

from tests import factories


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        "planner", password="pw-planner", is_staff=True
    )


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
