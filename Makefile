# Quick start: `make demo` (try the bot, no token needed) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint typecheck pytest postgresql mutate run migrate bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m bot demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Three workers on two cores: the end-to-end tests spend much of their time waiting (Telegram's
# rate windows, disk syncs, a bot process starting), so two workers left the cores half idle
# (620 s for the whole suite on a 2-core machine); four kept them busy (355 s) but crowded the
# tests that measure time and rates.
# Then the same suite on PostgreSQL: the tests start a server of their own (initdb and pg_ctl
# in a temporary folder), so only Debian's postgresql package is needed, installed when missing.
pytest: $(STAMP) postgresql
	$(BIN)/pytest -n 3 -q
	OMZIEN_TEST_ENGINE=postgresql $(BIN)/pytest -n 3 -q

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

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache mutants
