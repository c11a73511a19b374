# Atlas GDR — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# One stamp per requirements file, named by its content: make run/serve install what the app needs
# (requirements.txt), make test/lint/bench/load add the tools (requirements-dev.txt includes it).
RUN_STAMP := $(VENV)/.installed-run-$(shell cat requirements.txt | sha256sum | cut -c1-12)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8050
# pytest-xdist processes (0: everything in the pytest process itself). The tests of one file stay in one
# process, so a module fixture (a gunicorn server, a database built once) is built once. TEST_WORKERS for the
# tests without a browser, BROWSER_WORKERS for the browser tests (each process serves the app with its own
# gunicorn on its own demo database and drives its own Chromium).
TEST_WORKERS ?= 2
BROWSER_WORKERS ?= 2
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help venv venv-dev system-deps db run serve load lint test test-fast bench clean

help:
	@echo "make run    — installe, construit la base de démonstration si besoin, sert l'application sur http://$(HOST):$(PORT)"
	@echo "make test   — installe et lance toute la suite (lint et types, unitaires, PostgreSQL, navigateur)"
	@echo "make lint   — ruff (style, imports, erreurs probables) et mypy (types)"
	@echo "make serve  — sert l'application avec gunicorn (WORKERS workers, défaut 2 × cœurs + 1) sur DATABASE_URL"
	@echo "make bench  — mesures de performance (hors tests)"
	@echo "make load   — test de charge (locust, 50 utilisateurs, 60 s, puis pendant un import, puis une rafale de 20 clients)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-run-* && touch $@

# The dev set includes the runtime set: once installed, the runtime stamp is current too.
$(DEV_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-dev-* $(VENV)/.installed-run-* && touch $@ $(RUN_STAMP)

venv: $(RUN_STAMP)

venv-dev: $(DEV_STAMP)

system-deps:
	@bash scripts/system-deps.sh

db: venv
	$(BIN)/python manage.py init-db
	$(BIN)/python manage.py seed-demo --scale national --seed 42 --if-empty

run: db
	$(BIN)/python manage.py demo-users
	@echo "Atlas GDR : http://$(HOST):$(PORT) — connexion avec un compte de démonstration ci-dessus (voir README)"
	ATLAS_ENV=demo HOST=$(HOST) PORT=$(PORT) $(BIN)/python app.py

# Production-style serving (gunicorn.conf.py: workers, timeouts, logs). The schema is brought up to date;
# demo data is only generated for the embedded database (DATABASE_URL unset), never into a real one.
serve: venv
	$(BIN)/python manage.py init-db
	@if [ -z "$$DATABASE_URL" ]; then $(BIN)/python manage.py seed-demo --scale national --seed 42 --if-empty; fi
	$(BIN)/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT) $(if $(WORKERS),--workers $(WORKERS)) app:server

# Lint and types first: a lint or type error fails make test (and CI) before any test runs.
lint: venv-dev
	$(BIN)/ruff check .
# enabled after the format pass:
#	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Two runs: the browser tests (Playwright) must not share a process with the in-process app tests.
test: lint system-deps
	$(BIN)/python -m pytest -m "not browser" -n $(TEST_WORKERS) --dist loadfile
	$(BIN)/python -m pytest -m browser -n $(BROWSER_WORKERS) --dist loadfile

test-fast: venv-dev
	$(BIN)/python -m pytest -m "not browser" -n $(TEST_WORKERS) --dist loadfile

# Benchmarks (not tests): SQLite at BENCH_SCALES (default region,national,stress), PostgreSQL at region and
# national; databases cached in bench/.data. Tables printed and kept in bench/last-run.txt, figures in bench/results.json.
bench: venv-dev system-deps
	set -o pipefail; $(BIN)/python -m bench 2>&1 | tee bench/last-run.txt

# Load test: gunicorn (2 workers, Redis) on a national demo database, 50 locust users for 60 s, then again
# during an import, then a burst of 20 clients without think time for 30 s (0 errors, every export audited);
# report in bench/load/last-report.txt.
load: venv-dev
	$(BIN)/python -m bench.load

clean:
	rm -rf $(VENV) data/atlas.sqlite* data/cache .pytest_cache
