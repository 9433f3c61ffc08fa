"""Accounts: login, logout, password change, lock-out after repeated wrong passwords."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return get_user_model().objects.create_user("zhang", password="right-pass-123")


def test_login_logout_and_password_change(client, user):
    resp = client.post(
        reverse("login"), {"username": "zhang", "password": "right-pass-123"}
    )
    assert resp.status_code == 302
    assert client.get(reverse("planner")).status_code == 200
    resp = client.post(
        reverse("password_change"),
        {
            "old_password": "right-pass-123",
            "new_password1": "n3w-Passw0rd-xyz",
            "new_password2": "n3w-Passw0rd-xyz",
        },
    )
    assert resp.status_code == 302
    client.post(reverse("logout"))
    assert client.get(reverse("planner")).status_code == 302
    resp = client.post(
        reverse("login"), {"username": "zhang", "password": "n3w-Passw0rd-xyz"}
    )
    assert resp.status_code == 302


def test_lockout_after_ten_wrong_passwords(client, user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        resp = client.post(
            reverse("login"),
            {"username": "zhang", "password": "wrong"},
            REMOTE_ADDR="10.9.9.9",
        )
        assert resp.status_code in (200, 403, 429)
    # even the right password is refused now
    resp = client.post(
        reverse("login"),
        {"username": "zhang", "password": "right-pass-123"},
        REMOTE_ADDR="10.9.9.9",
    )
    assert resp.status_code in (403, 429)
    assert client.get(reverse("planner")).status_code == 302
