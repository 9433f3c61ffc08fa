"""Every setting with its default; environment variables override (DJANGO_*, DATABASE_URL)."""

from pathlib import Path

import environ

from geoapp.csp import content_security_policy

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

# GENERAL
DEBUG = env.bool("DJANGO_DEBUG", False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-dev-key-change-me-" + "x" * 30)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
LANGUAGE_CODE = "zh-hans"
# each language named in its own language (never translated): 中文 / English
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# SPATIAL REFERENCE
# Storage SRID: CGCS2000 / 3-degree Gauss-Kruger CM 120E, metric, so distances and
# areas work in the database (README "SRID policy"). Everything sent out is 4326.
SRID = env.int("GEOAPP_SRID", 4549)
API_SRID = 4326
# The city's extent in lon/lat (min_lon, min_lat, max_lon, max_lat): geometries outside
# are refused. The whole municipality of Ningbo (Ninghai reaches 29.11N, Cixi 30.4N) with a
# margin; the demo city covers the central districts.
CITY_EXTENT = tuple(
    env.list("GEOAPP_CITY_EXTENT", cast=float, default=[120.8, 28.8, 122.5, 30.6])
)
CITY_NAME = env("GEOAPP_CITY_NAME", default="宁波市")


def _wheel_library(prefix: str) -> str | None:
    """The self-contained GDAL that pyogrio's wheel bundles (GDAL >= 3.9 can block file and
    network access from spatial references, which Debian 12's GDAL 3.6 cannot: gis.W001)."""
    import importlib.util

    spec = importlib.util.find_spec("pyogrio")
    if spec is None or spec.origin is None:
        return None
    libs = sorted(
        (Path(spec.origin).parent.parent / "pyogrio.libs").glob(f"{prefix}-*.so*")
    )
    return str(libs[0]) if libs else None


# Override with GDAL_LIBRARY_PATH; by default the wheel's GDAL, so Django and the importers
# (pyogrio) share one GDAL. GEOS is the system's (GEOS_LIBRARY_PATH to override).
GDAL_LIBRARY_PATH = env("GDAL_LIBRARY_PATH", default=None) or _wheel_library("libgdal")
GEOS_LIBRARY_PATH = env("GEOS_LIBRARY_PATH", default=None)

# APPS
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework_gis",
    "drf_spectacular",
    "leaflet",
    "csp",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_prometheus",
    "accounts",
    "ops",
    "layers",
    "geoapp",
    "runs",
    "lifecircle",
    "blocks",
    "siting",
    "planner",
    "public",
    "programme",
    "voice",
]
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # static files from STATIC_ROOT (prod: compressed, hashed names, cached for a year)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "geoapp.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
ROOT_URLCONF = "geoapp.urls"
WSGI_APPLICATION = "geoapp.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ]
        },
    }
]

# DATABASE
# DATABASE_URL when set (postgis://user:pass@host:port/name); otherwise the project's own
# cluster started by scripts/pg.sh (unix socket in .pgdata/run, port 55432).
if env("DATABASE_URL", default=""):
    DATABASES = {
        "default": env.db(
            "DATABASE_URL", engine="django.contrib.gis.db.backends.postgis"
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.contrib.gis.db.backends.postgis",
            "NAME": env("GEOAPP_DB_NAME", default="geoapp"),
            "USER": env("GEOAPP_DB_USER", default="geoapp"),
            "HOST": str(BASE_DIR / ".pgdata" / "run"),
            "PORT": env("PGPORT", default="55432"),
        }
    }
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
# no web request holds a query longer than this (geoapp/wsgi.py); 0 = off
GEOAPP_WEB_STATEMENT_TIMEOUT_MS = env.int("GEOAPP_WEB_STATEMENT_TIMEOUT_MS", 60_000)
# persistent connections (the public map answers warm requests in a few ms)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# a server that does not answer is given up after this many seconds (then 503)
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", env.int("GEOAPP_DB_CONNECT_TIMEOUT", 5)
)

