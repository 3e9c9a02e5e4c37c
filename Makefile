# The two commands of the README: `make run` and `make test`.
# Each creates .venv and installs what it needs on first use.
# Without DATABASE_URL both use an embedded PostgreSQL kept under OTA_DATA_DIR (.ota/).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
INSTALLED := $(VENV)/.installed

# The locks (ADR 0020): every package of every install, pinned with its hashes, generated
# from pyproject.toml by `make lock`. dev.txt is what .venv runs (the project's dependencies,
# the dev tools, the embedded PostgreSQL); runtime.txt is what the image runs, at the same
# versions; build.txt holds the build backend; uv.txt the installer that syncs .venv.
LOCK_DIR := requirements
VENV_LOCKS := $(LOCK_DIR)/uv.txt $(LOCK_DIR)/build.txt $(LOCK_DIR)/dev.txt
LOCKS := $(VENV_LOCKS) $(LOCK_DIR)/runtime.txt

.DEFAULT_GOAL := help
.PHONY: help install lock upgrade lint unit test run clean

help:
	@echo "make run      serve the API on port $${PORT:-8000}: PostgreSQL (embedded, with the sample data, unless DATABASE_URL is set), migrated"
	@echo "make test     install, lint, type-check and run every test"
	@echo "make lock     regenerate the locks in $(LOCK_DIR)/ from pyproject.toml, keeping the pinned versions that still fit"
	@echo "make upgrade  the same, bumping every package to its newest release (PACKAGES=\"a b\": only those)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# uv is the one package pip installs, from its own hash-pinned lock; touched because pip
# leaves an already installed version (and its date) as it was.
$(UV): $(LOCK_DIR)/uv.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $<
	touch $@

# `uv pip sync` makes .venv hold exactly the locked packages (it removes what a lock dropped);
# the project itself follows, built by the locked setuptools rather than a fresh download.
$(INSTALLED): $(UV) $(LOCKS) pyproject.toml
	$(UV) pip sync --quiet --python $(BIN)/python --require-hashes $(VENV_LOCKS)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	touch $@

install: $(INSTALLED)

# dev.txt is resolved first, and runtime.txt within it: the image runs the versions the tests ran.
# Universal: one lock for every platform, with markers (kubectl and HAProxy are Linux-only).
LOCK_COMPILE = $(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" $(LOCK_UPGRADE)
BUILD_REQUIRES = import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")

lock: $(UV)
	$(LOCK_COMPILE) pyproject.toml --all-extras -o $(LOCK_DIR)/dev.txt
	$(LOCK_COMPILE) pyproject.toml --constraints $(LOCK_DIR)/dev.txt -o $(LOCK_DIR)/runtime.txt
	$(BIN)/python -c '$(BUILD_REQUIRES)' | $(LOCK_COMPILE) - -o $(LOCK_DIR)/build.txt
	echo uv | $(LOCK_COMPILE) - -o $(LOCK_DIR)/uv.txt

upgrade: LOCK_UPGRADE = $(if $(PACKAGES),$(addprefix --upgrade-package=,$(PACKAGES)),--upgrade)
upgrade: lock

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
