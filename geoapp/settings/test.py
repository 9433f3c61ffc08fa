"""With these settings, tests run faster."""

from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = str(BASE_DIR / ".pgdata" / "test-media")
RASTER_ROOT = BASE_DIR / ".pgdata" / "test-media" / "rasters"

# One test database per pytest process, so that parallel runs (developers, CI, xdist
# workers) never drop each other's database.
DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": f"test_geoapp_{__import__('os').getpid()}",
}

# analyses queued from the page run at once in tests (a test also drives the real worker)
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# rate limits would count the whole suite's requests from 127.0.0.1 together; the
# access-policy tests switch them on where they test them
RATELIMIT_ENABLE = False
# no stale-while-revalidate by default: its background rebuild reads on its own
# connection, which cannot see a test's transaction (tests/public switch it on where
# they test it, with committed data)
PUBLIC_STALE_S = 0
