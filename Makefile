# Miaopu: two commands on a fresh clone with Python 3.11 and make.
#   make run   – set up .venv, migrate the embedded SQLite database, load the demo city if empty, serve on 127.0.0.1:8000
#   make test  – set up .venv with the test extras and run the whole suite (lint + tests)
# DATABASE_URL chooses PostgreSQL instead of SQLite for either command.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
DEMO_CADRES ?= 5000
LINT_PATHS := $(wildcard src tests bench conftest.py)
export DJANGO_SETTINGS_MODULE ?= miaopu.config.settings.dev

.PHONY: run test install install-test lint format serve demo migrate bench clean messages production worker wheels bench-scaleout

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/miaopu migrate --noinput -v 0

demo: migrate
	$(BIN)/miaopu demo --if-empty --cadres $(DEMO_CADRES)

run: demo
	@echo ""
	@echo "  苗圃 Miaopu 已启动 / is running:  http://$(HOST):$(PORT)/"
	@echo "  API 文档 / API docs:              http://$(HOST):$(PORT)/api/docs/"
	@echo ""
	$(BIN)/miaopu runserver $(HOST):$(PORT)

# Production (docs/operations.md): gunicorn with several processes, production settings from the environment
# (MIAOPU_SECRET_KEY, MIAOPU_ALLOWED_HOSTS, DATABASE_URL, keys …), static files collected and served by WhiteNoise.
production: install
	DJANGO_SETTINGS_MODULE=miaopu.config.settings.prod $(BIN)/miaopu migrate --noinput
	DJANGO_SETTINGS_MODULE=miaopu.config.settings.prod $(BIN)/miaopu serve --production --bind $(HOST):$(PORT)

# The background job worker of a PostgreSQL installation (start one or more, on any host).
worker: install
	DJANGO_SETTINGS_MODULE=miaopu.config.settings.prod $(BIN)/miaopu worker

# Every wheel the application needs, for an intranet server without internet access (docs/operations.md).
wheels: install
	$(BIN)/python -m pip wheel --quiet --wheel-dir dist/wheels .

bench-scaleout: install-test
	$(BIN)/python bench/bench_scaleout.py

lint: install-test
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

format: install-test
	$(BIN)/ruff format $(LINT_PATHS)
	$(BIN)/ruff check --fix $(LINT_PATHS)

test: lint
	DJANGO_SETTINGS_MODULE=miaopu.config.settings.test $(BIN)/python -m pytest

messages: install-test
	cd src/miaopu && ../../$(BIN)/miaopu compilemessages -l en

bench: install-test
	$(BIN)/python bench/bench_cadre_list.py

clean:
	rm -rf $(VENV) var/miaopu.sqlite3* var/static
