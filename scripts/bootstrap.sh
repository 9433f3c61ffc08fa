#!/usr/bin/env bash
# Installs what the project needs on a Debian machine, idempotently:
# system packages (PostGIS, GDAL/GEOS/PROJ; chromium with --browser), a virtualenv and pip packages.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)

missing=()
ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || missing+=(postgresql postgresql-postgis)
command -v gdalinfo >/dev/null 2>&1 || missing+=(gdal-bin)
ldconfig -p | grep -q 'libgdal\.so' || missing+=(libgdal-dev)
ldconfig -p | grep -q 'libgeos_c\.so' || missing+=(libgeos-dev)
ldconfig -p | grep -q 'libproj\.so' || missing+=(libproj-dev)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
if [ "$want_browser" = 1 ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # the front end's unit tests (node --test, tests/js)
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  # the catalog test extracts the strings as `make messages` does (xgettext, msgmerge)
  command -v xgettext >/dev/null 2>&1 || missing+=(gettext)
  # Chinese labels in screenshots need a CJK font
  fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
stamp=.venv/.requirements.sha
sum=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
  echo "==> pip install -r requirements-dev.txt"
  .venv/bin/pip install -q -r requirements-dev.txt
  echo "$sum" > "$stamp"
fi
