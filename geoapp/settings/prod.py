"""Production: secrets from the environment, HTTPS everywhere, hashed static files,
JSON logs with an access line per request."""

from .base import *  # noqa: F403
from .base import LOGGING, env

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
