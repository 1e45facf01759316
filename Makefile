# Two commands set everything up on a fresh machine: `make run` and `make test`.
# Each installs what it needs (virtualenv, Python packages, Debian packages) and is safe to run again.

# The first of these that really runs, is 3.11 or 3.12 and can make a virtualenv (a pyenv shim can exist for a
# version not selected). Debian's own Python comes first: it is built with profile-guided and link-time
# optimisation, and serves an evaluation with 15-20 % less CPU than a plain source build of the same version
# (README, Benchmarks); scripts/system-deps.sh installs it with its venv module and headers.
PYTHON ?= $(shell for p in /usr/bin/python3.11 /usr/bin/python3.12 python3.11 python3.12 python3; do \
	if $$p -c 'import sys, ensurepip; sys.exit(sys.version_info[:2] not in ((3, 11), (3, 12)))' 2>/dev/null; then \
	command -v $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# npm writes this file on every install: the test run's Node tools (package.json: Redocly CLI, axe-core) are in place.
NODE_STAMP := node_modules/.package-lock.json
# The request path compiled with Cython (subsidy/compiled.py): rebuilt when any module changes; a build older than
# its sources is never used, whatever make thinks.
COMPILED := build/compiled/manifest.json

.PHONY: run test bench init-db clean test-deps run-deps bench-deps

# Debian packages first (Debian's Python among them), then the virtualenv, the database, and the service.
run: run-deps $(STAMP) $(COMPILED)
	$(BIN)/flask --app app init-db
	$(BIN)/python -m subsidy.serve  # nginx on BIND (127.0.0.1:8000) in front of gunicorn (gunicorn.conf.py)

# Debian packages first (Node.js among them), then the Python and Node tools, then lint and the tests.
test: test-deps $(STAMP) $(NODE_STAMP) $(COMPILED)
	$(BIN)/ruff check subsidy app.py tests benchmarks
	$(BIN)/python -m pytest

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or 3.12 is needed (durable-rules does not build on 3.13)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(COMPILED): $(STAMP) $(wildcard subsidy/*.py)
	$(BIN)/python -m subsidy.compile_modules build

test-deps:
	@bash scripts/system-deps.sh test

run-deps:
	@bash scripts/system-deps.sh run

bench-deps:
	@bash scripts/system-deps.sh bench

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "Node.js (20.19 or newer) with npm is needed for the tests' tools in package.json"; exit 1; }
	npm ci --no-audit --no-fund

init-db: $(STAMP)
	$(BIN)/flask --app app init-db

bench: bench-deps $(STAMP) $(COMPILED)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) node_modules build *.egg-info .pytest_cache .hypothesis
