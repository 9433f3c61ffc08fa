"""gunicorn settings of the production stack (``make serve``; scripts/serve_prod.sh).

Sized for the 2-core machine the project is measured on, where PostgreSQL, the
analysis worker and the web share the cores: 3 worker processes (cores + 1) of 2
threads each. Requests are short and mostly wait on PostgreSQL (public reads are a
few ms of SQL plus JSON), so two threads per process overlap those waits while the
GIL keeps Python-heavy requests from piling up in one process. More processes cost
~150 MB each and add nothing on 2 cores (README "Production"). Every setting can be
overridden with GUNICORN_* variables or on the command line.
"""

import os

from prometheus_client import multiprocess

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
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
