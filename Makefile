# The two commands of the README: `make run` and `make test`. Both set up what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED_DATA ?= $(abspath ../shared/data)

.PHONY: setup run test lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/issy-mobility serve

test: setup
	ISSY_SHARED_DATA=$${ISSY_SHARED_DATA:-$(SHARED_DATA)} $(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check routing marketplace tests benchmarks
	$(BIN)/ruff format --check routing marketplace tests benchmarks
	$(BIN)/mypy
