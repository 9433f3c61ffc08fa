"""Shared fixtures: small Ningbo geometries in the storage SRID and layer rows built from them."""

import contextlib
import functools
import importlib
import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from hypothesis import settings as hypothesis_settings
from playwright.sync_api import sync_playwright

# Property tests are derandomised so that CI is repeatable; explore new examples locally
# with HYPOTHESIS_PROFILE=explore.
hypothesis_settings.register_profile("repeatable", derandomize=True, deadline=None)
hypothesis_settings.register_profile("explore", deadline=None, max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not beside the checkout")
    return SHARED_DATA


DATA_MIGRATIONS = (
    "layers.migrations.0002_load_amenity_categories",
    "geoapp.migrations.0007_reload_default_ruleset",
    "geoapp.migrations.0005_capacity",
    "programme.migrations.0004_reload_programme_data",
)


@pytest.fixture
def reference_data(django_db_blocker):
    """Re-run the data migrations (idempotent): transactional tests flush the database, so
    the categories, the default rule set and the programme data must be put back for
    the next one. Each runs with the models as they were at its migration (the
    historical state, as ``migrate`` gives it)."""
    with django_db_blocker.unblock():
        for name, state_apps in _data_migration_states():
            importlib.import_module(name).load(state_apps, None)


@functools.cache
def _data_migration_states() -> list:
    loader = MigrationLoader(connection)
    out = []
    for name in DATA_MIGRATIONS:
        app, _, migration = name.split(".")
        out.append((name, loader.project_state((app, migration)).apps))
    return out


CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def _orm_beside_playwright():
    """Playwright's sync API keeps an event loop running in this thread while it is
    started, and Django refuses ORM calls beside a running loop
    (SynchronousOnlyOperation). Allowed only while a browser is up, for the modules
    that use one; every other test runs with Django's check in force."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    with sync_playwright() as p, _orm_beside_playwright():
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _local_only(route):
    host = urlparse(route.request.url).hostname
    if host in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(width=1400, height=900):
        ctx = browser.new_context(viewport={"width": width, "height": height})
        ctx.route("**/*", _local_only)
        contexts.append(ctx)
        page = ctx.new_page()
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        return page

    yield make
    for ctx in contexts:
        ctx.close()
