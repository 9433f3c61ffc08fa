#!/usr/bin/env bash
# The project's own PostgreSQL + PostGIS cluster in .pgdata/ (git-ignored), used when DATABASE_URL is unset.
# Unix socket inside .pgdata/run, TCP only on 127.0.0.1 at port $PGPORT (default 55432, away from 5432).
# PostgreSQL refuses to run as root: when invoked as root, the cluster belongs to and runs as `postgres`.
# Usage: scripts/pg.sh start|stop|status|createdb NAME
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
port=${PGPORT:-55432}
base="$root/.pgdata"
data="$base/data"
run="$base/run"

bindir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  v=$(basename "$(dirname "$d")")
  if [ -f "/usr/share/postgresql/$v/extension/postgis.control" ]; then bindir=$d; break; fi
done
[ -n "$bindir" ] || { echo "No PostgreSQL with PostGIS found: run scripts/bootstrap.sh" >&2; exit 1; }

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  as_owner=(runuser -u postgres --)
fi

ensure_traversable() {
  # the postgres user must reach $base: add the search bit to ancestors that lack it
  [ "$(id -u)" -eq 0 ] || return 0
  local p="$base"
  while [ "$p" != "/" ]; do
    p=$(dirname "$p")
    if ! runuser -u postgres -- test -x "$p" 2>/dev/null; then chmod o+x "$p"; fi
  done
}

start() {
  mkdir -p "$base" "$run"
  ensure_traversable
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$base" "$run"; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    echo "==> initdb $data"
    "${as_owner[@]}" "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    return 0
  fi
  echo "==> starting PostgreSQL on port $port (socket in $run)"
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -l "$base/postgres.log" -w -t 60 \
    -o "-p $port -k $run -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" start >/dev/null
  # a superuser role for the app (local development cluster only: trust auth, loopback only)
  "$bindir/psql" -h "$run" -p "$port" -U postgres -d postgres -qtAc \
    "SELECT 1 FROM pg_roles WHERE rolname='geoapp'" | grep -q 1 ||
    "$bindir/psql" -h "$run" -p "$port" -U postgres -d postgres -qc "CREATE ROLE geoapp LOGIN SUPERUSER"
  "$bindir/psql" -h "$run" -p "$port" -U postgres -d postgres -qtAc \
    "SELECT 1 FROM pg_database WHERE datname='geoapp'" | grep -q 1 ||
    "$bindir/psql" -h "$run" -p "$port" -U postgres -d postgres -qc "CREATE DATABASE geoapp OWNER geoapp"
}

stop() {
  if [ -f "$data/PG_VERSION" ]; then
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true
    echo "==> PostgreSQL stopped"
  fi
}

createdb() {
  start
  "$bindir/psql" -h "$run" -p "$port" -U postgres -d postgres -qtAc \
    "SELECT 1 FROM pg_database WHERE datname='$1'" | grep -q 1 ||
    "$bindir/psql" -h "$run" -p "$port" -U postgres -d postgres -qc "CREATE DATABASE \"$1\" OWNER geoapp"
}

case "${1:-start}" in
  start) start ;;
  createdb) createdb "${2:?database name}" ;;
  stop) stop ;;
  status) "${as_owner[@]}" "$bindir/pg_ctl" -D "$data" status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
