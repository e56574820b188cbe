# Quick start: `make demo` (try the bot, no token needed) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock

.PHONY: demo test lint typecheck pytest test-sqlite test-postgresql postgresql mutate run migrate bench lock clean

# The venv holds exactly the versions in the dev lock, each checked against its hash, so a new
# release of a dependency or a tool changes nothing until `make lock` is run. The project itself
# is installed without its dependencies (they are all in the lock) and built with the locked
# setuptools, not one fetched for the build.
$(STAMP): $(DEV_LOCK) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m bot demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The whole suite twice: on SQLite, then on PostgreSQL. Three workers on two cores for SQLite:
# the end-to-end tests spend much of their time waiting (Telegram's rate windows, disk syncs, a
# bot process starting), so two workers left the cores half idle; four crowded the tests that
# measure time and rates. PostgreSQL waits more (every statement is a round trip to the
# server), so it takes PG_WORKERS. The PostgreSQL tests start a server of their own (initdb and
# pg_ctl in a temporary folder), so only Debian's postgresql package is needed, installed when
# missing. Tests that open no database of the engine under test run on SQLite only.
PG_WORKERS ?= 4
pytest: $(STAMP) postgresql
	$(BIN)/pytest -n 3 -q
	OMZIEN_TEST_ENGINE=postgresql $(BIN)/pytest -n $(PG_WORKERS) -q

test-sqlite: $(STAMP)
	$(BIN)/pytest -n 3 -q

test-postgresql: $(STAMP) postgresql
	OMZIEN_TEST_ENGINE=postgresql $(BIN)/pytest -n $(PG_WORKERS) -q

postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		echo "installing PostgreSQL (Debian's postgresql package) for the tests"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

# The core's mutation score (not part of `make test`): mutmut changes the modules in
# [tool.mutmut] one small change at a time and runs their fast tests, MUTATE_JOBS at once.
MUTATE_JOBS ?= 2
mutate: $(STAMP)
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(MUTATE_JOBS)
	$(BIN)/python -m tests.foundation.mutation_score

run: $(STAMP)
	$(BIN)/python -m bot run

migrate: $(STAMP)
	$(BIN)/python -m bot migrate


bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Rewrites both lock files from pyproject.toml: after a dependency there changed, keeping every
# other pin; `make lock UPGRADE=1` moves every pin to the newest release the ranges allow.
# pip-tools runs in a venv of its own that is removed afterwards.
LOCK_TOOLS := pip==26.0.1 pip-tools==7.6.2
COMPILE_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --all-build-deps \
	--no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
lock:
	tools=$$(mktemp -d) && trap 'rm -rf "$$tools"' EXIT && \
	$(PYTHON) -m venv "$$tools" && \
	"$$tools/bin/python" -m pip install --quiet $(LOCK_TOOLS) && \
	export CUSTOM_COMPILE_COMMAND="make lock" && \
	"$$tools/bin/pip-compile" $(COMPILE_FLAGS) --output-file $(LOCK) pyproject.toml && \
	"$$tools/bin/pip-compile" $(COMPILE_FLAGS) --extra dev --output-file $(DEV_LOCK) pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache mutants
