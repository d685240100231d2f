# The two commands that matter:  `make run`  and  `make test`.
# Each step is skipped when its inputs have not changed, so the second `make run` starts in
# seconds. Stamps live inside the folder they describe (.venv/, node_modules/), so deleting
# the folder also forgets the stamp.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON3 ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

PYTEST_ARGS ?= -q -n 2
PG_HOST ?= 127.0.0.1
TEST_DATABASE_URL_PG ?= postgresql+psycopg://postgres@$(PG_HOST):5432/test

VENV_STAMP := $(VENV)/.make-installed
NODE_STAMP := node_modules/.make-installed
NPM_LOCK := $(wildcard package-lock.json)

.PHONY: help venv install assets run test test-sqlite test-postgres test-prereqs bench loadtest \
        system-packages postgres lint clean distclean

help:
	@echo "make run             install what is missing, migrate, seed demo data, serve on http://$(HOST):$(PORT)/"
	@echo "make test            the whole suite, on SQLite and then on PostgreSQL"
	@echo "make test-sqlite     the suite on SQLite only   (PYTEST_ARGS='$(PYTEST_ARGS)')"
	@echo "make test-postgres   the suite on PostgreSQL only"
	@echo "make lint            ruff check"
	@echo "make bench           1,000 teams x 10 rounds: dashboard, charts, workbook vs baselines"
	@echo "make loadtest        a workshop under gunicorn: 100 people vote on 10 challenges at once"
	@echo "make install         Python venv and front-end assets (venv, assets)"
	@echo "make clean           remove installed assets, stamps and caches"
	@echo "make distclean       clean, and remove .venv and node_modules too"

# --- Python -------------------------------------------------------------------------------

$(PY):
	$(PYTHON3) -m venv $(VENV)

$(VENV_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

venv: $(VENV_STAMP)

# --- Front end ----------------------------------------------------------------------------

$(NODE_STAMP): package.json $(NPM_LOCK)
	$(if $(NPM_LOCK),npm ci,npm install) --no-audit --no-fund
	touch $@

# The script is fast and does nothing when its inputs are unchanged, so it always runs.
assets: $(NODE_STAMP)
	$(PYTHON3) scripts/vendor_frontend.py

install: venv assets

# --- Run ----------------------------------------------------------------------------------

run: venv assets
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

# --- Test ---------------------------------------------------------------------------------

system-packages:
	scripts/ensure_system_packages.sh

postgres:
	@if ! pg_isready -q -h $(PG_HOST); then \
	    version=$$(ls /etc/postgresql | sort -V | tail -n 1); \
	    echo "PostgreSQL is not answering on $(PG_HOST); starting cluster $$version/main"; \
	    pg_ctlcluster --skip-systemctl-redirect "$$version" main start; \
	    for _ in $$(seq 1 30); do pg_isready -q -h $(PG_HOST) && break; sleep 0.5; done; \
	    pg_isready -h $(PG_HOST); \
	fi

test-prereqs: venv assets system-packages

test-sqlite: test-prereqs
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-postgres: test-prereqs postgres
	TEST_DATABASE_URL=$(TEST_DATABASE_URL_PG) $(VENV)/bin/pytest $(PYTEST_ARGS)

# -k: run the PostgreSQL pass even when the SQLite pass fails; fail if either failed.
test: test-prereqs postgres lint
	$(MAKE) --no-print-directory -k test-sqlite test-postgres

# --- Benchmark ----------------------------------------------------------------------------

# A scratch SQLite database in a temporary folder; writes bench/results.json.
bench: venv
	$(PY) bench/run.py

# gunicorn on 127.0.0.1 with a scratch SQLite file, then a scratch PostgreSQL database.
loadtest: venv postgres
	$(PY) bench/loadtest.py --database sqlite --database $(TEST_DATABASE_URL_PG)

# --- Housekeeping -------------------------------------------------------------------------

lint: venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf static/vendor .pytest_cache .ruff_cache test-results
	rm -f $(VENV_STAMP) $(NODE_STAMP)
	find . -path ./$(VENV) -prune -o -path ./node_modules -prune -o \
	    -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules
