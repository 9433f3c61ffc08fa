"""Settings for ``benchmarks/public_map.py`` only: the base settings plus what a
production server would run with (see the report of issue 9).

* ``CONN_MAX_AGE``: persistent connections per worker thread (the benchmark server
  uses a fixed thread pool, so at most ``--server-threads`` connections are open);
* ``CONN_HEALTH_CHECKS``: a dropped connection is replaced, not an error;
* ``PUBLIC_DATA_VERSION_TTL_S``: how long a process trusts the public data version
  (the default of ``public.caching`` is the same 1 s; set here to be explicit).

``GEOAPP_BENCH_CACHE=file`` switches Django's cache to a file cache shared between
processes (in ``.pgdata/bench-cache``); the default stays LocMem (per process).
"""

import os

from geoapp.settings.base import *  # noqa: F403
from geoapp.settings.base import BASE_DIR, DATABASES

DEBUG = False
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("GEOAPP_CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
PUBLIC_DATA_VERSION_TTL_S = float(os.environ.get("GEOAPP_PUBLIC_VERSION_TTL", "1.0"))

if os.environ.get("GEOAPP_BENCH_CACHE") == "file":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / ".pgdata" / "bench-cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
