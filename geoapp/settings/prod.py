"""Production: secrets from the environment, HTTPS everywhere, hashed static files,
JSON logs with an access line per request."""

import hashlib
import os

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, LOGGING, env, public_file_cache

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# Static files: collectstatic writes hashed, compressed copies (gzip + brotli when
# available) to STATIC_ROOT; WhiteNoise serves them with far-future cache headers.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "layers.storage.StaticStorage"},
}

LOGGING["handlers"]["console"]["formatter"] = env("GEOAPP_LOG_FORMAT", default="json")
LOGGING["loggers"]["geoapp.request"]["level"] = env(
    "GEOAPP_ACCESS_LOG_LEVEL", default="INFO"
)

# Public response bodies shared by the gunicorn processes and the analysis worker (which
# renders the first ones after storing a run): a private file cache in memory, one
# directory per user and database (several stacks may share a host)
_db = DATABASES["default"]
_db_id = hashlib.sha1(
    f"{_db.get('HOST')}:{_db.get('PORT')}:{_db.get('NAME')}".encode()
).hexdigest()[:12]
CACHES["public"] = public_file_cache(
    env(
        "GEOAPP_PUBLIC_CACHE_DIR",
        default=f"/dev/shm/geoapp-public-{os.getuid()}-{_db_id}",
    )
)
PUBLIC_WARM_AFTER_RUN = env.bool("GEOAPP_PUBLIC_WARM_AFTER_RUN", True)
