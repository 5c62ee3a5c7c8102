# One command to run, one to test. Everything is installed into .venv by these targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install migrate demo run test test-postgres lint format check bench bench-quick faults load messages clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed ## Create .venv and install the pinned requirements

migrate: install ## Apply database migrations (and create the cache table when CACHE_URL=db://)
	mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable

demo: migrate ## Load the demo province (idempotent)
	$(MANAGE) load_demo_data

# Links in the e-mails the workflow sends (to the console here) lead to this server.
run: export WAGTAILADMIN_BASE_URL ?= http://$(HOST):$(PORT)
run: demo ## Set everything up and serve the site with demo data on http://127.0.0.1:8000
	@echo ""
	@echo "  Admin: http://$(HOST):$(PORT)/admin/   login: demo   password: khuyenhoc-demo"
	@echo ""
	@# The worker runs large imports and exports in the background. If it exits it is started again (after
	@# 2 s); it stops with the server (Ctrl+C). /health/ and the admin say when it is not running.
	( trap 'kill $$CHILD 2>/dev/null; exit 0' INT TERM; \
	  while true; do \
	    $(MANAGE) run_worker & CHILD=$$!; wait $$CHILD; \
	    echo "run_worker exited (status $$?); starting it again in 2 s" >&2; sleep 2; \
	  done ) & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

test: install ## Run the whole suite on SQLite (plus lint and migration checks)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/pytest

lint: install ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## Format and fix with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install ## Regenerate and compile the Vietnamese translation
	$(MANAGE) makemessages -l vi --ignore=.venv --ignore=var --ignore=bench --no-obsolete
	$(MANAGE) compilemessages --ignore=.venv

# ENGINES=sqlite|postgresql|both (default: PostgreSQL when DATABASE_URL is set, else SQLite); REUSE=folder keeps
# the generated data set there for the next run. README, "Benchmark".
BENCH_ARGS = $(if $(ENGINES),--engines $(ENGINES)) $(if $(REUSE),--reuse $(REUSE))

bench: install ## Province-scale benchmark in a scratch database (ENGINES=both: SQLite and PostgreSQL side by side)
	$(PY) bench/run.py $(BENCH_ARGS)

bench-quick: install ## Small benchmark for development (ENGINES=..., REUSE=folder as for bench)
	$(PY) bench/run.py --quick $(BENCH_ARGS)

faults: install ## Kill the worker and web process (SIGKILL) mid-import/export/decision in a scratch deployment; check the database
	$(PY) ops/faults.py $(ARGS)

load: install ## 20 clients against gunicorn on PostgreSQL (a throwaway cluster unless DATABASE_URL); figures per endpoint
	$(PY) ops/load.py $(ARGS)

clean: ## Remove the local database, media and caches
	rm -rf var .pytest_cache
