"""``is_staff`` opens the admin site; only a city administrator writes there."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _staff(role):
    user = factories.user(f"staff-{role}", role, is_staff=True)
    user.user_permissions.set(Permission.objects.all())  # every model permission
    c = Client()
    c.force_login(user)
    return c


def test_staff_of_other_roles_read_but_do_not_write(db):
    community = factories.community(name="原名")
    base = f"/{settings.ADMIN_URL}layers/community/"
    change = f"{base}{community.pk}/change/"
    viewer = _staff(Role.VIEWER)
    assert viewer.get(base).status_code == 200
    assert viewer.get(f"{base}add/").status_code == 403
    resp = viewer.post(change, {"name": "改名"})
    assert resp.status_code == 403
    assert (
        viewer.post(f"{base}{community.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    # nor give themselves a role
    user_admin = f"/{settings.ADMIN_URL}auth/user/add/"
    assert viewer.get(user_admin).status_code == 403
    community.refresh_from_db()
    assert community.name == "原名"


def test_a_city_administrator_writes_in_the_admin(db):
    admin = _staff(Role.CITY_ADMIN)
    base = f"/{settings.ADMIN_URL}layers/community/"
    assert admin.get(f"{base}add/").status_code == 200
    assert admin.get(f"/{settings.ADMIN_URL}auth/user/add/").status_code == 200
