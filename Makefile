# The two commands of the README: `make run` and `make test`. Both set up what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED_DATA ?= $(abspath ../shared/data)
# The street network `make run` serves when ISSY_STREETS is not set: the Issy-wide topology
# beside the checkout if present (compiled once into data/streets/), else none (the server
# still starts, and routing answers say how to give one).
DEFAULT_STREETS := $(firstword $(wildcard $(SHARED_DATA)/streets/grand_paris_carbike_topology_2023.nodes.csv.gz))

.PHONY: setup run test lint browser services

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The web client's libraries (Leaflet, axe-core) come from the npm registry, pinned by
# package-lock.json; the app serves them from node_modules/ (no CDN, no bundler).
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: install Node.js 20+ and npm" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The browser tests drive Debian's chromium (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
		|| echo "warning: could not install chromium (needs root); browser tests will fail" >&2; }

# The tests start a throw-away PostgreSQL and Redis from these packages' binaries when none
# answers at 127.0.0.1:5432 / :6379 (tests/services.py); installed here when missing.
services:
	@{ ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; } \
		&& command -v redis-server >/dev/null 2>&1 || { \
		echo "installing Debian's postgresql and redis-server for the tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server \
		|| echo "warning: could not install postgresql/redis-server (needs root); tests needing them will fail" >&2; }

setup: $(VENV)/.installed node_modules/.package-lock.json browser

# Migrations first (the server and the other commands refuse a stale schema and never migrate
# themselves). A new database then gets Issy's open data (Vélib', transit stops, places,
# boundary); one in use is left alone, and without the shared data the server starts empty.
run: setup
	$(BIN)/issy-mobility migrate
	ISSY_SHARED_DATA=$${ISSY_SHARED_DATA:-$(SHARED_DATA)} $(BIN)/issy-mobility seed open-data --if-empty
	ISSY_STREETS=$${ISSY_STREETS:-$(DEFAULT_STREETS)} $(BIN)/issy-mobility serve

# Lint and types first: a style or typing slip fails as fast as a broken test.
test: setup services lint
	ISSY_SHARED_DATA=$${ISSY_SHARED_DATA:-$(SHARED_DATA)} $(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check routing marketplace tests benchmarks
	$(BIN)/ruff format --check routing marketplace tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