# AUTH
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Lock-out after repeated wrong passwords, keyed on username AND client address
# together: nobody can lock a known account from elsewhere, and an office behind one
# proxy address is not locked out as a whole. A per-IP rate limit on the login form
# (accounts.views) slows guessing across many usernames.
AXES_FAILURE_LIMIT = env.int("GEOAPP_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client address: REMOTE_ADDR, or the last address added by the configured number
# of trusted reverse proxies in X-Forwarded-For (0 = no proxy: the header is ignored).
GEOAPP_TRUSTED_PROXIES = env.int("GEOAPP_TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "accounts.clientip.client_ip"
# Rate limits of the access policy (accounts/policy.py `rate`), for anonymous visitors
# and viewers, per client address or user (django-ratelimit). The default cache is per
# process: with several server processes the effective limit is that many times higher;
# GEOAPP_RATELIMIT_CACHE_URL (e.g. pymemcache://127.0.0.1:11211) shares the counters.
RATELIMIT_IP_META_KEY = "accounts.clientip.client_ip"
RATELIMIT_ENABLE = env.bool("GEOAPP_RATELIMIT_ENABLE", True)
# demo accounts (make run): development settings only; check --deploy refuses them
GEOAPP_DEMO_ACCOUNTS = False
ADMIN_URL = env("DJANGO_ADMIN_URL", default="manage-7f3a/")

# CACHES
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": env.cache_url(
        "GEOAPP_RATELIMIT_CACHE_URL", default="locmemcache://ratelimit"
    ),
}
RATELIMIT_USE_CACHE = "ratelimit"  # LocMem counters are atomic within one process


# Public response bodies (public/caching.py): per process here (runserver, tests); the
# production settings share them between the processes (GEOAPP_PUBLIC_CACHE_DIR)
def public_file_cache(location: str) -> dict:
    """The shared cache of public bodies: a private file cache (public/sharedcache.py)."""
    return {
        "BACKEND": "public.sharedcache.PrivateFileCache",
        "LOCATION": location,
        "TIMEOUT": 600,
        # each entry is one file; a full cache drops a quarter of them at random
        "OPTIONS": {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 4},
    }


CACHES["public"] = (
    public_file_cache(env("GEOAPP_PUBLIC_CACHE_DIR"))
    if env("GEOAPP_PUBLIC_CACHE_DIR", default="")
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "public",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
)
# serve the previous version's body for at most this many seconds after a change while
# one process rebuilds it (stale-while-revalidate; 0 = never)
PUBLIC_STALE_S = env.float("GEOAPP_PUBLIC_STALE_S", 10.0)
# the analysis worker renders the public map's first responses after storing a run
# (useful only when the cache is shared: production)
PUBLIC_WARM_AFTER_RUN = env.bool("GEOAPP_PUBLIC_WARM_AFTER_RUN", False)

# STATIC AND MEDIA
STORAGES = {
    # media (photos) written whole or not at all (a full disk leaves no stub)
    "default": {"BACKEND": "layers.storage.AtomicFileSystemStorage"},
    # prod.py: hashed and compressed (WhiteNoise)
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("GEOAPP_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = env("GEOAPP_MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "/media/"
# The population raster and other generated rasters live here (never served directly).
RASTER_ROOT = Path(
    env("GEOAPP_RASTER_ROOT", default=str(BASE_DIR / "media" / "rasters"))
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB request bodies (SECURITY.md B7)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
GEOAPP_UPLOAD_MAX_BYTES = env.int("GEOAPP_UPLOAD_MAX_BYTES", 50 * 1024 * 1024)

# REST FRAMEWORK
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication"
    ],
    # one access policy (accounts/policy.py) for every view; service errors → HTTP
    "DEFAULT_PERMISSION_CLASSES": ["accounts.drf.PolicyPermission"],
    "EXCEPTION_HANDLER": "accounts.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "STRICT_JSON": True,
}
# drf-spectacular names enums after their fields; several apps have their own "kind",
# "status" and "stage" choice sets, so it appends hashes to the names (the schema stays
# correct, as the warning says). Documented silence, not a hidden problem.
SILENCED_SYSTEM_CHECKS = ["drf_spectacular.W001"]
SPECTACULAR_SETTINGS = {
    "TITLE": "宁波城镇老旧小区改造 GIS API",
    "DESCRIPTION": "Layers, life-circle analysis, blocks and siting for old community renovation.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["accounts.drf.PolicyPermission"],
}

# MAP
# Tiles: a URL template (e.g. Tianditu, which lines up with WGS84/CGCS2000). Empty: no
# basemap, the map still shows district/street outlines and the walk network.
MAP_TILES_URL = env("GEOAPP_TILES_URL", default="")
MAP_TILES_ATTRIBUTION = env("GEOAPP_TILES_ATTRIBUTION", default="")
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (29.87, 121.55),
    "DEFAULT_ZOOM": 11,
    "MIN_ZOOM": 8,
    "MAX_ZOOM": 19,
    "SPATIAL_EXTENT": (CITY_EXTENT[0], CITY_EXTENT[1], CITY_EXTENT[2], CITY_EXTENT[3]),
    "TILES": [("底图", MAP_TILES_URL, {"attribution": MAP_TILES_ATTRIBUTION})]
    if MAP_TILES_URL
    else [],
    "ATTRIBUTION_PREFIX": "",
    "RESET_VIEW": False,
}

