# CodeAnatomy — set-up and entry points. Needs only python3 and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
REPO ?= $(CURDIR)
WAREHOUSE ?= $(CURDIR)/.codeanatomy/warehouse
WORKERS ?= 0
FORCE ?= false
FLOW ?= modules
ARGS ?=
export DAGSTER_HOME := $(CURDIR)/.dagster

STAMP := $(VENV)/.installed

.PHONY: setup run test ui bench lint typecheck clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml

# Materialize the whole asset graph against REPO (default: this repository), then print
# each table's rows, Delta version and signature.
run: setup $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/codeanatomy materialize --repo '$(REPO)' --warehouse '$(WAREHOUSE)' --workers $(WORKERS) --flow $(FLOW) $(if $(filter true,$(FORCE)),--force,)
	$(BIN)/codeanatomy status --warehouse '$(WAREHOUSE)'

test: setup
	$(BIN)/python -m pytest -q

ui: setup $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

bench: setup
	$(BIN)/python bench/bench_stdlib.py $(ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

clean:
	rm -rf .codeanatomy .dagster
