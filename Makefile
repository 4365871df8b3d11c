# The two Quick start commands are `make demo` and `make test`; everything else supports them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test lint unit integration drills serve clean bench bench-scale

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

demo: $(STAMP)
	$(BIN)/sabt demo

# The share of the pure rules (src/sabt/core) their own unit tests run: it may not fall below the floor.
CORE_COVERAGE_FLOOR := 95

test: $(STAMP) lint
	$(BIN)/pytest tests/unit --cov=sabt.core --cov-report=term:skip-covered --cov-fail-under=$(CORE_COVERAGE_FLOOR)
	$(BIN)/pytest tests/integration tests/e2e --numprocesses=auto --dist=loadgroup --durations=15

lint: $(STAMP)
	$(BIN)/ruff check src tests bench lint
	$(BIN)/ruff format --check src tests bench lint
	$(BIN)/mypy
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest tests/unit

integration: $(STAMP)
	$(BIN)/pytest tests/integration

# The failover and restore drills alone, on a three-node cluster they start (Debian's patroni, etcd-server
# and pgbackrest); `make test` runs them too.
drills: $(STAMP)
	$(BIN)/pytest tests/integration/availability

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .coverage

bench: $(STAMP)
	$(BIN)/python -m bench

bench-scale: $(STAMP)
	$(BIN)/python -m bench scale --people 10000000
