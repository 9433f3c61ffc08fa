"""gunicorn settings of the production stack (``make serve``; scripts/serve_prod.sh).

Sized for the 2-core machine the project is measured on, where PostgreSQL, the
analysis worker and the web share the cores: 2 worker processes (one per core) of 16
threads each (``gthread``). A request is a few ms of Python around PostgreSQL; the
threads are mostly waiting, on the database or on a client: gunicorn's gthread worker
gives a newly accepted connection a thread until its first bytes arrive (up to 5 s),
so with fewer threads than open client connections requests queue behind idle
sockets (2 x 2 threads: p50 120 ms at 50 req/s; 2 x 16: 14 ms; README "Production").
More processes cost ~230 MB each, split the in-process caches further and add no
CPU on 2 cores. Every setting can be overridden with GUNICORN_* variables or on the
command line.
"""

import os

from prometheus_client import multiprocess

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
worker_class = "gthread"
# a request still running after this is killed with its worker (and logged); the
# public queries have their own 5 s statement timeout, the database a 5 s connect
# timeout, so only a runaway request reaches it
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# recycle workers now and then: bounds what the per-process analysis caches and
# heap fragmentation can grow to (README "Caches with several processes")
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# the app's middleware writes one JSON access line per request (with its id)
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "ops.logs.json_formatter"}},
    "filters": {"request_id": {"()": "ops.requestid.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}
    },
}
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# heartbeat files of the workers in memory, not on a disk that may fill up
worker_tmp_dir = "/dev/shm"
control_socket_disable = True  # several stacks (drills, engineers) share one host
wsgi_app = "geoapp.wsgi:application"


def child_exit(server, worker):
    """Prometheus multiprocess mode: forget a dead worker's live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
