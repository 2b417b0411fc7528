# The two commands of the README: `make run` and `make test`. Both set up what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED_DATA ?= $(abspath ../shared/data)
# The street network `make run` serves when ISSY_STREETS is not set: the Issy-wide topology
# beside the checkout if present (compiled once into data/streets/), else none (the server
# still starts, and routing answers say how to give one).
DEFAULT_STREETS := $(firstword $(wildcard $(SHARED_DATA)/streets/grand_paris_carbike_topology_2023.nodes.csv.gz))

.PHONY: setup run test lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

run: setup
	ISSY_STREETS=$${ISSY_STREETS:-$(DEFAULT_STREETS)} $(BIN)/issy-mobility serve

test: setup
	ISSY_SHARED_DATA=$${ISSY_SHARED_DATA:-$(SHARED_DATA)} $(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check routing marketplace tests benchmarks
	$(BIN)/ruff format --check routing marketplace tests benchmarks
	$(BIN)/mypy
