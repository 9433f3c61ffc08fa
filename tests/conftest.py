"""Shared fixtures: small Ningbo geometries in the storage SRID and layer rows built from them."""

import contextlib
import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from hypothesis import settings as hypothesis_settings
from playwright.sync_api import sync_playwright

from tests.reference import load_reference_data

# Property tests are derandomised so that CI is repeatable; explore new examples locally
# with HYPOTHESIS_PROFILE=explore.
hypothesis_settings.register_profile("repeatable", derandomize=True, deadline=None)
hypothesis_settings.register_profile("explore", deadline=None, max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """A failure is reported even when pytest cannot show its source: CPython 3.11.7's
    ``ast.parse`` fails at random while other threads run (the live server's), raising
    "SystemError: AST constructor recursion depth mismatch" (CPython gh-106905, fixed in
    3.11.8) from pytest's traceback formatting; that ended a clean-clone CI run with an
    INTERNALERROR and no test summary. Such a report falls back to Python's own
    traceback format, which reads no source through ``ast``."""
    try:
        return (yield)
    except SystemError as error:
        if "recursion depth mismatch" not in str(error):
            raise
        style = item.config.option.tbstyle
        item.config.option.tbstyle = "native"
        try:
            return pytest.TestReport.from_item_and_call(item, call)
        finally:
            item.config.option.tbstyle = style


REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not beside the checkout")
    return SHARED_DATA


@pytest.fixture
def reference_data(django_db_blocker):
    """Put the reference data back (transactional tests flush the database):
    :func:`tests.reference.load_reference_data`."""
    with django_db_blocker.unblock():
        load_reference_data()


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
