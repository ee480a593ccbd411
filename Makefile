# Two entry points: `make serve` (set up, then serve the bundled events.yaml) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test lint check bench clean

$(BIN)/calfeed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

serve: $(BIN)/calfeed
	$(BIN)/calfeed serve events.yaml --host $(HOST) --port $(PORT)

check: $(BIN)/calfeed
	$(BIN)/calfeed check events.yaml

lint: $(BIN)/calfeed
	$(BIN)/ruff check calfeed tests benchmarks wsgi.py
	$(BIN)/ruff format --check calfeed tests benchmarks wsgi.py
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: $(BIN)/calfeed
	$(BIN)/python benchmarks/load.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
