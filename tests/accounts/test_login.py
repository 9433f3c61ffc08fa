"""Login: lock-out per username AND address, a per-address rate limit, the client address
from a trusted proxy only, demo accounts refused by the deployment check."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.core.checks import Error
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django_ratelimit import core as ratelimit_core

from accounts.checks import demo_accounts_off
from accounts.clientip import client_ip
from accounts.demo import DEMO_PASSWORD
from accounts.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "pw-123456"


def _login(username: str, password: str, ip: str, **extra) -> int:
    resp = Client().post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        **extra,
    )
    return resp.status_code


def test_lock_out_is_per_username_and_address(settings):
    settings.AXES_FAILURE_LIMIT = 3
    factories.user("planner-x", Role.VIEWER)
    codes = [_login("planner-x", "wrong", "10.0.0.1") for _ in range(3)]
    assert codes == [200, 200, 429]  # the form again, then the lock-out at the limit
    # locked from that address, even with the right password
    assert _login("planner-x", PASSWORD, "10.0.0.1") in (403, 429)
    # nobody can lock the account out from elsewhere: the owner's office still logs in
    assert _login("planner-x", PASSWORD, "10.0.0.2") == 302


def test_forwarded_for_is_ignored_without_a_trusted_proxy(settings):
    settings.AXES_FAILURE_LIMIT = 3
    factories.user("planner-y", Role.VIEWER)
    for i in range(3):
        # an attacker rotating X-Forwarded-For still fails from one REMOTE_ADDR
        _login("planner-y", "wrong", "10.0.0.9", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}")
    assert _login("planner-y", PASSWORD, "10.0.0.9") in (403, 429)


def test_client_address_from_the_trusted_proxies_only(settings):
    rf = RequestFactory()
    request = rf.get(
        "/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 8.8.4.4"
    )
    settings.GEOAPP_TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.1.1.1"
    settings.GEOAPP_TRUSTED_PROXIES = 1
    assert client_ip(request) == "8.8.4.4"  # what our one proxy saw
    settings.GEOAPP_TRUSTED_PROXIES = 2
    assert client_ip(request) == "6.6.6.6"
    settings.GEOAPP_TRUSTED_PROXIES = 3  # fewer hops than proxies: the socket's
    assert client_ip(request) == "10.1.1.1"


def test_login_form_is_rate_limited_per_address(settings, monkeypatch):
    settings.RATELIMIT_ENABLE = True
    caches["ratelimit"].clear()
    # the limit counts per fixed window (django-ratelimit): 31 logins that straddle a
    # window's end start a fresh count. The clock stands still for the test.
    now = int(time.time())
    monkeypatch.setattr(ratelimit_core, "time", SimpleNamespace(time=lambda: now))
    codes = [_login(f"user{i}", "wrong", "10.0.0.7") for i in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429
    assert _login("someone", "wrong", "10.0.0.8") == 200  # another address
    caches["ratelimit"].clear()


def test_deploy_check_refuses_demo_accounts(settings):
    settings.GEOAPP_DEMO_ACCOUNTS = False
    assert demo_accounts_off(None) == []
    settings.GEOAPP_DEMO_ACCOUNTS = True
    assert [e.id for e in demo_accounts_off(None)] == ["accounts.E001"]
    settings.GEOAPP_DEMO_ACCOUNTS = False
    factories.user("planner", Role.CITY_ADMIN, password=DEMO_PASSWORD)
    errors = demo_accounts_off(None)
    assert [e.id for e in errors] == ["accounts.E002"]
    assert isinstance(errors[0], Error) and "planner" in errors[0].msg


def test_demo_accounts_only_with_development_settings(settings):
    settings.GEOAPP_DEMO_ACCOUNTS = False
    with pytest.raises(CommandError, match="development only"):
        call_command("ensure_demo_users")
