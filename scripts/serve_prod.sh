#!/usr/bin/env bash
# The production stack: gunicorn (geoapp.settings.prod, static files through WhiteNoise)
# and the analysis worker as its own process. Stopping this script stops both.
# Used by `make serve`; the fault drills start it on their own cluster.
#   HOST/PORT        where gunicorn listens (default 127.0.0.1:8001)
#   DATABASE_URL     a real deployment's database; unset: the project's own cluster
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=geoapp.settings.prod
host=${HOST:-127.0.0.1}
port=${PORT:-8001}
state=${GEOAPP_STATE_DIR:-.pgdata}
mkdir -p "$state"
# a secret key kept outside git (0600), made once, unless the environment gives one
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
  if [ ! -s "$state/secret_key" ]; then
    (umask 077; head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' > "$state/secret_key")
  fi
  DJANGO_SECRET_KEY=$(cat "$state/secret_key")
  export DJANGO_SECRET_KEY
fi
export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}
case "$host" in
  127.*|localhost|::1)
    # plain HTTP on loopback (a rehearsal, or behind a TLS proxy on this host that
    # sets X-Forwarded-Proto): no redirect to https
    export DJANGO_SECURE_SSL_REDIRECT=${DJANGO_SECURE_SSL_REDIRECT:-false}
    export GEOAPP_MONITORING_ADDRESSES=${GEOAPP_MONITORING_ADDRESSES:-127.0.0.1/32,::1/128}
    ;;
esac
# request metrics of every gunicorn process, summed at scrape time
export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-$state/prometheus}
rm -rf "$PROMETHEUS_MULTIPROC_DIR"; mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

py=.venv/bin/python
$py manage.py collectstatic --noinput -v 0
# the deployment checks against this database; on the project's own cluster (demo
# accounts after `make run`) they are shown, on a real deployment they must pass
if [ -n "${DATABASE_URL:-}" ]; then
  $py manage.py check --deploy --fail-level ERROR
else
  $py manage.py check --deploy --fail-level CRITICAL || true
fi

# the analysis worker runs below the web's priority: a life-circle run must not
# slow the map down (README "Production"); GEOAPP_SERVE_WORKER=0: run it elsewhere
if [ "${GEOAPP_SERVE_WORKER:-1}" = 1 ]; then
  scripts/lowprio.sh -n "${GEOAPP_WORKER_NICE:-10}" $py manage.py analysis_worker \
    --interval 1 --no-startup-delay >> "$state/worker.log" 2>&1 &
  worker=$!
  echo "==> analysis worker running (pid $worker, log $state/worker.log)"
fi
echo "==> production server on http://$host:$port/ (gunicorn; Ctrl-C stops it and the worker)"
# gunicorn in the background and `wait`: bash runs the trap at once on TERM/INT (it
# would defer it until a foreground child ends), so the worker, in its own session,
# is always stopped with the server
.venv/bin/gunicorn --config gunicorn.conf.py --bind "$host:$port" &
web=$!
stop() {
  kill -TERM $web ${worker:-} 2>/dev/null || true
  wait $web ${worker:-} 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
trap stop EXIT
wait $web
