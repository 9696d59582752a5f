# Two commands: `make demo` (set up, build the demo, serve) and `make test` (set up, test).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
WB := $(VENV)/bin/workbench
export WORKBENCH_HOME ?= $(CURDIR)/var
STAMP := $(VENV)/.installed
PYTEST_ARGS ?= -n 2 --dist loadgroup --timeout 900

.PHONY: demo test lint install system-deps serve clean help

help:
	@echo "make demo   set up .venv, generate the demo platform and cases in ./var, serve the workbench"
	@echo "make test   set up .venv and the Debian packages the tests need, run the whole suite"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Reinstall when the dependency pins change.
$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

$(WORKBENCH_HOME)/platform.duckdb: | $(STAMP)
	$(WB) demo generate --home "$(WORKBENCH_HOME)"

demo: $(STAMP) $(WORKBENCH_HOME)/platform.duckdb
	$(WB) serve

# The habits first (lint, format, types; the import layers are a test), then the suite.
lint: $(STAMP)
	$(VENV)/bin/ruff check workbench tests benchmarks templates/voila
	$(VENV)/bin/ruff format --check workbench tests benchmarks templates/voila
	$(VENV)/bin/mypy

test: $(STAMP) system-deps lint
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var test-output .pytest_cache
