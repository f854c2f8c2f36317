# broadsheet: two commands set everything up on a fresh machine with Python 3.11+.
#   make run    create .venv from requirements.lock, then publish the sources of sources.toml into output/
#   make test   run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SOURCES ?= sources.toml
RAW    ?=
OUT    ?= output

# Prefect keeps its state (the temporary server's SQLite database) inside the project,
# and its server telemetry stays off (it caused "database is locked" errors).
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_LOGGING_LEVEL ?= WARNING

.PHONY: help venv run test test-fast lint typecheck bench lock schemas docs clean

help:
	@echo "make run        publish the sources of $(SOURCES) (or RAW=DIR) into $(OUT)/ (creates .venv on first use)"
	@echo "make test       run the test suite (in parallel, one worker per core)"
	@echo "make test-fast  the suite without servers and crash tests, for the edit loop"
	@echo "make lint       ruff"
	@echo "make typecheck  mypy --strict on flows/ and schemas/"
	@echo "make bench      the benchmark (see bench/)"
	@echo "make lock       re-resolve requirements.lock from pyproject.toml"
	@echo "make schemas    regenerate schemas/json/*.schema.json from the models"
	@echo "make docs       regenerate README's field tables and ingestor settings from the models"

venv: $(BIN)/.installed

$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --editable .
	@touch $@

run: venv
	$(BIN)/broadsheet run $(if $(RAW),--raw $(RAW),--sources $(SOURCES)) --out $(OUT)

# The full suite, one worker process per core (pytest-xdist); what .ci/run calls.
test: venv
	$(BIN)/python -m pytest -n auto

# The edit loop: everything but the tests that start servers or whole processes (under a minute).
test-fast: venv
	$(BIN)/python -m pytest -n auto -m "not slow and not prefect" -q

lint: venv
	$(BIN)/ruff check flows schemas tests

typecheck: venv
	$(BIN)/mypy

schemas: venv
	$(BIN)/python -m schemas.export

docs: venv
	$(BIN)/python -m flows.release.docs
	$(BIN)/python -m flows.ingest.docs

lock:
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --all-build-deps --extra dev --generate-hashes --allow-unsafe \
		--strip-extras -o requirements.lock pyproject.toml

bench: venv bench/.venv-dlt/.installed
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.long_article
	$(BIN)/python -m bench.html_eval

# dlt, for the benchmark's side-by-side publish measurement, in an environment of its own
bench/.venv-dlt/.installed: bench/requirements-dlt.txt
	$(PYTHON) -m venv bench/.venv-dlt
	bench/.venv-dlt/bin/python -m pip install --quiet -r bench/requirements-dlt.txt
	@touch $@

clean:
	rm -rf $(VENV) .prefect .pytest_cache .mypy_cache .ruff_cache
