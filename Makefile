# Meritflow: `make run` serves the demo, `make test` runs every check. Both set everything up.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
EMPLOYEES ?= 20000
PYTEST_ARGS ?= -n auto

export PYTHONPATH := $(CURDIR)
FLASK := $(BIN)/flask --app wsgi

.PHONY: help install run serve migrate seed test lint typecheck contracts pytest audit-deps lock bench \
	clean translations screenshots

help:
	@echo "make run    set up, migrate, seed the demo data and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   set up and run lint, type checks, import contracts, pip-audit and the whole suite"
	@echo "make bench  run the benchmarks in bench/ (they print figures)"
	@echo "make screenshots  photograph the main pages into docs/screenshots/ (needs Chromium)"
	@echo "make lock   regenerate requirements*.txt from pyproject.toml"

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) demo seed --employees $(EMPLOYEES) --if-empty
	$(FLASK) rules publish --by make-run

# The web sessions are signed with SECRET_KEY: every gunicorn worker must share one, so a
# run without one gets a fresh key here (sessions then end when the server stops).
run: seed
	@$(FLASK) users demo
	@echo "Meritflow: http://127.0.0.1:$(PORT)  (sign in there; API docs at /api/docs; Ctrl-C stops it)"
	@$(FLASK) scheduler run & sched=$$!; \
	  $(FLASK) jobs worker & worker=$$!; \
	  trap 'kill $$sched $$worker 2>/dev/null' EXIT INT TERM; \
	  SECRET_KEY=$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))')} \
	  PORT=$(PORT) $(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

# The pages' catalogues: pages/translations/<locale>/LC_MESSAGES/messages.po are the source;
# the compiled .mo files are committed beside them (a test checks they match).
translations: install
	$(BIN)/pybabel compile --statistics -d pages/translations

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

# Known vulnerabilities in the pinned dependencies (PyPI's advisory data). Skipped, with a message,
# when the registry cannot answer (no network); bounded so it never hangs a test run.
AUDIT_TIMEOUT ?= 180
audit-deps: install
	@if $(BIN)/python -c "import urllib.request as u; u.urlopen('https://pypi.org/pypi/pip/json', timeout=5)" 2>/dev/null; then \
	  timeout $(AUDIT_TIMEOUT) $(BIN)/pip-audit --requirement requirements.txt --no-deps --disable-pip \
	    --progress-spinner off --timeout 15; status=$$?; \
	  if [ $$status -eq 124 ]; then echo "pip-audit: SKIPPED (no answer within $(AUDIT_TIMEOUT) s)"; exit 0; fi; \
	  exit $$status; \
	else \
	  echo "pip-audit: SKIPPED (pypi.org cannot be reached; dependencies not audited)"; \
	fi

test: lint typecheck contracts audit-deps pytest

lock: install
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
	  -o requirements.txt pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
	  --extra dev -o requirements-dev.txt pyproject.toml

# Pictures of the main pages for the README: a scratch demo database, Debian's Chromium.
screenshots: install
	$(BIN)/python scripts/screenshots.py

bench: install
	$(BIN)/python bench/import_bench.py
	$(BIN)/python bench/screening_bench.py
	$(BIN)/python bench/workflow_bench.py
	$(BIN)/python bench/api_load.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
