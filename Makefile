# LaGrappe — make help lists the targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(BIN)/.installed ## Create the virtual environment and install the requirements

run: install ## Run the site on SQLite with demo content at http://127.0.0.1:8000
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	@echo ""
	@echo "  LaGrappe tourne sur http://$(HOST):$(PORT)/  (admin : http://$(HOST):$(PORT)/admin/  —  GraphQL : http://$(HOST):$(PORT)/graphql/)"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

serve: install ## Production: cache table, migrate, static files, then gunicorn on $(HOST):$(PORT) (needs SECRET_KEY, ALLOWED_HOSTS)
	@export DJANGO_SETTINGS_MODULE="$${DJANGO_SETTINGS_MODULE:-lagrappe.settings.production}" HOST="$(HOST)" PORT="$(PORT)"; \
	set -e; \
	$(BIN)/python manage.py createcachetable; \
	$(BIN)/python manage.py migrate --no-input; \
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0; \
	exec $(BIN)/gunicorn --config lagrappe/gunicorn.py lagrappe.wsgi

test: install ## Run the test suite (engine tests run when ELASTICSEARCH_URL is set)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install ## Lint and check the formatting with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

schema: install ## Regenerate schema.graphql deliberately after a schema change
	$(BIN)/python manage.py graphql_schema --schema api.schema.schema --out schema.graphql

.PHONY: help install run serve test lint schema
