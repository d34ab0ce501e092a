# cnbudget: `make serve` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGE := datasets/package
DB := build/cnbudget.db
HOST ?= 127.0.0.1
PORT ?= 8001

.PHONY: install compile system-deps package build load release serve test bench fuzz clean

# The venv is rebuilt whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q cnbudget  # bytecode once: a command starts without compiling (PYTHONDONTWRITEBYTECODE)
	$(BIN)/python -m cnbudget.regex_cache  # compiled regular expressions too (cnbudget/regex_cache.py)
	touch $@

# The extraction modules compiled with Cython (setup.py), rebuilt from any of their .py (or the .pxd
# that types them) changed since (pip builds them once at install; this keeps them current after an edit).
COMPILED := $(VENV)/.compiled
$(COMPILED): $(STAMP) setup.py $(wildcard cnbudget/*.py cnbudget/*.pxd cnbudget/regions/*.py)
	$(BIN)/python -W ignore setup.py --quiet build_ext --inplace
	touch $@

install: $(COMPILED)

compile: $(COMPILED)

# Debian packages the tests and PDF extraction need (pdftotext, headless Chromium).
system-deps:
	@if ! command -v pdftotext >/dev/null || ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
	     || ! fc-list :lang=zh | grep -q .; then \
	  echo "installing Debian packages: poppler-utils chromium fonts-wqy-microhei"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq poppler-utils chromium chromium-driver fonts-wqy-microhei >/dev/null; \
	fi

# Extract every source with a provenance sidecar, write and validate the package (swapped in only when valid).
package: $(COMPILED) system-deps
	$(BIN)/cnbudget build --sources datasets/sources --out $(PACKAGE)

# Load the validated package into SQLite (temp file, renamed when complete) and precompute the
# inspect file that immutable serving reads instead of counting rows at start-up.
INSPECT := build/inspect.json
load: package
	$(BIN)/cnbudget load --package $(PACKAGE) --db $(DB)
	$(BIN)/datasette inspect $(DB) --inspect-file $(INSPECT)

# Parquet of each table by fiscal year for bulk analysis (build/release/parquet/, not committed).
release: package
	$(BIN)/cnbudget release --package $(PACKAGE) --out build/release

build: load release

# Read-only site on http://$(HOST):$(PORT)/ ; every setting lives in cnbudget/site/settings.py
# (SERVE_SETTINGS), which `cnbudget serve` passes to datasette with the metadata and --cors.
serve: build
	$(BIN)/cnbudget serve --db $(DB) --inspect-file $(INSPECT) --host $(HOST) --port $(PORT)

test: $(COMPILED) system-deps
	$(BIN)/python -m pytest -q

# Benchmarks (synthetic data in temp folders, never in datasets/); each prints one JSON line last.
bench: $(COMPILED) system-deps
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python scripts/bench_extract.py --quick
	$(BIN)/python scripts/bench_build.py --quick
	$(BIN)/python scripts/bench_pdf.py --quick
	$(BIN)/python scripts/bench_diff.py --quick
	$(BIN)/python scripts/bench_serve.py --quick
	$(BIN)/python scripts/bench_hostile.py --quick

# Thousands of malformed inputs through every command (counts, then one JSON line; ~10 min).
fuzz: $(COMPILED) system-deps
	$(BIN)/python scripts/fuzz.py

clean:
	rm -rf build .pytest_cache test-artifacts $(COMPILED) cnbudget/*.c cnbudget/*.so cnbudget/*/*.c cnbudget/*/*.so
