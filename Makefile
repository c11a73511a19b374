# Atlas GDR — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.txt | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8050
WORKERS ?= 3
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help venv system-deps db run serve test test-fast bench clean

help:
	@echo "make run    — installe, construit la base de démonstration si besoin, sert l'application sur http://$(HOST):$(PORT)"
	@echo "make test   — installe et lance toute la suite (unitaires, PostgreSQL, navigateur)"
	@echo "make serve  — sert l'application avec gunicorn ($(WORKERS) workers) sur la base configurée"
	@echo "make bench  — mesures de performance (hors tests)"

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

db: venv
	$(BIN)/python manage.py init-db
	$(BIN)/python manage.py seed-demo --scale national --seed 42 --if-empty

run: db
	@echo "Atlas GDR : http://$(HOST):$(PORT)"
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python app.py

serve: db
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - app:server

# Two processes: the browser tests (Playwright) must not share a process with the in-process app tests.
test: venv system-deps
	$(BIN)/python -m pytest -m "not browser"
	$(BIN)/python -m pytest -m browser

test-fast: venv
	$(BIN)/python -m pytest -m "not browser"

bench: venv system-deps
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data/atlas.sqlite* data/cache .pytest_cache
