# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Set up, load the demo data into the embedded SQLite database, and open the TUI
## (acting as the demo's partnership lead unless PARTNERCRM_USER says otherwise).
PARTNERCRM_USER ?= Ruth Craven
export PARTNERCRM_USER
run: $(STAMP)
	env -u PARTNERCRM_USER $(BIN)/partnercrm demo
	@if [ -t 1 ]; then $(BIN)/partnercrm tui; else $(BIN)/partnercrm dashboard; fi

## The whole test suite (PostgreSQL too when PARTNERCRM_TEST_PG_URL is set); skips slow benchmarks.
## In parallel (pytest-xdist): TEST_WORKERS processes (0: all in this one); tests that must
## share a worker are marked xdist_group. Exit status 5 (no test ran) fails like any other. Then the import contracts, ruff (lint, C901 at 15, format) and
## mypy (partnercrm, cli and tui; partnercrm also --strict).
TEST_WORKERS ?= 4
test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadgroup
	$(BIN)/lint-imports --no-cache >/dev/null
	$(BIN)/ruff check partnercrm cli tui tests bench
	$(BIN)/ruff format --check partnercrm cli tui tests bench
	$(BIN)/mypy
	$(BIN)/mypy --strict partnercrm

## Every benchmark under bench/: one table, and JSON under bench/results/.
bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache
