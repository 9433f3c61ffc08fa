"""The two-district city of the access-policy tests."""

import pytest
from django.core.cache import cache

from public.caching import clear_all

from . import city as city_module


@pytest.fixture
def city(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    clear_all()
    return city_module.build()
