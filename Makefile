# Two commands do everything: `make run` (app + demo city) and `make test`.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 42

.PHONY: help setup db run serve test drills stop lint demo benchmarks loadtest backup restore messages

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

setup: ## system packages, .venv and pip packages (idempotent)
	@scripts/bootstrap.sh

db: ## start the project's own PostGIS cluster (skipped when DATABASE_URL is set)
	@if [ -z "$$DATABASE_URL" ]; then scripts/pg.sh start; fi

run: setup db ## migrate, load the demo city once, create the demo planner, serve on 127.0.0.1:8000
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py make_demo --seed $(SEED) --scale small --if-empty
	@$(PY) manage.py ensure_demo_users
	@HOST=$(HOST) PORT=$(PORT) scripts/serve.sh

serve: setup db ## production stack on 127.0.0.1:8001: gunicorn + WhiteNoise + analysis worker (prod settings)
	@DJANGO_SETTINGS_MODULE=geoapp.settings.prod DJANGO_SECRET_KEY=migrate-only DJANGO_ALLOWED_HOSTS=localhost $(PY) manage.py migrate --noinput -v 0
	@if [ -z "$$DATABASE_URL" ]; then $(PY) manage.py make_demo --seed $(SEED) --scale small --if-empty; fi
	@HOST=$(HOST) PORT=$${SERVE_PORT:-8001} scripts/serve_prod.sh

backup: db ## consistent backup (pg_dump -Fc + media) into backups/ (BACKUP_DIR=…)
	@$(PY) manage.py backup $${BACKUP_DIR:+--output-dir $$BACKUP_DIR}

restore: db ## restore ARCHIVE=backups/….tar into the (empty) database
	@$(PY) manage.py restore "$(ARCHIVE)"

test: ## lint, Django checks, migrations check, JS unit tests, pytest (same as CI)
	@scripts/bootstrap.sh --browser
	@if [ -z "$$DATABASE_URL" ]; then scripts/pg.sh start; fi
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@.venv/bin/lint-imports --no-cache
	@.venv/bin/mypy
	@DJANGO_SETTINGS_MODULE=geoapp.settings.test $(PY) manage.py check --fail-level WARNING
	@DJANGO_SETTINGS_MODULE=geoapp.settings.test $(PY) manage.py makemigrations --check --dry-run
	@# the deployment check of the settings; its database checks (demo accounts) are
	@# tested in tests/accounts, not run against the developer's demo database here
	@DJANGO_SETTINGS_MODULE=geoapp.settings.prod GEOAPP_DB_NAME=geoapp_no_database DJANGO_SECRET_KEY=ci-only-$$(head -c 96 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9') DJANGO_ALLOWED_HOSTS=example.org $(PY) manage.py check --deploy --fail-level WARNING
	@# the pure ES modules of static/maps/js (tests/js/*.test.mjs; static/maps/js/package.json
	@# marks their .js files as ES modules for node)
	@node --test tests/js/
	@$(PY) -m pytest -q $(PYTEST_ARGS)

messages: ## extract every translatable string into locale/en (.po, compiled .mo); list what lacks English
	@$(PY) manage.py catalogs

demo: setup db ## (re)load the demo city: make demo SEED=7 SCALE=city
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py make_demo --seed $(SEED) --scale $${SCALE:-small}

BENCH_DB ?= geoapp_bench
benchmarks: setup db ## city-scale benchmarks in their own database (BENCH_DB), figures beside references
	@if [ -z "$$DATABASE_URL" ]; then scripts/pg.sh createdb $(BENCH_DB); fi
	@GEOAPP_DB_NAME=$(BENCH_DB) $(PY) manage.py migrate --noinput -v 0
	@for b in demo_generation lifecircle_core bundling_core siting_core; do \
	  echo "== benchmarks/$$b.py"; $(PY) benchmarks/$$b.py || exit 1; done
	@for b in "lifecircle --keep" capacity "siting --keep" bundling importing public_map planner_map; do \
	  set -- $$b; name=$$1; shift; \
	  echo "== benchmarks/$$name.py $$*"; GEOAPP_DB_NAME=$(BENCH_DB) $(PY) benchmarks/$$name.py "$$@" || exit 1; done

drills: setup db ## fault and restore drills against the production stack on a throwaway cluster (CI runs them)
	@$(PY) -m pytest -q -m drill tests/drills $(PYTEST_ARGS)

loadtest: setup db ## public map mix at 50 req/s on gunicorn vs runserver, city demo in BENCH_DB, with a run and an import
	@if [ -z "$$DATABASE_URL" ]; then scripts/pg.sh createdb $(BENCH_DB); fi
	@GEOAPP_DB_NAME=$(BENCH_DB) $(PY) manage.py migrate --noinput -v 0
	@GEOAPP_DB_NAME=$(BENCH_DB) $(PY) benchmarks/load_public.py

stop: ## stop the project's PostgreSQL cluster
	@scripts/pg.sh stop
