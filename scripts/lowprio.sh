#!/usr/bin/env bash
# Run a command below the web's priority: its own session, and on Linux with scheduler
# autogroups (the default) that session's group niceness raised too (a plain `nice`
# only ranks processes inside one group, so it alone would not yield to gunicorn).
#   scripts/lowprio.sh [-n 10] command args…
# Used for the analysis worker (serve_prod.sh) and for batch imports.
set -euo pipefail
level=10
if [ "${1:-}" = "-n" ]; then level=$2; shift 2; fi
exec setsid bash -c '
  level=$1; shift
  [ -w /proc/self/autogroup ] && echo "$level" > /proc/self/autogroup 2>/dev/null || true
  exec nice -n "$level" "$@"' lowprio "$level" "$@"
