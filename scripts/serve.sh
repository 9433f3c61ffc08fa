#!/usr/bin/env bash
# Serve the app with a background analysis worker; stopping the server stops the worker.
set -euo pipefail
cd "$(dirname "$0")/.."
host=${HOST:-127.0.0.1}
port=${PORT:-8000}
mkdir -p .pgdata
.venv/bin/python manage.py analysis_worker --interval 1 --no-startup-delay > .pgdata/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo "==> analysis worker running (pid $worker, log .pgdata/worker.log)"
echo "==> serving on http://$host:$port/  (Ctrl-C to stop; 'make stop' stops the database)"
.venv/bin/python manage.py runserver "$host:$port"
