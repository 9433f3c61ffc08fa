"""Fixtures: the tiny siting city with a finished life-circle run."""

import pytest

from geoapp.services.lifecircle import lifecircle_run
from tests.siting import city


@pytest.fixture
def siting_city(db):
    rows = city.build()
    rows["lifecircle"] = lifecircle_run()
    return rows
