"""Fixtures: the tiny siting city with a finished life-circle run."""

import pytest
from django.test import Client

from accounts.models import Role
from accounts.permissions import SYSTEM
from lifecircle.services import lifecircle_run
from tests import factories
from tests.siting import city


@pytest.fixture
def siting_city(db):
    rows = city.build()
    rows["lifecircle"] = lifecircle_run(user=SYSTEM)
    return rows


@pytest.fixture
def client(db):
    """A signed-in viewer: results are internal (anonymous visitors get 403)."""
    c = Client()
    c.force_login(factories.user("viewer-reader", Role.VIEWER))
    return c