# PUBLIC MAP: every public read runs under this NOLOGIN database role (SET LOCAL ROLE),
# which may SELECT only the allowlisted columns (SECURITY.md E2; public/README.md). The
# `public` migration creates it and grants the columns. Empty = off (not recommended).
PUBLIC_DB_ROLE = env("GEOAPP_PUBLIC_DB_ROLE", default="geoapp_public")

# SECURITY HEADERS (production hardening switched on in prod.py)
# Content-Security-Policy on every response: scripts only from the app's own files (no
# 'unsafe-inline'), tiles from MAP_TILES_URL's host (geoapp/csp.py; README "Security").
CONTENT_SECURITY_POLICY = content_security_policy(tiles_url=MAP_TILES_URL)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Processes that route the life circle's categories in parallel (forked, sharing the
# graph); 0 = one per CPU this process may use. 1 keeps everything in one process.
ROUTING_WORKERS = env.int("GEOAPP_ROUTING_WORKERS", 0)

# BACKGROUND TASKS: analyses run in a worker backed by PostgreSQL (django-tasks-db);
# `manage.py db_worker` processes the queue (make run starts one).
TASKS = {
    "default": {
        "BACKEND": env(
            "GEOAPP_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"
        )
    }
}

# ANALYSIS WORKERS (manage.py analysis_worker): heartbeat period, and the silence
# after which a worker counts as dead and its running task as stale
GEOAPP_WORKER_HEARTBEAT_S = env.float("GEOAPP_WORKER_HEARTBEAT_S", 10.0)
GEOAPP_WORKER_STALE_S = env.float("GEOAPP_WORKER_STALE_S", 60.0)
# a run still pending or running this long after it was queued is marked failed
# (runs/timeouts.py); its worker stops at its next step and stores nothing
GEOAPP_RUN_TIMEOUT_S = env.float("GEOAPP_RUN_TIMEOUT_S", 3600.0)

# OPERATIONS (ops/): health and metrics
# the monitoring (Prometheus, figures of /health/): a bearer token and/or addresses
GEOAPP_MONITORING_TOKEN = env("GEOAPP_MONITORING_TOKEN", default="")
GEOAPP_MONITORING_ADDRESSES = env.list("GEOAPP_MONITORING_ADDRESSES", default=[])
# health: degraded when a run waits longer than this, or free disk falls below
GEOAPP_QUEUE_MAX_WAIT_S = env.float("GEOAPP_QUEUE_MAX_WAIT_S", 600.0)
GEOAPP_DISK_MIN_FREE_MB = env.int("GEOAPP_DISK_MIN_FREE_MB", 1024)
# backups (manage.py backup): where archives go
GEOAPP_BACKUP_DIR = Path(env("GEOAPP_BACKUP_DIR", default=str(BASE_DIR / "backups")))

# LOGS: text for development; "json" (one object per line with the request id) in
# production (prod.py). The access log is geoapp.request at INFO.
LOG_FORMAT = env("GEOAPP_LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ops.requestid.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(levelname)s %(name)s %(message)s"},
        "json": {"()": "ops.logs.json_formatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env("DJANGO_LOG_LEVEL", default="WARNING"),
    },
    "loggers": {
        # GDAL_SKIP (layers/io/safety.py) names drivers some GDAL builds lack
        "rasterio._env": {"level": "ERROR"},
        "geoapp.request": {"level": env("GEOAPP_ACCESS_LOG_LEVEL", default="WARNING")},
        "geoapp.worker": {"level": "INFO"},
        # one line per finished run: what the warm-up built (public/warming.py)
        "public.warming": {"level": "INFO"},
    },
}
