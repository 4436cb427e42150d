# AXME — the repository's entry points. Each component owns a Makefile of its
# own with the same targets (setup, gen, gen-check, build, test); this file only
# wires them together. See docs/architecture.md#make-targets.

SHELL := /bin/bash
ROOT := $(abspath .)
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
export PATH := $(VENV)/bin:$(PATH)

# SDKs in the conformance matrix, in report order.
SDKS ?= python typescript go java dotnet
PY_PACKAGES := server python conformance

.PHONY: all venv install demo test conformance conformance-postgres readme-matrix-check gen gen-check spec-check server bench \
        check-standalone lint docs \
        $(addprefix test-,$(SDKS)) $(addprefix build-,$(SDKS)) test-server test-conformance test-examples clean

all: test

# One virtualenv for every Python part (server, SDK, harness, generators).
venv: $(VENV)/.stamp
$(VENV)/.stamp: requirements-dev.txt $(wildcard $(addsuffix /pyproject.toml,$(PY_PACKAGES)))
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	for p in $(PY_PACKAGES); do \
	  if [ -f $$p/pyproject.toml ]; then $(PY) -m pip install -q -e "./$$p[dev]" || exit 1; fi; \
	done
	touch $@

# From a clone: .venv with `axme-server`, the `axme` CLI and the Python SDK (needs Python
# >= 3.11 with venv), plus the TypeScript SDK's build when Node >= 20 and npm are on PATH.
# Go, Java (JDK 17 + Maven) and Mono are only needed for those SDKs' tests (`make test`).
install: venv
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  $(MAKE) -C typescript build; \
	else echo "install: node/npm not found: skipped the TypeScript SDK (needs Node >= 20)"; fi
	@echo "installed $(VENV)/bin/axme-server and $(VENV)/bin/axme;" \
	  "put them on PATH with: source .venv/bin/activate"

spec-check: venv
	$(MAKE) -C spec check
	$(PY) spec/releases/releases.py check

# Nothing in the repository cites a document outside it; one licence everywhere.
check-standalone: venv
	$(PY) docs/tools/check_standalone.py

# Every language's formatter (check mode), linter and type checker (lint/Makefile);
# -k so one run lists every failing check.
lint: venv
	$(MAKE) -k -C lint all

# The documentation site (mkdocs.yml) into build/site; --strict turns a broken link into a failure.
# First the unit tests of the repository tools (site, standalone check, releases, lint checks).
docs: venv
	$(PY) -m pytest -q -p no:cacheprovider docs/tools/tests
	DISABLE_MKDOCS_2_WARNING=true NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

gen: venv
	for c in $(SDKS); do $(MAKE) -C $$c gen || exit 1; done

gen-check: venv
	for c in $(SDKS); do $(MAKE) -C $$c gen-check || exit 1; done

server: venv
	$(PY) -m axme_server --host 127.0.0.1 --port 8787 --data-dir $(ROOT)/.axme-data

test-server: venv
	$(MAKE) -C server test

$(addprefix build-,$(SDKS)): build-%: venv
	$(MAKE) -C $* build

$(addprefix test-,$(SDKS)): test-%: venv
	$(MAKE) -C $* test

# The harness's own unit tests and the HTTP contract suite against the reference server.
test-conformance: venv
	$(MAKE) -C conformance test

# The full matrix (all five SDKs) also rewrites the matrix in README.md.
ALL_SDKS := python typescript go java dotnet
README_MATRIX := $(if $(filter-out $(ALL_SDKS),$(SDKS))$(filter-out $(SDKS),$(ALL_SDKS)),,--update-readme)
conformance: venv
	$(MAKE) -C conformance run SDKS="$(SDKS)" RUN_ARGS="$(README_MATRIX)"

# The same matrix against reference servers on PostgreSQL (issue 14): a fresh database per run
# (dropped at the end), a fresh schema per server; results in conformance/results-postgres (the
# README's matrix comes from the SQLite run). .ci/run starts PostgreSQL and exports
# AXME_TEST_POSTGRES_URL: an unreachable database FAILS the run; AXME_TEST_POSTGRES=0 skips it, saying
# so (a machine without PostgreSQL). --no-build: `make test` runs it after `conformance`, which builds.
POSTGRES_URL = $(or $(AXME_TEST_POSTGRES_URL),postgresql://axme_test:axme_test@127.0.0.1:5432/postgres)
conformance-postgres: venv
	@if [ "$$AXME_TEST_POSTGRES" = 0 ]; then echo "conformance-postgres: SKIPPED (AXME_TEST_POSTGRES=0)"; else \
	  $(MAKE) -C conformance run SDKS="$(SDKS)" \
	    RUN_ARGS="--no-build --postgres $(POSTGRES_URL) --results-dir $(ROOT)/conformance/results-postgres"; fi

# Fails when the committed README.md's matrix does not list exactly the scenarios and the five SDKs
# (checked before the run, which rewrites it: a stale matrix fails CI instead of being fixed there).
readme-matrix-check: venv
	$(PY) -m axme_conformance.readme_matrix

test: spec-check check-standalone readme-matrix-check gen-check lint docs test-server test-conformance \
      $(addprefix test-,$(SDKS)) conformance conformance-postgres test-examples

# The demo, then the three workflows in all five languages and the LLM agent (examples/Makefile),
# against each SDK's build output (last in `test`, so the SDK targets have built them).
test-examples: venv
	$(MAKE) -C examples test

demo: venv
	$(MAKE) -C examples demo

bench: venv
	$(MAKE) -C server bench

clean:
	rm -rf $(VENV) conformance/results conformance/results-postgres
	for c in $(SDKS); do $(MAKE) -C $$c clean || true; done
