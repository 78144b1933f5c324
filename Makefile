# microlend: `make run` starts the platform, `make test` runs the tests. `make help` lists all.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
RUN_ENV := DJANGO_SETTINGS_MODULE=config.settings.local

.DEFAULT_GOAL := help
.PHONY: help install run test fuzz check lint format typecheck migrations-check bench messages clean

help: ## List the commands
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the platform with its dev tools

run: install ## Run web, worker and beat on the embedded default (SQLite, no servers) at :8000
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(RUN_ENV) $(PY) manage.py load_demo
	@echo "Starting web, Celery worker and beat; the logins follow once the web is up."
	@$(RUN_ENV) PATH="$(abspath $(BIN)):$$PATH" $(PY) manage.py run_platform --procfile Procfile

test: install ## Run the whole test suite (the API fuzzing included) against the real PostgreSQL and Redis
	$(PY) -m pytest

fuzz: install ## Only the schema-driven fuzzing of every API operation (counts in var/fuzz-counts.json)
	$(PY) -m pytest tests/fuzz -q

lint: install ## ruff lint, ruff format check, no floats in money code, the import layers
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) -m common.lint
	$(BIN)/lint-imports

format: install ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install ## mypy with django-stubs
	$(BIN)/mypy .

migrations-check: install ## Fail if a model change has no migration
	DJANGO_SETTINGS_MODULE=config.settings.local MICROLEND_DATA_DIR=$$(mktemp -d) $(PY) manage.py makemigrations --check --dry-run

check: lint typecheck migrations-check test ## Everything CI runs: lint, format, types, migrations, tests

bench: install ## Run the benchmarks under bench/ and print their figures
	@command -v wrk >/dev/null || { echo "bench: installing Debian's wrk for the API load benchmark"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) bench/run.py

messages: install ## Update and compile the Chinese translations
	$(RUN_ENV) $(PY) manage.py makemessages -l zh_Hans --ignore '.venv/*' --ignore 'var/*'
	$(RUN_ENV) $(PY) manage.py makemessages -d djangojs -l zh_Hans --ignore '.venv/*' --ignore 'staticfiles/*'
	$(RUN_ENV) $(PY) manage.py compilemessages --ignore '.venv/*'

clean: ## Remove the embedded database, queue and collected static files
	rm -rf var staticfiles
